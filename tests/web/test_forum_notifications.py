"""Subscriptions, in-app notifications with the bell, forum mail immediately or as
a daily digest, and the one-click unsubscribe link."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from hub.extensions import db
from hub.forum import notifications, services
from hub.forum.models import MemberSettings, Notification, Subscription
from hub.mail import OutboxMessage
from tests.web.forum_helpers import (
    forum,
    login_as,
    make_course,
    make_forum,
    new_topic,
    posts_of,
    reply,
    seed,
    text,
    topic_id_from,
    topic_with_replies,
)


def _mails(to=None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if to is not None:
        stmt = stmt.where(OutboxMessage.recipient == to.email)
    return list(db.session.scalars(stmt))


def test_topic_subscription_notifies_with_bell_and_page(app, client, make_user):
    seed()
    author, follower, stranger = make_user(display_name="Author"), make_user(), make_user()
    topic = topic_with_replies(forum("general"), author, "Mentoring refugees")
    login_as(client, follower)
    assert "Notifications: " not in text(client.get("/"))
    client.post(f"/forum/topic/{topic.id}/subscription", data={"action": "subscribe", "email_mode": "off"})
    login_as(client, author)
    reply(client, topic.id, "An update on mentoring")
    login_as(client, follower)
    home = text(client.get("/"))
    assert "Notifications: 1 unread" in home and 'class="bell-count"' in home
    page = text(client.get("/forum/notifications"))
    assert "Author replied in “Mentoring refugees”" in page
    note = db.session.scalar(select(Notification).where(Notification.user_id == follower.id))
    opened = client.get(f"/forum/notifications/{note.id}")
    assert opened.headers["Location"].endswith(f"/forum/post/{note.post_id}")
    db.session.refresh(note)
    assert note.read_at is not None
    assert "Notifications: " not in text(client.get("/"))
    login_as(client, stranger)
    assert client.get(f"/forum/notifications/{note.id}").status_code == 404
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == stranger.id)) == 0


def test_authors_follow_their_topics_unless_they_opt_out(app, client, make_user):
    seed()
    starter, quiet, other = make_user(), make_user(), make_user()
    login_as(client, quiet)
    client.post("/forum/settings", data={"email_mode": "digest"})  # auto-subscribe unticked
    assert not notifications.settings_for(quiet.id).auto_subscribe
    login_as(client, starter)
    tid = topic_id_from(new_topic(client, "general", "Started", "by me"))
    login_as(client, quiet)
    reply(client, tid, "a quiet reply")
    login_as(client, other)
    reply(client, tid, "another reply")
    notified = set(db.session.scalars(select(Notification.user_id).where(Notification.topic_id == tid)))
    assert starter.id in notified and quiet.id not in notified


def test_forum_subscription_and_mark_all_read(app, client, make_user):
    seed()
    watcher, writer = make_user(), make_user(display_name="Writer")
    login_as(client, watcher)
    client.post("/forum/f/spain/subscription", data={"action": "subscribe", "email_mode": "off"})
    assert "Unsubscribe" in text(client.get("/forum/f/spain"))
    topic = topic_with_replies(forum("spain"), writer, "Hola", replies=[(writer, "más")])
    kinds = sorted(db.session.scalars(select(Notification.kind).where(Notification.user_id == watcher.id)))
    assert kinds == ["new_post", "new_topic"]
    page = text(client.get("/forum/notifications"))
    assert "Writer started “Hola” in Spain" in page and "Writer posted in “Hola”" in page
    client.post("/forum/notifications/read")
    assert "Notifications: " not in text(client.get("/"))
    client.post("/forum/f/spain/subscription", data={"action": "unsubscribe", "email_mode": "digest"})
    services.reply(topic, writer, "again", "en")
    db.session.commit()
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == watcher.id)) == 2


def test_immediate_mail_with_unsubscribe_link(app, client, make_user):
    seed()
    app.config["FORUM_EMAIL"] = True
    app.config["PUBLIC_URL"] = "https://hub.example.org"
    author, follower = make_user(display_name="Author"), make_user(language="es")
    topic = topic_with_replies(forum("general"), author, "Trabajo")
    login_as(client, follower)
    client.post(f"/forum/topic/{topic.id}/subscription", data={"action": "subscribe", "email_mode": "immediate"})
    login_as(client, author)
    reply(client, topic.id, "A **useful** reply")
    mails = _mails(follower)
    assert len(mails) == 1
    mail = mails[0]
    post = posts_of(topic.id)[-1]
    assert "Trabajo" in mail.subject and "A useful reply" in mail.body
    assert f"https://hub.example.org/forum/post/{post.id}" in mail.body
    link = re.search(r"https://hub\.example\.org(/forum/unsubscribe/\S+)", mail.body).group(1)
    note = db.session.scalar(select(Notification).where(Notification.user_id == follower.id))
    assert note.email_state == "sent"
    # one click, no login needed
    client.post("/logout")
    page = client.get(link)
    assert page.status_code == 200 and "no longer receive mail" in text(page)
    assert db.session.scalar(select(Subscription).where(Subscription.user_id == follower.id)) is None
    undone = client.post(link)
    assert undone.status_code == 200 and "again" in text(undone)
    assert db.session.scalar(select(Subscription).where(Subscription.user_id == follower.id)) is not None
    assert client.get(link[:-3] + "xyz").status_code == 404


def test_no_mail_unless_configured_or_wanted(app, client, make_user):
    seed()
    author, follower, silent = make_user(), make_user(), make_user()
    topic = topic_with_replies(forum("general"), author)
    for user in (follower, silent):
        notifications.subscribe(user.id, topic=topic, email_mode="immediate")
    db.session.add(MemberSettings(user_id=silent.id, email_enabled=False, email_mode="immediate",
                                  auto_subscribe=True))
    db.session.commit()
    services.reply(topic, author, "no SMTP server configured: in-app only", "en")
    db.session.commit()
    assert _mails() == []  # FORUM_EMAIL="auto" and no MAIL_SERVER
    app.config["FORUM_EMAIL"] = True
    services.reply(topic, author, "now with mail", "en")
    db.session.commit()
    assert [m.recipient for m in _mails()] == [follower.email]


def test_daily_digest(app, runner, make_user):
    seed()
    app.config["FORUM_EMAIL"] = True
    author, digester, moderator = make_user(display_name="Author"), make_user(), make_user("moderator")
    topic = topic_with_replies(forum("general"), author, "Digest topic")
    notifications.subscribe(digester.id, topic=topic, email_mode="digest")
    db.session.commit()
    for body in ("First news", "Second news", "Hidden later"):
        services.reply(topic, author, body, "en")
    db.session.commit()
    assert _mails(digester) == []
    from hub.forum import moderation
    moderation.hide_post(posts_of(topic.id)[-1], moderator, "spam")
    db.session.commit()
    result = runner.invoke(args=["forum", "send-digests"])
    assert result.exit_code == 0 and "1 mails" in result.output and "2 posts" in result.output
    mails = _mails(digester)
    assert len(mails) == 1
    assert "First news" in mails[0].body and "Second news" in mails[0].body and "Hidden later" not in mails[0].body
    assert "/forum/unsubscribe/" in mails[0].body
    again = runner.invoke(args=["forum", "send-digests"])
    assert "0 mails" in again.output and len(_mails(digester)) == 1
    # the digest's link stops all forum mail
    link = re.search(r"(/forum/unsubscribe/\S+)", mails[0].body).group(1)
    app.test_client().get(link)
    assert notifications.settings_for(digester.id).email_enabled is False


def test_mentions_mail_by_the_members_setting(app, client, make_user):
    seed()
    app.config["FORUM_EMAIL"] = True
    target, writer = make_user(display_name="Lena Berg"), make_user()
    db.session.add(MemberSettings(user_id=target.id, email_enabled=True, email_mode="immediate", auto_subscribe=True))
    db.session.commit()
    login_as(client, writer)
    new_topic(client, "general", "Question for Lena", "What do you think, @[Lena Berg]?")
    mails = _mails(target)
    assert len(mails) == 1 and "mentioned you" in mails[0].subject


def test_notifications_respect_what_the_member_may_read(app, make_user):
    seed()
    learner, former, trainer, asker = make_user(), make_user(), make_user("trainer"), make_user()
    course = make_course("private", enrolled=[learner], unenrolled=[former])
    from hub.forum import structure
    course_forum = structure.course_forum(course)
    for user in (learner, former):
        notifications.subscribe(user.id, forum=course_forum)
    qa = make_forum("exercise", "qa")
    topic = topic_with_replies(qa, trainer, "Exercise")
    notifications.subscribe(asker.id, topic=topic)
    db.session.commit()
    topic_with_replies(course_forum, learner, "Course talk", replies=[(make_user(), "hello")])
    course_notes = set(db.session.scalars(select(Notification.user_id).join(Notification.topic)
                                          .where(Notification.topic_id != topic.id)))
    assert learner.id in course_notes and former.id not in course_notes
    services.reply(topic, make_user(), "An answer the asker has not earned yet", "en")
    db.session.commit()
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == asker.id)) == 0


def test_settings_change_a_subscription_mode_and_list_gone_posts(app, client, make_user):
    seed()
    app.config["FORUM_EMAIL"] = True  # with forum mail off, the page offers no email modes
    member, writer, moderator = make_user(), make_user(display_name="Writer"), make_user("moderator")
    topic = topic_with_replies(forum("general"), writer, "Followed")
    login_as(client, member)
    client.post(f"/forum/topic/{topic.id}/subscription", data={"action": "subscribe", "email_mode": "digest"})
    page = text(client.get("/forum/settings"))
    assert "Followed" in page and '<option value="digest" selected>' in page
    client.post(f"/forum/topic/{topic.id}/subscription",
                data={"action": "subscribe", "email_mode": "immediate", "next": "/forum/settings"})
    assert db.session.scalar(select(Subscription.email_mode).where(Subscription.user_id == member.id)) == "immediate"
    post = services.reply(topic, writer, "soon hidden", "en")
    db.session.commit()
    from hub.forum import moderation
    moderation.hide_post(post, moderator, "spam")
    db.session.commit()
    page = text(client.get("/forum/notifications"))
    assert "no longer available" in page and "/forum/notifications/" not in page.split('class="notifications"')[1]
