"""Nothing a member writes is lost: an expired CSRF token or login gives the text
back, and concurrent replies to one topic all land, in order, with right counters."""
from __future__ import annotations

import re
import threading
import time

import itsdangerous
import pytest
from sqlalchemy import select

from hub.accounts import services as accounts
from hub.extensions import db
from hub.forum.models import Draft, Forum, Topic
from tests.conftest import TEST_PASSWORD
from tests.web.forum_helpers import forum, login_as, posts_of, seed, text, topic_with_replies


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _login_with_csrf(client, user, next_url: str | None = None):
    page = client.get("/login" + (f"?next={next_url}" if next_url else ""))
    response = client.post("/login" + (f"?next={next_url}" if next_url else ""),
                           data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": _token(text(page))})
    assert response.status_code == 302, text(response)[:500]
    return response


@pytest.fixture
def csrf_client(app, make_app):
    """A client of the same site with CSRF protection on, as browsers meet it."""
    return make_app(WTF_CSRF_ENABLED=True).test_client()


class _NineHoursAgo(itsdangerous.TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 9 * 3600


def _expired_token(client) -> str:
    """The token the page would have carried had it been opened nine hours ago
    (tokens live eight), for this browser session."""
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    serializer = itsdangerous.URLSafeTimedSerializer(client.application.secret_key, salt="wtf-csrf-token",
                                                     signer=_NineHoursAgo)
    return serializer.dumps(raw)


def test_expired_csrf_token_gives_the_text_back(app, csrf_client, make_user):
    seed()
    writer = make_user()
    topic = topic_with_replies(forum("general"), writer, "Long discussion")
    client = csrf_client
    _login_with_csrf(client, writer)
    client.get(f"/forum/topic/{topic.id}")
    old_token = _expired_token(client)
    text_written = "A long, careful answer about\nthe client's first weeks at work."
    response = client.post(f"/forum/topic/{topic.id}/reply",
                           data={"body": text_written, "language": "en", "csrf_token": old_token, "post": "1"})
    assert response.status_code == 200
    page = text(response)
    assert "security check expired" in page
    assert "A long, careful answer about\nthe client&#39;s first weeks at work." in page
    assert len(posts_of(topic.id)) == 1
    # a forged or missing token takes the same path: nothing saved, text back
    forged = client.post(f"/forum/topic/{topic.id}/reply", data={"body": "forged", "language": "en", "post": "1"})
    assert forged.status_code == 200 and "security check expired" in text(forged) and len(posts_of(topic.id)) == 1
    # sending again from the returned form works
    again = client.post(f"/forum/topic/{topic.id}/reply",
                        data={"body": text_written, "language": "en", "csrf_token": _token(page), "post": "1"})
    assert again.status_code == 302
    assert posts_of(topic.id)[-1].body_md == text_written


def test_expired_csrf_on_a_new_topic_keeps_title_and_body(app, csrf_client, make_user):
    seed()
    writer = make_user()
    _login_with_csrf(csrf_client, writer)
    response = csrf_client.post("/forum/f/general/new", data={
        "title": "My kept title", "body": "My kept body", "language": "en", "csrf_token": "expired", "post": "1"})
    page = text(response)
    assert "security check expired" in page and 'value="My kept title"' in page and "My kept body" in page
    assert db.session.scalar(select(Topic.id)) is None


def test_expired_login_keeps_the_draft_until_the_member_is_back(app, csrf_client, make_user):
    seed()
    writer = make_user()
    topic = topic_with_replies(forum("general"), writer, "Where is my text?")
    client = csrf_client
    _login_with_csrf(client, writer)
    token = _token(text(client.get(f"/forum/topic/{topic.id}")))
    accounts.end_all_sessions(writer)  # the login ends (expired, or logged out elsewhere)
    db.session.commit()
    response = client.post(f"/forum/topic/{topic.id}/reply", data={
        "body": "Written over twenty minutes", "language": "da", "csrf_token": token, "post": "1"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login?next=") and "draft" in location
    assert len(posts_of(topic.id)) == 1
    draft = db.session.scalar(select(Draft))
    assert draft.data["body"] == "Written over twenty minutes" and draft.user_id is None
    next_url = re.search(r"next=([^&]+)", location).group(1)
    back = _login_with_csrf(client, writer, next_url)
    form_page = client.get(back.headers["Location"])
    page = text(form_page)
    assert "Written over twenty minutes" in page and "Here is the text you wrote" in page
    assert '<option selected value="da">' in page or '<option value="da" selected>' in page
    db.session.refresh(draft)
    assert draft.user_id == writer.id
    # someone else with the link does not get the text
    other = make_user()
    other_client = app.test_client()
    login_as(other_client, other)
    assert "Written over twenty minutes" not in text(other_client.get(back.headers["Location"]))
    sent = client.post(back.headers["Location"], data={
        "body": "Written over twenty minutes", "language": "da", "draft": draft.key, "csrf_token": _token(page),
        "post": "1"})
    assert sent.status_code == 302
    assert posts_of(topic.id)[-1].body_md == "Written over twenty minutes"
    assert db.session.scalar(select(Draft)) is None


def test_expired_login_on_a_new_topic(app, client, make_user):
    seed()
    writer = make_user()
    login_as(client, writer)
    client.delete_cookie("session", domain="hub.test")  # the browser lost its session cookie
    response = client.post("/forum/f/general/new", data={"title": "Kept", "body": "Body kept", "language": "en",
                                                         "post": "1"})
    assert response.status_code == 302 and "draft" in response.headers["Location"]
    draft = db.session.scalar(select(Draft))
    assert draft.data == {"title": "Kept", "body": "Body kept", "language": "en"}


def test_concurrent_replies_all_land_in_order(app, make_user):
    """Threads post at once into one topic of the same database file."""
    seed()
    writers = [make_user() for _ in range(4)]
    topic_id = topic_with_replies(forum("general"), writers[0], "Busy topic").id
    clients = []
    for user in writers:
        client = app.test_client()
        login_as(client, user)
        clients.append(client)
    db.session.commit()
    per_writer = 5
    barrier = threading.Barrier(len(clients))
    errors: list[str] = []

    def write(index: int, client) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(per_writer):
                response = client.post(f"/forum/topic/{topic_id}/reply",
                                        data={"body": f"writer {index} reply {n}", "language": "en", "post": "1"})
                if response.status_code != 302:
                    errors.append(f"{index}/{n}: {response.status_code}")
        except Exception:  # surfaced below
            import traceback
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=write, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [], errors[0]
    posts = posts_of(topic_id)
    total = 1 + len(writers) * per_writer
    assert [p.position for p in posts] == list(range(1, total + 1))
    for index in range(len(writers)):  # each writer's replies keep their own order
        mine = [p.body_md for p in posts if p.body_md.startswith(f"writer {index} ")]
        assert mine == [f"writer {index} reply {n}" for n in range(per_writer)]
    assert [p.id for p in posts] == sorted(p.id for p in posts)
    topic = db.session.get(Topic, topic_id)
    general = db.session.scalar(select(Forum).where(Forum.slug == "general"))
    assert topic.reply_count == total - 1 and topic.last_position == total
    assert topic.last_post_id == posts[-1].id
    assert general.post_count == total and general.topic_count == 1 and general.last_post_id == posts[-1].id
