"""Timed suspension: a moderator or administrator suspends a member until a day, with
a reason. The member still reads, cannot write, sees why and until when; it ends by
itself, and the users page shows and lifts it. A deactivated member's posts stay."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.accounts import suspension
from hub.extensions import db
from hub.forum.models import ModerationLog, Notification
from hub.templating import format_day
from tests.web.forum_helpers import forum, login_as, new_topic, posts_of, reply, seed, text, topic_with_replies


@pytest.fixture
def scene(make_user):
    seed()
    member = make_user(display_name="Kim Larsen")
    topic = topic_with_replies(forum("general"), member, "Placements", replies=[(member, "My own reply")])
    return member, topic


def _suspend(client, member, days: int = 7, reason: str = "Repeated personal attacks"):
    until = suspension.today() + timedelta(days=days)
    return client.post(f"/forum/members/{member.id}/suspend", data={"until": until.isoformat(), "reason": reason})


def test_a_suspended_member_reads_but_cannot_write(app, client, make_user, scene):
    member, topic = scene
    moderator = make_user("moderator")
    login_as(client, moderator)
    form = text(client.get(f"/forum/members/{member.id}"))
    assert f"/forum/members/{member.id}/suspend" in form
    response = _suspend(client, member)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/forum/members/{member.id}")
    db.session.refresh(member)
    until = suspension.today() + timedelta(days=7)
    assert member.suspended_until == until and member.suspension_reason == "Repeated personal attacks"
    assert "Suspended until" in text(client.get(f"/forum/members/{member.id}"))

    login_as(client, member)  # logging in still works
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert f"You cannot post in the forum until {format_day(until)}." in page
    assert "Repeated personal attacks" in page and "Your reply" not in page and "data-quote" not in page
    assert ">Edit<" not in page
    assert reply(client, topic.id, "Still here").status_code == 403
    assert new_topic(client, "general", "New one", "Body").status_code == 403
    own = posts_of(topic.id)[1]
    assert client.get(f"/forum/post/{own.id}/edit").status_code == 403
    assert "New topic" not in text(client.get("/forum/f/general"))
    assert client.get("/forum/").status_code == 200
    note = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert note is not None and format_day(until) in note.text and "Repeated personal attacks" in note.text
    assert [e.action for e in db.session.scalars(select(ModerationLog))] == ["suspend"]


def test_the_suspension_ends_by_itself(app, client, make_user, scene):
    member, topic = scene
    member.suspended_until, member.suspension_reason = suspension.today(), "Over today"
    db.session.commit()
    assert not suspension.is_suspended(member)
    login_as(client, member)
    assert "You cannot post" not in text(client.get("/forum/"))
    assert reply(client, topic.id, "Back again").status_code == 302
    member.suspended_until = suspension.today() + timedelta(days=1)
    db.session.commit()
    assert suspension.is_suspended(member)
    assert reply(client, topic.id, "One day more").status_code == 403


def test_the_users_page_shows_and_lifts_a_suspension(app, client, make_user, scene):
    member, topic = scene
    admin = make_user("admin")
    login_as(client, admin)
    _suspend(client, member, days=3, reason="Cooling off")
    users = text(client.get("/admin/users"))
    until = suspension.today() + timedelta(days=3)
    assert f"Suspended from the forum until {format_day(until)}" in users and "Cooling off" in users
    response = client.post(f"/forum/members/{member.id}/suspension/lift", data={"next": "/admin/users"})
    assert response.headers["Location"].endswith("/admin/users")
    assert "Suspended from the forum" not in text(client.get("/admin/users"))
    db.session.refresh(member)
    assert member.suspended_until is None and member.suspension_reason == ""
    login_as(client, member)
    assert reply(client, topic.id, "Thank you").status_code == 302
    assert [e.action for e in db.session.scalars(select(ModerationLog).order_by(ModerationLog.id))] == [
        "suspend", "lift_suspension"]


def test_suspension_needs_a_later_day_and_a_reason(app, client, make_user, scene):
    member, _topic = scene
    login_as(client, make_user("moderator"))
    for days, reason, message in ((0, "Spam", "Choose a day after today."), (-3, "Spam", "Choose a day after today."),
                                  (5, "   ", "Say why: the member sees the reason.")):
        response = _suspend(client, member, days=days, reason=reason)
        assert response.status_code == 200 and message in text(response)
    response = client.post(f"/forum/members/{member.id}/suspend", data={"until": "next week", "reason": "x"})
    assert response.status_code == 200 and "Choose the day the suspension ends." in text(response)
    response = client.post(f"/forum/members/{member.id}/suspend", data={"until": "2099-01-01", "reason": "x" * 301})
    assert response.status_code == 200
    db.session.refresh(member)
    assert member.suspended_until is None


def test_who_may_suspend_whom(app, client, make_user):
    learner, trainer, moderator, other_moderator, admin = (make_user(), make_user("trainer"), make_user("moderator"),
                                                           make_user("moderator"), make_user("admin"))
    login_as(client, moderator)
    assert client.get(f"/forum/members/{trainer.id}/suspend").status_code == 200
    for target in (moderator, other_moderator, admin):
        assert client.get(f"/forum/members/{target.id}/suspend").status_code == 403
    assert client.get("/forum/members/999999/suspend").status_code == 404
    login_as(client, admin)
    assert _suspend(client, other_moderator).status_code == 302
    assert client.get(f"/forum/members/{admin.id}/suspend").status_code == 403
    login_as(client, learner)
    assert client.get(f"/forum/members/{trainer.id}/suspend").status_code == 403
    assert client.post(f"/forum/members/{other_moderator.id}/suspension/lift").status_code == 403
    db.session.refresh(other_moderator)
    assert suspension.is_suspended(other_moderator)


def test_a_deactivated_members_posts_stay(app, client, make_user, scene):
    member, topic = scene
    login_as(client, make_user("admin"))
    client.post(f"/admin/users/{member.id}/active")
    db.session.refresh(member)
    assert not member.active
    login_as(client, make_user())
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert "My own reply" in page and "Kim Larsen" in page and "Opening post of Placements" in page
    assert "Placements" in text(client.get("/forum/f/general"))
