"""The post editor's server side: the live preview endpoint (members only, CSRF,
rate limit, the post's own renderer and sanitiser), quoted code blocks, strikethrough,
line breaks, and images placed in the text by name."""
from __future__ import annotations

import io
import re

import pytest

from hub.extensions import db
from hub.forum.models import Post
from tests.web.forum_helpers import forum, login_as, posts_of, reply, seed, text, topic_with_replies

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
CODE_POST = "Our check:\n\n```python\ndef eligible(person):\n    return person.permit < 3\n```\n\nThat is all."


def _preview(client, body: str, **extra):
    return client.post("/forum/preview", data={"body": body, **extra}, headers={"Accept": "application/json"})


def test_preview_renders_like_a_saved_post_and_never_returns_a_script(app, client, login, make_user):
    seed()
    make_user(display_name="Maria Jensen")
    login()
    body = "**bold** ~~old~~\nnext line <script>alert(1)</script> [x](javascript:alert(1)) @[Maria Jensen]"
    response = _preview(client, body)
    assert response.status_code == 200 and response.is_json
    html = response.get_json()["html"]
    assert "<strong>bold</strong> <del>old</del><br>" in html
    assert "<script" not in html and "javascript:" not in html
    assert re.search(r'<a href="/forum/members/\d+">@Maria Jensen</a>', html)
    reply_topic = topic_with_replies(forum("general"), make_user())
    reply(client, reply_topic.id, body)
    assert posts_of(reply_topic.id)[-1].body_html == html  # the same renderer, the same result
    assert _preview(client, "   ").get_json() == {"html": ""}
    assert db.session.query(Post).count() == 2  # previews store nothing


def test_preview_is_for_members_and_refuses_what_a_post_refuses(app, client, login):
    seed()
    assert _preview(client, "hello").status_code == 403
    assert client.get("/forum/preview").status_code == 405
    login()
    too_long = _preview(client, "x" * 20001)
    assert too_long.status_code == 400 and "limited to 20000 characters" in too_long.get_json()["error"]


@pytest.fixture
def csrf_client(app, make_app):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def test_preview_needs_the_csrf_token(app, csrf_client, make_user):
    from tests.web.test_forum_resilience import _login_with_csrf, _token

    seed()
    writer = make_user()
    topic = topic_with_replies(forum("general"), writer)
    _login_with_csrf(csrf_client, writer)
    refused = _preview(csrf_client, "*hi*")
    assert refused.status_code == 400 and refused.is_json
    token = _token(text(csrf_client.get(f"/forum/topic/{topic.id}")))
    assert _preview(csrf_client, "*hi*", csrf_token=token).get_json() == {"html": "<p><em>hi</em></p>"}
    header = csrf_client.post("/forum/preview", data={"body": "*hi*"},
                              headers={"Accept": "application/json", "X-CSRFToken": token})
    assert header.status_code == 200


def test_preview_is_rate_limited_per_member(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, FORUM_PREVIEW_RATE_LIMIT="2 per minute")
    client = app.test_client()
    with app.app_context():
        seed()
        writer = make_user()
        login_as(client, writer)
        assert [_preview(client, "a").status_code for _ in range(3)] == [200, 200, 429]
        assert _preview(client, "a").is_json


def test_quoting_a_code_block_keeps_a_code_block(app, client, make_user):
    seed()
    author, quoter = make_user(display_name="Ana Costa"), make_user()
    topic = topic_with_replies(forum("general"), author, replies=[(author, CODE_POST)])
    quoted = posts_of(topic.id)[1]
    login_as(client, quoter)
    form = text(client.get(f"/forum/topic/{topic.id}/reply?quote={quoted.id}"))
    body = re.search(r"<textarea[^>]*>(.*?)</textarea>", form, re.S).group(1)
    from html import unescape
    body = unescape(body).lstrip("\n")
    assert "> ```python\n> def eligible(person):\n>     return person.permit < 3\n> ```" in body
    reply(client, topic.id, body + "Thanks!")
    html = posts_of(topic.id)[-1].body_html
    quote = html.split("</blockquote>")[0]
    assert ('<pre><code class="language-python">def eligible(person):\n    return person.permit &lt; 3\n</code></pre>'
            in quote)
    assert "<code>python" not in html and "Thanks!" in html.split("</blockquote>")[1]


def test_strikethrough_and_single_line_breaks_in_posts(app, client, make_user):
    seed()
    writer = make_user()
    topic = topic_with_replies(forum("general"), writer)
    login_as(client, writer)
    reply(client, topic.id, "Dear all,\nthe meeting is ~~Monday~~ Tuesday.\n\nNew paragraph `a ~~b~~`")
    html = posts_of(topic.id)[-1].body_html
    assert "<p>Dear all,<br>\nthe meeting is <del>Monday</del> Tuesday.</p>" in html
    assert "<code>a ~~b~~</code>" in html


def test_an_image_placed_in_the_text_shows_there_and_is_served_by_name(app, client, make_user):
    seed()
    writer, reader = make_user(), make_user()
    topic = topic_with_replies(forum("general"), writer)
    login_as(client, writer)
    response = client.post(f"/forum/topic/{topic.id}/reply", content_type="multipart/form-data", data={
        "body": "Our flyer:\n![The flyer](images/job%20fair.png)", "language": "en", "post": "1",
        "attachments": [(io.BytesIO(PNG), "job fair.png"), (io.BytesIO(PNG), "other.png")]})
    assert response.status_code == 302, text(response)[:500]
    post = posts_of(topic.id)[-1]
    src = f"/forum/post/{post.id}/images/job%20fair.png"
    assert f'<img alt="The flyer" src="{src}">' in post.body_html
    login_as(client, reader)
    served = client.get(src)
    assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"
    assert client.get(f"/forum/post/{post.id}/images/missing.png").status_code == 404
    page = text(client.get(f"/forum/topic/{topic.id}"))
    listed = page.split('aria-label="Attachments"')[1].split("</ul>")[0]
    assert "other.png" in listed and "job fair.png" not in listed  # shown in the text, not twice
    client.post("/logout")
    assert client.get(src).status_code in (302, 404)  # a visitor follows the post's permissions


def test_editor_toolbar_and_preview_are_in_the_forms(app, client, login):
    seed()
    login()
    page = text(client.get("/forum/f/general/new"))
    assert 'role="toolbar"' in page and 'data-action="bold"' in page and 'aria-keyshortcuts="Control+B"' in page
    assert 'data-preview="/forum/preview"' in page and 'class="live-preview"' in page
    assert page.count('<button type="button" class="tool') == 10
