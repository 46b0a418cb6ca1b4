"""Trainers' authoring in the browser (HTTP level): permissions, courses, sections,
lessons with preview, reorder, publish/unpublish, images, export and import."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from hub.courses.media import list_media
from hub.courses.models import Course, CourseTrainer, Lesson
from hub.extensions import db
from tests import factories
from tests.course_helpers import PNG, import_folder, write_course


@pytest.fixture
def course(app, tmp_path):
    return import_folder(write_course(tmp_path, "demo"))


@pytest.fixture
def login(login, request):
    """Trainers who log in here are named on the demo course (when the test has it),
    unless ``unnamed=True``: only named trainers manage a course."""
    def do(role: str = "learner", unnamed: bool = False, **fields):
        user = login(role, **fields)
        if role == "trainer" and not unnamed and "course" in request.fixturenames:
            factories.name_trainer(request.getfixturevalue("course"), user)
        return user

    return do


def reload(course) -> Course:
    db.session.expire_all()
    return db.session.scalar(select(Course).where(Course.slug == course.slug))


def order(course) -> list[str]:
    from hub.courses.services import live_lessons
    return [x.slug for x in live_lessons(reload(course), include_unpublished=True)]


AUTHOR_GETS = ["/courses/new", "/courses/demo/author", "/courses/demo/settings", "/courses/demo/lessons/new",
               "/courses/demo/lessons/first-steps/edit", "/courses/demo/images", "/courses/demo/export.zip",
               "/courses/import"]
AUTHOR_POSTS = ["/courses/new", "/courses/demo/settings", "/courses/demo/publish", "/courses/demo/preview",
                "/courses/demo/sections", "/courses/demo/sections/1/rename", "/courses/demo/sections/1/move",
                "/courses/demo/sections/1/remove", "/courses/demo/lessons/new",
                "/courses/demo/lessons/first-steps/edit", "/courses/demo/lessons/first-steps/move",
                "/courses/demo/lessons/first-steps/publish", "/courses/demo/lessons/first-steps/archive",
                "/courses/demo/images", "/courses/demo/images/x.png/delete", "/courses/import"]


@pytest.mark.parametrize("url", AUTHOR_GETS)
def test_anonymous_visitors_are_sent_to_log_in(client, course, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", AUTHOR_GETS)
def test_learners_get_403_on_pages(client, login, course, url):
    login("learner")
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", AUTHOR_POSTS)
def test_learners_get_403_on_actions(client, login, course, url):
    login("learner")
    assert client.post(url, data={"title": "x", "direction": "up", "published": "0"}).status_code == 403
    assert reload(course).published and order(course) == ["first-steps", "going-further", "wrap-up"]


@pytest.mark.parametrize("url", AUTHOR_GETS)
def test_trainers_may_author(client, login, course, url):
    login("trainer")
    assert client.get(url).status_code == 200


def test_trainer_of_another_course_gets_403(client, login, course, make_user):
    db.session.add(CourseTrainer(course_id=course.id, user_id=make_user("trainer").id))
    db.session.commit()
    login("trainer", unnamed=True)
    assert client.get("/courses/demo/author").status_code == 403
    assert client.post("/courses/demo/publish", data={"published": "0"}).status_code == 403
    assert client.get("/courses/new").status_code == 200  # may still create their own
    assert "Edit this course" not in client.get("/courses/demo").get_data(as_text=True)


def test_learner_sees_no_author_links(client, login, course):
    login("learner")
    page = client.get("/courses/demo").get_data(as_text=True)
    assert "Edit this course" not in page
    assert "New course" not in client.get("/courses/").get_data(as_text=True)


def test_create_course(client, login):
    trainer = login("trainer")
    response = client.post("/courses/new", data={
        "title": "Working with employers", "summary": "How to talk to firms.", "description_md": "## Why\n\nBecause.",
        "kind": "guideline", "language": "en", "position": "9", "estimated_hours": "3.5", "enrolment_mode": "open",
        "completion_lessons": "all", "forum_posts": "0", "certificate_mode": "auto"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses/working-with-employers/author")
    course = db.session.scalar(select(Course).where(Course.slug == "working-with-employers"))
    assert course.published is False and course.kind == "guideline" and course.zone is None
    assert course.estimated_hours == 3.5 and course.description_html == "<h2>Why</h2>\n<p>Because.</p>"
    assert [t.user_id for t in course.trainers] == [trainer.id]


def test_create_course_errors_keep_input(client, login, course):
    login("trainer")
    response = client.post("/courses/new", data={
        "title": "Copy", "slug": "demo", "summary": "Kept text", "kind": "zone", "zone": "2", "language": "en",
        "enrolment_mode": "key", "enrolment_key": "", "completion_lessons": "all", "certificate_mode": "auto"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Give the key learners must enter" in page and "Kept text" in page
    response = client.post("/courses/new", data={
        "title": "Copy", "slug": "demo", "kind": "zone", "language": "en", "enrolment_mode": "open",
        "completion_lessons": "all", "certificate_mode": "auto"})
    assert "Another course already uses this short name." in response.get_data(as_text=True)
    response = client.post("/courses/new", data={
        "title": "Bad", "slug": "Bad Slug!", "kind": "zone", "language": "en", "enrolment_mode": "open",
        "completion_lessons": "all", "certificate_mode": "auto"})
    assert "Use only lower-case letters" in response.get_data(as_text=True)


def test_settings_update_and_rules_signal(client, login, course):
    from hub import signals
    login("trainer")
    form = client.get("/courses/demo/settings").get_data(as_text=True)
    assert 'value="Demo course"' in form
    received = []
    with signals.completion_rules_changed.connected_to(lambda sender, **kw: received.append(kw["course"].slug)):
        response = client.post("/courses/demo/settings", data={
            "title": "Demo renamed", "summary": "New summary", "description_md": "Desc", "kind": "zone", "zone": "4",
            "language": "en", "position": "3", "estimated_hours": "2", "enrolment_mode": "key",
            "enrolment_key": "k1", "enrol_opens": "2030-01-01", "enrol_closes": "2030-02-01", "capacity": "12",
            "completion_lessons": "all", "completion_quizzes": "final-quiz", "forum_posts": "1",
            "certificate_mode": "manual", "prerequisites": ""})
    assert response.status_code == 302
    course = reload(course)
    assert course.title == "Demo renamed" and course.zone == 4 and course.enrolment_key == "k1"
    assert course.capacity == 12 and str(course.enrol_opens) == "2030-01-01"
    assert course.completion_rules == {"lessons": "all", "quizzes": ["final-quiz"], "forum_posts": 1}
    assert course.certificate_mode == "manual" and received == ["demo"]


def test_description_preview_does_not_save(client, login, course):
    login("trainer")
    response = client.post("/courses/demo/settings", data={
        "title": "Demo course", "description_md": "**bold** <script>x()</script>", "kind": "zone", "zone": "1",
        "language": "en", "enrolment_mode": "open", "completion_lessons": "all", "certificate_mode": "auto",
        "preview": "Preview description"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<strong>bold</strong>" in page and "<script>x()" not in page
    assert reload(course).description_md == "A course for tests.\n"


def test_publish_and_unpublish_course(client, login, auth, course):
    login("trainer")
    client.post("/courses/demo/publish", data={"published": "0"})
    assert reload(course).published is False
    auth.logout()
    login("learner")
    assert client.get("/courses/demo").status_code == 404
    assert client.get("/courses/demo/lessons/first-steps").status_code == 404
    assert "/courses/demo" not in client.get("/courses/").get_data(as_text=True)
    auth.logout()
    login("trainer")
    client.post("/courses/demo/publish", data={"published": "1"})
    auth.logout()
    assert client.get("/courses/demo").status_code == 200


def test_publish_and_unpublish_lesson(client, login, auth, course):
    login("trainer")
    client.post("/courses/demo/lessons/going-further/publish", data={"published": "0"})
    auth.logout()
    assert client.get("/courses/demo/lessons/going-further").status_code == 404
    assert "Going further" not in client.get("/courses/demo").get_data(as_text=True)
    login("trainer")
    client.post("/courses/demo/lessons/going-further/publish", data={"published": "1"})
    auth.logout()
    assert client.get("/courses/demo/lessons/going-further").status_code == 200


def test_sections_add_rename_move_remove(client, login, course):
    login("trainer")
    response = client.post("/courses/demo/sections", data={"title": "Extra work"})
    assert response.status_code == 302
    course = reload(course)
    extra = next(s for s in course.sections if s.slug == "extra-work")
    client.post(f"/courses/demo/sections/{extra.id}/rename", data={"title": "Extra practice"})
    client.post(f"/courses/demo/sections/{extra.id}/move", data={"direction": "up"})
    course = reload(course)
    live = [s.title for s in sorted(course.sections, key=lambda s: s.position) if s.archived_at is None]
    assert live == ["Basics", "Extra practice", "Practice"]
    assert client.post(f"/courses/demo/sections/{extra.id}/move", data={"direction": "sideways"}).status_code == 400
    practice = next(s for s in course.sections if s.slug == "practice")
    client.post(f"/courses/demo/sections/{practice.id}/remove")
    course = reload(course)
    wrap = next(x for x in course.lessons if x.slug == "wrap-up")
    assert wrap.section is None and wrap.archived_at is None
    assert client.post("/courses/demo/sections", data={"title": ""}, follow_redirects=True).status_code == 200


def test_new_lesson_with_preview_then_save(client, login, course):
    login("trainer")
    course = reload(course)
    basics = next(s for s in course.sections if s.slug == "basics")
    data = {"title": "Interview guide", "slug": "", "section": str(basics.id), "minutes": "",
            "body_md": "## Questions\n\n1. What work did you do?\n\n[bad](javascript:alert(1))", "published": "y"}
    response = client.post("/courses/demo/lessons/new", data={**data, "preview": "Preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h2>Questions</h2>" in page and "javascript:" not in page.split('class="prose preview-output"')[1]
    assert "## Questions" in page  # the text is kept in the editor
    assert db.session.scalar(select(Lesson).where(Lesson.slug == "interview-guide")) is None
    response = client.post("/courses/demo/lessons/new", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/lessons/interview-guide/edit")
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "interview-guide"))
    assert lesson.section_id == basics.id and lesson.published and lesson.minutes == 1
    assert "<h2>Questions</h2>" in lesson.body_html and "javascript" not in lesson.body_html
    assert order(course)[-1] == "wrap-up" and "interview-guide" in order(course)


def test_edit_lesson(client, login, course):
    login("trainer")
    form = client.get("/courses/demo/lessons/first-steps/edit").get_data(as_text=True)
    assert "The first lesson, about outreach." in form
    response = client.post("/courses/demo/lessons/first-steps/edit", data={
        "title": "First steps, revised", "section": "0", "minutes": "20", "body_md": "New *text*"})
    assert response.status_code == 302
    lesson = next(x for x in reload(course).lessons if x.slug == "first-steps")
    assert lesson.title == "First steps, revised" and lesson.section is None and lesson.minutes == 20
    assert lesson.body_html == "<p>New <em>text</em></p>" and lesson.published is False  # box unticked
    response = client.post("/courses/demo/lessons/first-steps/edit", data={"title": "", "section": "0"})
    assert response.status_code == 200 and "This field is required." in response.get_data(as_text=True)


def test_reorder_lessons(client, login, course):
    login("trainer")
    client.post("/courses/demo/lessons/going-further/move", data={"direction": "up"})
    assert order(course) == ["going-further", "first-steps", "wrap-up"]
    client.post("/courses/demo/lessons/going-further/move", data={"direction": "up"})  # already first
    assert order(course) == ["going-further", "first-steps", "wrap-up"]
    client.post("/courses/demo/lessons/first-steps/move", data={"direction": "down"})  # last of its section
    assert order(course) == ["going-further", "first-steps", "wrap-up"]
    client.post("/courses/demo/lessons/going-further/move", data={"direction": "down"})
    assert order(course) == ["first-steps", "going-further", "wrap-up"]
    page = client.get("/courses/demo/lessons/first-steps").get_data(as_text=True)
    assert 'rel="next" href="/courses/demo/lessons/going-further"' in page


def test_archive_and_restore_lesson(client, login, course):
    login("trainer")
    client.post("/courses/demo/lessons/going-further/archive")
    assert order(course) == ["first-steps", "wrap-up"]
    page = client.get("/courses/demo/author").get_data(as_text=True)
    assert "Archived lessons" in page
    client.post("/courses/demo/lessons/going-further/archive", data={"restore": "1"})
    assert "going-further" in order(course)


def test_preview_endpoint(client, login, course):
    login("trainer")
    response = client.post("/courses/demo/preview", data={"text": "![x](images/a.png) <img src=x onerror=alert(1)>"})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert 'src="/courses/demo/media/a.png"' in html and "onerror" not in html


def test_image_upload(client, app, login, course):
    login("trainer")
    response = client.post("/courses/demo/images", data={"image": (io.BytesIO(PNG), "my photo.svg")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    name = re.search(r"images/([0-9a-f]{16}\.png)", page).group(1)
    assert "Image uploaded" in page
    stored = app.config["UPLOAD_PATH"]
    assert stored.startswith(app.instance_path) and "static" not in stored
    assert client.get(f"/courses/demo/media/{name}").data == PNG
    client.post(f"/courses/demo/images/{name}/delete")
    assert client.get(f"/courses/demo/media/{name}").status_code == 404


@pytest.mark.parametrize("data, message", [
    (b"<svg onload=alert(1)></svg>", "Only PNG, JPEG, GIF and WebP images can be uploaded."),
    (b"<html><script>alert(1)</script>", "Only PNG, JPEG, GIF and WebP images can be uploaded."),
    (b"", "The file is empty."),
    (PNG + b"\0" * 3000, "The image is larger than 2 KB."),
])
def test_image_upload_refusals(client, app, login, course, data, message):
    app.config["COURSE_IMAGE_MAX_BYTES"] = 2048
    login("trainer")
    response = client.post("/courses/demo/images", data={"image": (io.BytesIO(data), "photo.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert list_media(app.config["UPLOAD_PATH"], course.id) == []


def test_export_download_and_import_upload(client, login, course):
    login("trainer")
    response = client.get("/courses/demo/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert 'filename="10-demo.zip"' in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert "10-demo/course.md" in archive.namelist()
    # change the archive: a new title, and import it back
    files = {name: archive.read(name) for name in archive.namelist()}
    files["10-demo/02-going-further.md"] = files["10-demo/02-going-further.md"].replace(
        b"title: Going further", b"title: Going much further")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    buffer.seek(0)
    response = client.post("/courses/import", data={"archive": (buffer, "demo.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses/demo/author")
    assert any(x.title == "Going much further" for x in reload(course).lessons)


def test_import_upload_reports_problems_and_changes_nothing(client, login, course):
    login("trainer")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("demo/course.md", "---\nslug: demo\ntitle: Changed\nflavour: sour\n---\n")
    buffer.seek(0)
    response = client.post("/courses/import", data={"archive": (buffer, "demo.zip")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "demo/course.md:4" in page and "unknown field" in page and "flavour" in page
    assert reload(course).title == "Demo course"
    response = client.post("/courses/import", data={"archive": (io.BytesIO(b"not a zip"), "x.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "not a valid .zip" in response.get_data(as_text=True)
    response = client.post("/courses/import", data={"archive": (io.BytesIO(b"x"), "x.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a .zip file." in response.get_data(as_text=True)


def test_import_upload_cannot_overwrite_someone_elses_course(client, login, course, make_user, tmp_path):
    db.session.add(CourseTrainer(course_id=course.id, user_id=make_user("trainer").id))
    db.session.commit()
    login("trainer", unnamed=True)
    folder = write_course(tmp_path / "x", "demo", title="Hijacked")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for path in folder.rglob("*"):
            out.write(path, path.relative_to(folder.parent).as_posix())
    buffer.seek(0)
    response = client.post("/courses/import", data={"archive": (buffer, "demo.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "you are not one of its trainers" in response.get_data(as_text=True)
    assert reload(course).title == "Demo course"


def test_imported_new_course_belongs_to_the_uploader(client, login, tmp_path):
    trainer = login("trainer")
    folder = write_course(tmp_path / "x", "fresh", title="Fresh course")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for path in folder.rglob("*"):
            out.write(path, path.relative_to(folder.parent).as_posix())
    buffer.seek(0)
    response = client.post("/courses/import", data={"archive": (buffer, "fresh.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == "fresh"))
    assert [t.user_id for t in course.trainers] == [trainer.id]


def test_a_course_without_named_trainers_belongs_to_the_administrators(client, login, course, make_user):
    login("trainer", unnamed=True)
    assert client.get("/courses/demo/author").status_code == 403  # not "every trainer's" any more
    assert client.get("/progress/demo/report").status_code == 403
    client.post("/logout")
    login("admin")
    assert client.get("/courses/demo/author").status_code == 200


def test_administrator_assigns_trainers_and_trainers_add_co_trainers(client, login, course, make_user):
    maria = make_user("trainer", display_name="Maria", email="maria@example.org")
    kim = make_user("trainer", display_name="Kim", email="kim@example.org")
    learner = make_user(email="learner@example.org")
    login("admin")
    response = client.post("/courses/demo/trainers", data={"email": "maria@example.org"}, follow_redirects=True)
    assert "Maria now trains this course." in response.get_data(as_text=True)
    refused = client.post("/courses/demo/trainers", data={"email": "learner@example.org"}, follow_redirects=True)
    assert "Only members with the trainer role" in refused.get_data(as_text=True)
    again = client.post("/courses/demo/trainers", data={"email": "MARIA@example.org"}, follow_redirects=True)
    assert "Maria already trains this course." in again.get_data(as_text=True)
    login_as_member(client, maria)
    assert client.get("/courses/demo/author").status_code == 200
    client.post("/courses/demo/trainers", data={"email": "kim@example.org"})
    assert {t.user_id for t in reload(course).trainers} == {maria.id, kim.id}
    client.post(f"/courses/demo/trainers/{kim.id}/remove")
    assert {t.user_id for t in reload(course).trainers} == {maria.id}
    response = client.post(f"/courses/demo/trainers/{maria.id}/remove")  # leaving the course
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses/demo")
    assert client.get("/courses/demo/author").status_code == 403
    assert learner.id not in {t.user_id for t in reload(course).trainers}


def login_as_member(client, user):
    from tests.web.forum_helpers import login_as
    return login_as(client, user)
