"""What the search index may take from the forum, and the check its results need.

``documents()`` yields posts in the indexer's document shape (see
``hub.search.indexer.SCHEMA``): visible, not deleted posts of visible topics; course
forum posts carry the course slug. Because Q&A forums and course forums depend on
the reader, search results must pass ``can_read(user, post_id)`` before showing."""
from __future__ import annotations

from collections.abc import Iterator

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..markdown import plain_text
from ..permissions import can
from .models import Forum, Post, Topic
from .queries import can_see_post


def document(post: Post) -> dict:
    topic, forum = post.topic, post.topic.forum
    return dict(key=f"forum_post:{post.id}", doc_type="forum_post", language=post.language,
                course=forum.course.slug if forum.course is not None else "",
                title=topic.title, body=plain_text(post.body_html),
                url=url_for("forum.permalink", post_id=post.id))


def documents(batch: int = 500) -> Iterator[dict]:
    stmt = (select(Post).join(Topic, Post.topic_id == Topic.id)
            .where(Post.hidden_at.is_(None), Post.deleted_at.is_(None), Topic.hidden.is_(False))
            .options(joinedload(Post.topic).joinedload(Topic.forum).joinedload(Forum.course))
            .order_by(Post.id).execution_options(yield_per=batch))
    for post in db.session.scalars(stmt):
        yield document(post)


def can_read(user, post_id: int) -> bool:
    post = db.session.get(Post, post_id)
    return (post is not None and post.is_visible and can(user, "forum.view_topic", post.topic)
            and can_see_post(user, post))
