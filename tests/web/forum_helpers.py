"""Shared helpers for the forum tests: seeded forums, topics written through the
services (fast) or through HTTP (as a member would)."""
from __future__ import annotations

import re

from sqlalchemy import select

from hub.extensions import db
from hub.forum import services, structure
from hub.forum.models import Forum, Post, Topic
from tests import factories


def seed() -> None:
    structure.seed_defaults()
    db.session.commit()


def forum(slug: str) -> Forum:
    found = db.session.scalar(select(Forum).where(Forum.slug == slug))
    assert found is not None, slug
    return found


def topic_with_replies(forum_obj: Forum, author, title: str = "A topic", replies: list | None = None) -> Topic:
    """``replies``: [(user, body), ...] written after the opening post, committed."""
    post = services.create_topic(forum_obj, author, title, f"Opening post of {title}", "en")
    topic = post.topic
    for user, body in replies or []:
        services.reply(topic, user, body, "en")
    db.session.commit()
    return db.session.get(Topic, topic.id)


def posts_of(topic_id: int) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.topic_id == topic_id).order_by(Post.position)))


def new_topic(client, slug: str, title: str, body: str, **extra):
    data = {"title": title, "body": body, "language": "en", "post": "1"}
    data.update(extra)
    return client.post(f"/forum/f/{slug}/new", data=data, content_type="multipart/form-data")


def reply(client, topic_id: int, body: str, **extra):
    data = {"body": body, "language": "en", "post": "1"}
    data.update(extra)
    return client.post(f"/forum/topic/{topic_id}/reply", data=data, content_type="multipart/form-data")


def topic_id_from(response) -> int:
    match = re.search(r"/forum/topic/(\d+)", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


def text(response) -> str:
    return response.get_data(as_text=True)


def make_course(slug: str = "course-a", *, enrolled=(), trainers=(), unenrolled=()):
    return factories.make_course(slug, enrolled=enrolled, trainers=trainers, unenrolled=unenrolled)


def make_forum(slug: str, kind: str = "standard", **fields) -> Forum:
    created = structure.save_forum(None, title=fields.pop("title", slug.title()), slug=slug, description="",
                                   category_id=None, kind=kind, case_discussion=fields.pop("case_discussion", False),
                                   qa_post_first=fields.pop("qa_post_first", True))
    db.session.commit()
    return created


def login_as(client, user):
    from tests.conftest import TEST_PASSWORD
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.data[:300]
    return user
