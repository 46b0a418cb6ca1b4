"""The forum index, topic lists and thread pages run a fixed number of SQL queries,
whatever the number of forums, topics, posts, authors and attachments."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.extensions import db
from hub.forum import moderation, notifications, services, structure
from hub.forum.attachments import Upload
from hub.forum.models import HelpfulMark, Notification
from hub.mail import OutboxMessage
from tests.querycount import counted
from tests.web.forum_helpers import forum, login_as, make_course, make_forum, posts_of, seed, topic_with_replies

BOUND = 16  # per page, login and the header's bell included


def _measure(client, paths: dict[str, str]) -> dict[str, int]:
    result = {}
    for name, path in paths.items():
        client.get(path)  # warm up: read markers and lazily made forums exist afterwards
        with counted() as statements:
            response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        result[name] = len(statements)
    return result


def _grow(reader, big_topic, qa_topic, course_forum, people):
    """Many forums' worth of topics, long threads, authors, files, marks, flags."""
    png = Upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png", "x.png")
    for n in range(40):
        topic = topic_with_replies(forum(("general", "spain", "italy", "denmark")[n % 4]), people[n % len(people)],
                                   f"Extra topic {n}", replies=[(people[(n + k) % len(people)], f"reply {k}")
                                                                for k in range(3)])
        if n % 3 == 0:
            topic.pinned = True
    for n in range(60):
        author = people[n % len(people)]
        post = services.reply(big_topic, author, f"Long thread reply {n} @[{people[(n + 1) % len(people)].display_name}]",
                              ("en", "da", "es")[n % 3], uploads=[png] if n % 5 == 0 else [])
        if n % 4 == 0:
            db.session.add(HelpfulMark(post_id=post.id, user_id=reader.id))
        if n % 7 == 0:
            moderation.flag_post(post, reader, "spam", "")
        if n % 11 == 0:
            services.edit_post(post, author, post.body_md + " (edited)", post.language)
    for n in range(30):
        services.reply(qa_topic, people[n % len(people)], f"QA answer {n}", "en")
    for n in range(20):
        topic_with_replies(course_forum, people[n % len(people)], f"Course topic {n}",
                           replies=[(people[0], "course reply")])
    notifications.subscribe(reader.id, topic=big_topic)
    db.session.commit()
    for post in posts_of(big_topic.id)[5:60:9]:
        moderation.hide_post(post, people[-1], "check")
    db.session.commit()


@pytest.mark.parametrize("role", ["learner", "moderator"])
def test_pages_run_a_bounded_number_of_queries(app, client, make_user, role):
    seed()
    people = [make_user(display_name=f"Writer {n}") for n in range(12)] + [make_user("moderator")]
    reader = make_user(role)
    course = make_course("measured", enrolled=[reader, *people])
    course_forum = structure.course_forum(course)
    qa = make_forum("exercise", "qa")
    big_topic = topic_with_replies(forum("general"), people[0], "The long thread", replies=[(people[1], "first")])
    qa_topic = topic_with_replies(qa, people[0], "A question", replies=[(people[1], "an answer")])
    topic_with_replies(course_forum, people[0], "Course hello")
    login_as(client, reader)
    paths = {"index": "/forum/", "topics": "/forum/f/general", "thread": f"/forum/topic/{big_topic.id}",
             "thread, last page": f"/forum/topic/{big_topic.id}?page=2", "qa thread": f"/forum/topic/{qa_topic.id}",
             "course forum": f"/forum/f/{course_forum.slug}", "notifications": "/forum/notifications"}
    paths_small = dict(paths, **{"thread, last page": f"/forum/topic/{big_topic.id}"})
    small = _measure(client, paths_small)
    _grow(reader, big_topic, qa_topic, course_forum, people)
    large = _measure(client, paths)
    assert large == small
    assert max(large.values()) <= BOUND, large
    if role == "moderator":
        queue = {"queue": "/forum/moderation"}
        assert _measure(client, queue)["queue"] <= BOUND


def _reply_statements(app, client, author, topic, count: int) -> int:
    login_as(client, author)
    with counted() as statements:
        response = client.post(f"/forum/topic/{topic.id}/reply",
                               data={"body": f"Reply number {count}", "language": "en", "post": "1"},
                               content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return len(statements)


def test_a_reply_costs_the_same_statements_for_3_or_60_subscribers(app, client, make_user):
    """Notification rows go in one INSERT; members without a settings row cost nothing."""
    app.config["FORUM_EMAIL"] = True
    seed()
    author = make_user(display_name="Replying member")
    topic = topic_with_replies(forum("general"), make_user(), "Followed by many")

    def followers(n: int, start: int) -> None:
        for k in range(start, start + n):
            member = make_user(display_name=f"Follower {k}")
            notifications.subscribe(member.id, topic=topic)
            if k % 3 == 0:  # some chose immediate mail, the rest keep the defaults (no settings row)
                notifications.save_settings(member.id, email_enabled=True, email_mode="immediate",
                                            auto_subscribe=True)
                notifications.subscribe(member.id, topic=topic, email_mode="immediate")
        db.session.commit()

    followers(3, 0)
    _reply_statements(app, client, author, topic, 0)  # the author follows the topic from here on
    few = _reply_statements(app, client, author, topic, 1)
    followers(57, 3)
    many = _reply_statements(app, client, author, topic, 2)
    assert many == few, (few, many)
    latest = db.session.scalar(select(func.max(Notification.post_id)))
    assert db.session.scalar(select(func.count()).where(Notification.post_id == latest)) == 61  # and the starter
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 20 + 1 + 1  # immediate ones
