"""Attachments: images and PDFs only (checked by content), a size cap, stored under
the instance folder, served with safe headers to those who may read the post."""
from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from hub.extensions import db
from hub.forum import attachments as storage
from hub.forum.models import Attachment, Post
from tests.web.forum_helpers import forum, login_as, make_course, posts_of, reply, seed, text, topic_with_replies

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _file(data: bytes, name: str):
    return (io.BytesIO(data), name)


def test_image_and_pdf_are_stored_outside_static_and_served_safely(app, client, make_user):
    seed()
    writer = make_user()
    topic = topic_with_replies(forum("general"), writer)
    login_as(client, writer)
    response = reply(client, topic.id, "See the attached flyer",
                     attachments=[_file(PNG, "../../flyer.png"), _file(PDF, "guide.pdf")])
    assert response.status_code == 302, text(response)
    post = posts_of(topic.id)[-1]
    image, pdf = sorted(post.attachments, key=lambda a: a.id)
    assert (image.content_type, image.filename) == ("image/png", "flyer.png")
    assert (pdf.content_type, pdf.filename, pdf.size) == ("application/pdf", "guide.pdf", len(PDF))
    path = storage.path_of(image)
    assert path.is_file() and Path(app.instance_path) in path.parents
    assert Path(app.static_folder) not in path.parents
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert f'src="/forum/attachments/{image.id}/flyer.png"' in page and "guide.pdf" in page
    served = client.get(f"/forum/attachments/{image.id}/flyer.png")
    assert served.status_code == 200 and served.data == PNG
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert not served.headers.get("Content-Disposition", "").startswith("attachment")
    served = client.get(f"/forum/attachments/{pdf.id}/guide.pdf")
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in served.headers["Content-Security-Policy"] and served.headers["X-Content-Type-Options"] == "nosniff"


def test_bad_type_is_refused_and_the_text_kept(app, client, login):
    seed()
    topic = topic_with_replies(forum("general"), login())
    for data, name in ((b"<html><script>alert(1)</script>", "photo.png"),
                       (b"MZ\x90\x00 an executable", "report.pdf"),
                       (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg")):
        response = reply(client, topic.id, "My text stays", attachments=[_file(data, name)])
        assert response.status_code == 200
        page = text(response)
        assert "is not an image (PNG, JPEG, GIF, WebP) or a PDF" in page and "My text stays" in page
        assert "attach your files again" in page
    assert db.session.scalar(select(func.count(Post.id))) == 1
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_oversize_and_too_many_files_are_refused(app, client, login):
    seed()
    app.config["FORUM_ATTACHMENT_MAX_BYTES"] = 1024
    app.config["FORUM_MAX_ATTACHMENTS"] = 2
    topic = topic_with_replies(forum("general"), login())
    big = PNG + b"\x00" * 2048
    response = reply(client, topic.id, "Too big", attachments=[_file(big, "big.png")])
    assert response.status_code == 200 and "larger than" in text(response) and "Too big" in text(response)
    response = reply(client, topic.id, "Too many", attachments=[_file(PNG, f"{n}.png") for n in range(3)])
    assert "at most 2 files" in text(response)
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert reply(client, topic.id, "Two is fine", attachments=[_file(PNG, "a.png"), _file(PDF, "b.pdf")]).status_code == 302


def test_attachments_follow_the_post_permissions(app, client, make_user):
    seed()
    learner, classmate, outsider, moderator = make_user(), make_user(), make_user(), make_user("moderator")
    course = make_course("private", enrolled=[learner, classmate])
    from hub.forum import moderation, structure
    topic = topic_with_replies(structure.course_forum(course), learner)
    login_as(client, learner)
    reply(client, topic.id, "Course material", attachments=[_file(PDF, "material.pdf")])
    item = db.session.scalar(select(Attachment))
    url = f"/forum/attachments/{item.id}/material.pdf"
    assert client.get(url).status_code == 200
    login_as(client, classmate)
    assert client.get(url).status_code == 200
    login_as(client, outsider)
    assert client.get(url).status_code == 403
    client.post("/logout")
    assert client.get(url).status_code == 302
    moderation.hide_post(db.session.get(Post, item.post_id), moderator, "check")
    db.session.commit()
    login_as(client, classmate)
    assert client.get(url).status_code == 404  # hidden post: its files go with it
    login_as(client, moderator)
    assert client.get(url).status_code == 200
    assert client.get(f"/forum/attachments/{item.id + 99}/x.pdf").status_code == 404
