"""Forum mail as a site runs it: the settings page says when mail is off, links in
mail lead to the address the site is reached at (never localhost), and the server's
scheduler sends the daily digest once a day across processes."""
from __future__ import annotations

import contextvars
import threading
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from flask import current_app, has_app_context
from sqlalchemy import delete, func, select

from hub import schedule, site_address
from hub.extensions import db
from hub.forum import digests, notifications, services
from hub.forum.models import MemberSettings, Notification, Post
from hub.mail import OutboxMessage
from tests.conftest import TEST_PASSWORD
from tests.web.forum_helpers import forum, login_as, posts_of, seed, text, topic_with_replies

PUBLIC = "https://forum.example.net"


def _mails(to=None) -> list[SimpleNamespace]:
    """The outbox as other apps and threads committed it; read in a transaction of its
    own, so the test never holds SQLite's write lock while another app writes."""
    db.session.commit()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if to is not None:
        stmt = stmt.where(OutboxMessage.recipient == to.email)
    found = [SimpleNamespace(recipient=m.recipient, subject=m.subject, body=m.body) for m in db.session.scalars(stmt)]
    db.session.commit()
    return found


def _at(client, base: str = PUBLIC):
    """Every request of ``client`` as if the site were reached at ``base``."""
    def open_at(method, path, **kwargs):
        return getattr(client, method)(path, base_url=base, **kwargs)
    return open_at


def _log_in_at(client, user, base: str = PUBLIC) -> None:
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD}, base_url=base)
    assert response.status_code == 302, response.data[:300]


def _waiting_digest(make_user, title="Digest topic"):
    """A member with a digest subscription and one reply waiting for the digest
    (written with forum mail on in the test's own app)."""
    current_app.config["FORUM_EMAIL"] = True
    seed()
    author, reader = make_user(display_name="Author"), make_user(display_name="Reader")
    topic = topic_with_replies(forum("general"), author, title)
    notifications.subscribe(reader.id, topic=topic, email_mode="digest")
    db.session.commit()
    services.reply(topic, author, "News for the digest", "en")
    db.session.commit()
    assert _waiting() == 1
    return author, reader, topic


def _waiting() -> int:
    db.session.commit()
    count = db.session.scalar(select(func.count(Notification.id)).where(Notification.email_state == "digest"))
    db.session.commit()
    return count or 0


def _job(app) -> schedule.DailyJob:
    [job] = [j for j in schedule.jobs(app) if j.name == digests.JOB]
    return job


def _outside_requests(app, work):
    """``work()`` in a context of ``app`` with no request around it, as the scheduler's
    thread and commands run (the test's own context has a request pushed)."""
    if has_app_context():
        db.session.commit()  # the test's own session holds no transaction meanwhile

    def run():
        with app.app_context():
            try:
                return work()
            finally:
                db.session.remove()

    return contextvars.Context().run(run)


def _check(app, when: datetime) -> str:
    """One scheduler poll of the digest job in ``app`` at ``when``, as the thread runs it."""
    return _outside_requests(app, lambda: schedule.run_if_due(app, _job(app), when))


# -- the settings page -------------------------------------------------------------------

def test_settings_page_says_mail_is_off_without_a_mail_server(app, client, make_user):
    seed()
    member, admin = make_user(), make_user("admin")
    db.session.add(MemberSettings(user_id=member.id, email_enabled=True, email_mode="immediate",
                                  auto_subscribe=True))
    db.session.commit()
    login_as(client, member)
    page = text(client.get("/forum/settings"))
    assert "Forum email is off on this site" in page
    assert 'name="email_mode"' not in page and 'name="email_enabled"' not in page
    assert 'name="auto_subscribe"' in page  # in-app settings stay
    assert "HUB_MAIL_SERVER" not in page  # the how-to is for administrators
    forum_page = text(client.get("/forum/f/general"))
    assert "Subscribe to this forum" in forum_page and '<select name="email_mode"' not in forum_page
    # auto-subscribe unticked; an email mode sent anyway (an old form) changes nothing
    assert client.post("/forum/settings", data={"email_mode": "off"}).status_code == 302
    saved = notifications.settings_for(member.id)
    assert not saved.auto_subscribe and saved.email_enabled and saved.email_mode == "immediate"
    login_as(client, admin)
    page = text(client.get("/forum/settings"))
    assert "Forum email is off on this site" in page and "HUB_MAIL_SERVER" in page


def test_settings_page_offers_mail_with_a_mail_server(make_app, make_user):
    seed()
    member, admin = make_user(), make_user("admin")
    client = make_app(MAIL_SERVER="smtp.example.org").test_client()
    login_as(client, member)
    page = text(client.get("/forum/settings"))
    assert "Forum email is off" not in page
    assert 'name="email_mode"' in page and 'name="email_enabled"' in page
    assert '<select name="email_mode"' in text(client.get("/forum/f/general"))
    client.post("/forum/settings", data={"email_enabled": "y", "email_mode": "off", "auto_subscribe": "y"})
    assert notifications.settings_for(member.id).email_mode == "off"
    switched_off = make_app(MAIL_SERVER="smtp.example.org", FORUM_EMAIL=False).test_client()
    login_as(switched_off, admin)
    page = text(switched_off.get("/forum/settings"))
    assert "Forum email is off on this site" in page and "HUB_FORUM_EMAIL" in page


# -- links in mail -----------------------------------------------------------------------

def test_immediate_mail_links_to_the_address_the_request_came_in_on(make_app, make_user):
    seed()
    app = make_app(FORUM_EMAIL=True, SERVER_NAME=None)
    author, follower = make_user(display_name="Author"), make_user()
    topic = topic_with_replies(forum("general"), author, "Links")
    notifications.subscribe(follower.id, topic=topic, email_mode="immediate")
    db.session.commit()
    client = app.test_client()
    _log_in_at(client, author)
    response = _at(client)("post", f"/forum/topic/{topic.id}/reply",
                           data={"body": "A reply with links", "language": "en", "post": "1"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    [mail] = _mails(follower)
    post = posts_of(topic.id)[-1]
    assert f"{PUBLIC}/forum/post/{post.id}" in mail.body and f"{PUBLIC}/forum/unsubscribe/" in mail.body
    assert "localhost" not in mail.body


def test_digest_outside_a_request_uses_the_address_an_administrator_used(make_app, make_user):
    app = make_app(FORUM_EMAIL=True, SERVER_NAME=None)
    author, reader, _topic = _waiting_digest(make_user)
    admin = make_user("admin")
    runner = app.test_cli_runner()
    refused = _outside_requests(app, lambda: runner.invoke(args=["forum", "send-digests"]))
    assert refused.exit_code != 0 and "HUB_PUBLIC_URL" in refused.output
    assert _mails(reader) == [] and _waiting() == 1
    assert _check(app, datetime(2026, 3, 2, 8, tzinfo=timezone.utc)) == "waiting"  # nothing claimed
    client = app.test_client()
    _log_in_at(client, admin, "http://localhost:8000")
    client.get("/forum/", base_url="http://localhost:8000")
    assert not (Path(app.instance_path) / site_address.FILE_NAME).exists()  # loopback: not kept
    member_client = app.test_client()
    _log_in_at(member_client, author, "https://evil.example.com")
    member_client.get("/forum/", base_url="https://evil.example.com")  # a member's Host header is not believed
    _log_in_at(client, admin)
    _at(client)("get", "/forum/")
    assert _check(app, datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)) == "ran"
    [mail] = _mails(reader)
    assert f"{PUBLIC}/forum/post/" in mail.body and "localhost" not in mail.body and "evil" not in mail.body


def test_a_post_notified_outside_a_request_leaves_immediate_mail_to_the_digest(app, make_user):
    seed()
    author, follower = make_user(), make_user()
    topic = topic_with_replies(forum("general"), author, "Imported")
    notifications.subscribe(follower.id, topic=topic, email_mode="immediate")
    db.session.commit()
    post_id = services.reply(topic, author, "written by a command", "en").id  # forum mail still off
    db.session.execute(delete(Notification))
    db.session.commit()
    app.config.update(FORUM_EMAIL=True, SERVER_NAME=None)

    def as_a_command():  # no request, no address known: the notifications of the post again
        notifications.post_created(db.session.get(Post, post_id), [], new_topic=False)
        db.session.commit()

    _outside_requests(app, as_a_command)
    assert _mails(follower) == []
    state = db.session.scalar(select(Notification.email_state).where(Notification.user_id == follower.id))
    assert state == "digest"


# -- the scheduler -----------------------------------------------------------------------

def test_digest_goes_out_when_due_and_not_again_that_day(make_app, make_user):
    app = make_app(FORUM_EMAIL=True, PUBLIC_URL="https://hub.example.org", DIGEST_HOUR=7)
    author, reader, topic = _waiting_digest(make_user)
    assert _check(app, datetime(2026, 3, 2, 6, 59, tzinfo=timezone.utc)) == "not due"
    assert _mails(reader) == []
    assert _check(app, datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)) == "ran"
    [first] = _mails(reader)
    assert "News for the digest" in first.body and "https://hub.example.org/forum/post/" in first.body
    services.reply(topic, author, "Later that morning", "en")
    db.session.commit()
    assert _check(app, datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)) == "settled"
    other_process = make_app(FORUM_EMAIL=True, PUBLIC_URL="https://hub.example.org", DIGEST_HOUR=7)
    assert _check(other_process, datetime(2026, 3, 2, 23, 59, tzinfo=timezone.utc)) == "taken"
    assert len(_mails(reader)) == 1
    assert _check(app, datetime(2026, 3, 3, 7, 5, tzinfo=timezone.utc)) == "ran"
    mails = _mails(reader)
    assert len(mails) == 2 and "Later that morning" in mails[1].body and "News for the digest" not in mails[1].body


def test_the_digest_hour_is_in_the_sites_time_zone(make_app):
    app = make_app(DIGEST_HOUR=7, BABEL_DEFAULT_TIMEZONE="Europe/Copenhagen")
    job = _job(app)
    assert schedule.due_date(app, job, datetime(2026, 1, 15, 5, 59, tzinfo=timezone.utc)) is None  # 06:59 there
    assert str(schedule.due_date(app, job, datetime(2026, 1, 15, 6, 0, tzinfo=timezone.utc))) == "2026-01-15"
    assert str(schedule.due_date(app, job, datetime(2026, 1, 15, 22, 59, tzinfo=timezone.utc))) == "2026-01-15"
    assert schedule.due_date(app, job, datetime(2026, 1, 15, 23, 30, tzinfo=timezone.utc)) is None  # 00:30 there


def test_two_processes_claiming_the_same_digest_send_it_once(make_app, make_user):
    first = make_app(FORUM_EMAIL=True, PUBLIC_URL="https://hub.example.org")
    second = make_app(FORUM_EMAIL=True, PUBLIC_URL="https://hub.example.org")
    _author, reader, _topic = _waiting_digest(make_user)
    db.session.commit()  # the test's own transaction must not hold the write lock
    when = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    results: list[str] = []
    start = threading.Barrier(2)

    def poll(app):
        start.wait()
        results.append(_check(app, when))

    threads = [threading.Thread(target=poll, args=(app,)) for app in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == ["ran", "taken"]
    assert len(_mails(reader)) == 1
    assert _check(first, when) == "settled" and _check(make_app(FORUM_EMAIL=True), when) == "taken"


def test_the_digest_claim_is_one_row_per_day(app):
    day = datetime(2026, 3, 2, tzinfo=timezone.utc).date()
    assert schedule.claim("forum-digest", day) is True
    assert schedule.claim("forum-digest", day) is False  # the same transaction, or any other
    db.session.commit()
    assert schedule.claim("forum-digest", day) is False
    assert schedule.claim("forum-digest", day.replace(day=3)) is True
    db.session.rollback()
    assert schedule.claim("forum-digest", day.replace(day=3)) is True  # a rolled-back claim is no claim


def test_the_command_counts_as_todays_digest(app, runner, make_user):
    app.config.update(FORUM_EMAIL=True, PUBLIC_URL="https://hub.example.org", DIGEST_HOUR=0)
    _author, reader, _topic = _waiting_digest(make_user)
    result = runner.invoke(args=["forum", "send-digests"])
    assert result.exit_code == 0 and "1 mails" in result.output
    assert schedule.run_if_due(app, _job(app)) == "taken"
    assert len(_mails(reader)) == 1


def test_no_claim_while_forum_mail_is_off(app, make_user):
    _waiting_digest(make_user)
    app.config["FORUM_EMAIL"] = "auto"  # and no MAIL_SERVER
    assert schedule.run_if_due(app, _job(app), datetime(2026, 3, 2, 9, tzinfo=timezone.utc)) == "inactive"
    assert schedule.claim(digests.JOB, datetime(2026, 3, 2).date()) is True  # nothing was claimed
    db.session.rollback()


def test_serve_warns_without_a_public_url(make_app):
    from hub.server import public_url_warning

    assert "Warning: HUB_PUBLIC_URL is not set" in public_url_warning(make_app(HUB_ENV="production"))
    assert "Note: HUB_PUBLIC_URL is not set" in public_url_warning(make_app())
    assert public_url_warning(make_app(PUBLIC_URL="https://hub.example.org")) is None

