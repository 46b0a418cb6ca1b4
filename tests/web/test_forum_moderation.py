"""Moderation: hidden posts per role, pin, lock, move, split, flags and the queue,
the audit log, and rate limits on posting."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.database import utcnow
from hub.extensions import db
from hub.forum.models import Flag, ModerationLog, Topic
from tests.web.forum_helpers import (
    forum,
    login_as,
    new_topic,
    posts_of,
    reply,
    seed,
    text,
    topic_id_from,
    topic_with_replies,
)


@pytest.fixture
def thread(app, make_user):
    seed()
    people = {"author": make_user(display_name="Author"), "member": make_user(display_name="Reader"),
              "moderator": make_user("moderator", display_name="Mod"), "spammer": make_user(display_name="Spammer")}
    topic = topic_with_replies(forum("general"), people["author"], "Job coaching tips",
                               replies=[(people["spammer"], "BUY CHEAP WATCHES"),
                                        (people["author"], "Use short goals")])
    return topic, people


@pytest.mark.parametrize("role", ["learner", "trainer"])
@pytest.mark.parametrize("path", ["/forum/moderation", "/forum/moderation/log"])
def test_moderation_pages_are_for_moderators(app, client, login, role, path):
    login(role)
    assert client.get(path).status_code == 403


def test_hidden_posts_per_role(client, thread):
    topic, people = thread
    spam = posts_of(topic.id)[1]
    login_as(client, people["member"])
    assert client.get(f"/forum/post/{spam.id}/hide").status_code == 403
    login_as(client, people["moderator"])
    response = client.post(f"/forum/post/{spam.id}/hide", data={"reason": "Advertising"})
    assert response.status_code == 302
    db.session.refresh(topic)
    assert topic.reply_count == 1 and forum("general").post_count == 2
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert "BUY CHEAP WATCHES" in page and "Hidden by a moderator" in page and "Members do not see this post" in page
    assert "Restore" in page
    login_as(client, people["member"])
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert "BUY CHEAP WATCHES" not in page and "Use short goals" in page
    assert client.get(f"/forum/post/{spam.id}").status_code == 404
    login_as(client, people["spammer"])  # the author still sees it, marked
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert "BUY CHEAP WATCHES" in page and "Only you and the moderators see this post" in page
    assert "Advertising" in page
    login_as(client, people["moderator"])
    client.post(f"/forum/post/{spam.id}/restore")
    login_as(client, people["member"])
    assert "BUY CHEAP WATCHES" in text(client.get(f"/forum/topic/{topic.id}"))
    db.session.refresh(topic)
    assert topic.reply_count == 2


def test_hiding_the_opening_post_hides_the_topic(client, thread):
    topic, people = thread
    opening = posts_of(topic.id)[0]
    login_as(client, people["moderator"])
    client.post(f"/forum/post/{opening.id}/hide", data={"reason": "Identifies a client"})
    assert "Job coaching tips" in text(client.get("/forum/f/general"))
    assert forum("general").topic_count == 0 and forum("general").post_count == 0
    login_as(client, people["member"])
    assert "Job coaching tips" not in text(client.get("/forum/f/general"))
    assert client.get(f"/forum/topic/{topic.id}").status_code == 403
    login_as(client, people["author"])
    assert client.get(f"/forum/topic/{topic.id}").status_code == 200


def test_pin_and_lock(client, thread, make_user):
    topic, people = thread
    topic_with_replies(forum("general"), people["member"], "A newer topic")
    login_as(client, people["member"])
    assert client.post(f"/forum/topic/{topic.id}/pin").status_code == 403
    listing = text(client.get("/forum/f/general"))
    assert listing.index("A newer topic") < listing.index("Job coaching tips")
    login_as(client, people["moderator"])
    client.post(f"/forum/topic/{topic.id}/pin")
    client.post(f"/forum/topic/{topic.id}/lock")
    listing = text(client.get("/forum/f/general"))
    assert listing.index("Job coaching tips") < listing.index("A newer topic")
    login_as(client, people["member"])
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert "This topic is locked" in page and 'id="reply-form"' not in page
    assert reply(client, topic.id, "Can I still reply?").status_code == 403
    login_as(client, people["moderator"])
    assert reply(client, topic.id, "Moderators can").status_code == 302


def test_move_updates_both_forums(client, thread):
    topic, people = thread
    login_as(client, people["moderator"])
    target = forum("case-discussions")
    assert client.get(f"/forum/topic/{topic.id}/move").status_code == 200
    response = client.post(f"/forum/topic/{topic.id}/move", data={"forum": str(target.id)})
    assert response.status_code == 302
    db.session.refresh(topic)
    assert topic.forum_id == target.id
    general, target = forum("general"), forum("case-discussions")
    assert (general.topic_count, general.post_count, general.last_post_id) == (0, 0, None)
    assert (target.topic_count, target.post_count) == (1, 3)
    assert target.last_post_id == posts_of(topic.id)[-1].id
    again = client.post(f"/forum/topic/{topic.id}/move", data={"forum": str(target.id)})
    assert "already in this forum" in text(again)


def test_split_moves_replies_into_a_new_topic(client, thread):
    topic, people = thread
    replies = posts_of(topic.id)[1:]
    login_as(client, people["moderator"])
    page = text(client.get(f"/forum/topic/{topic.id}/split?from=2"))
    assert "BUY CHEAP WATCHES" in page
    refused = client.post(f"/forum/topic/{topic.id}/split", data={
        "title": "Watches", "forum": str(forum("general").id), "posts": [str(posts_of(topic.id)[0].id)]})
    assert refused.status_code == 200
    response = client.post(f"/forum/topic/{topic.id}/split", data={
        "title": "Spam split off", "forum": str(forum("general").id), "posts": [str(replies[0].id)]})
    assert response.status_code == 302
    new_id = topic_id_from(response)
    new = db.session.get(Topic, new_id)
    moved = posts_of(new_id)
    assert [p.id for p in moved] == [replies[0].id] and moved[0].position == 1
    assert new.user_id == people["spammer"].id and new.reply_count == 0
    db.session.refresh(topic)
    assert [p.body_md for p in posts_of(topic.id)] == ["Opening post of Job coaching tips", "Use short goals"]
    assert topic.reply_count == 1
    general = forum("general")
    assert (general.topic_count, general.post_count) == (2, 3)
    assert "Spam split off" in text(client.get(f"/forum/topic/{new_id}"))


def test_flags_wait_in_the_queue(client, thread):
    topic, people = thread
    spam, good = posts_of(topic.id)[1:]
    login_as(client, people["author"])
    assert client.get(f"/forum/post/{spam.id}/flag").status_code == 200
    response = client.post(f"/forum/post/{spam.id}/flag", data={"reason": "spam", "details": "Ads again"})
    assert response.status_code == 302
    again = client.post(f"/forum/post/{spam.id}/flag", data={"reason": "spam"}, follow_redirects=True)
    assert "already flagged" in text(again)
    assert client.post(f"/forum/post/{good.id}/flag", data={"reason": "spam"}).status_code == 403  # own post
    login_as(client, people["member"])
    client.post(f"/forum/post/{spam.id}/flag", data={"reason": "offensive"})
    client.post(f"/forum/post/{good.id}/flag", data={"reason": "other", "details": "Just testing"})
    login_as(client, people["moderator"])
    assert "2 flagged posts" in text(client.get("/forum/"))
    queue = text(client.get("/forum/moderation"))
    assert "BUY CHEAP WATCHES" in queue and "Ads again" in queue and "Spam or advertising" in queue
    assert "Use short goals" in queue and "Just testing" in queue
    client.post(f"/forum/post/{spam.id}/hide", data={"reason": "spam", "back": "queue"})
    client.post(f"/forum/post/{good.id}/dismiss-flags")
    assert "No flagged posts" in text(client.get("/forum/moderation"))
    resolutions = dict(db.session.execute(select(Flag.post_id, Flag.resolution)).all())
    assert resolutions == {spam.id: "hidden", good.id: "dismissed"}
    assert db.session.scalar(select(func.count(Flag.id)).where(Flag.resolved_at.is_(None))) == 0


def test_every_moderation_action_is_logged(client, thread):
    topic, people = thread
    spam = posts_of(topic.id)[1]
    login_as(client, people["moderator"])
    client.post(f"/forum/topic/{topic.id}/pin")
    client.post(f"/forum/topic/{topic.id}/lock")
    client.post(f"/forum/topic/{topic.id}/lock")
    client.post(f"/forum/post/{spam.id}/hide", data={"reason": "Ads"})
    client.post(f"/forum/post/{spam.id}/restore")
    client.post(f"/forum/topic/{topic.id}/move", data={"forum": str(forum("spain").id)})
    actions = list(db.session.scalars(select(ModerationLog.action).order_by(ModerationLog.id)))
    assert actions == ["pin", "lock", "unlock", "hide", "restore", "move"]
    assert set(db.session.scalars(select(ModerationLog.actor_id))) == {people["moderator"].id}
    log = text(client.get("/forum/moderation/log"))
    assert "Mod" in log and "Hid a post" in log and "Ads" in log and "Moved" in log


def _user(email: str, days_old: int):
    from tests.factories import make_member
    return make_member(email=email, display_name=email.split("@")[0], created_at=utcnow() - timedelta(days=days_old))


def test_posting_is_rate_limited_more_strictly_for_new_accounts(make_app):
    app = make_app(RATELIMIT_ENABLED=True, FORUM_POST_RATE_LIMIT="4 per minute",
                   FORUM_NEW_MEMBER_RATE_LIMIT="2 per minute", FORUM_NEW_MEMBER_DAYS=7)
    with app.test_request_context():
        seed()
        newcomer, regular = _user("new@example.org", 1), _user("old@example.org", 60)
        topic = topic_with_replies(forum("general"), regular)
        client = app.test_client()
        login_as(client, newcomer)
        assert new_topic(client, "general", "Preview only", "x", post="", preview="1").status_code == 200
        assert reply(client, topic.id, "one").status_code == 302
        assert reply(client, topic.id, "two").status_code == 302
        blocked = reply(client, topic.id, "three, kept for later")
        assert blocked.status_code == 429 and "faster than the forum allows" in text(blocked)
        assert "three, kept for later" in text(blocked)  # the text comes back
        login_as(client, regular)
        for n in range(4):
            assert reply(client, topic.id, f"regular {n}").status_code == 302
        assert reply(client, topic.id, "regular 5").status_code == 429
        assert len(posts_of(topic.id)) == 7
