"""The forum blueprint and what its view modules share: the lookups that 404 (with
the eager loading the pages need), permalink URLs, the upload limit for forms, and
the template helpers other features' pages use. View modules import from here and
never from each other; ``hub.forum.init_app`` attaches them and registers ``bp``."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts import suspension
from ..extensions import db
from ..permissions import can, is_member
from ..uploads import megabytes
from . import notifications, queries, structure
from .models import Forum, Post, Topic
from .services import count_posts_in_course

bp = Blueprint("forum", __name__, url_prefix="/forum")


def forum_or_404(slug: str) -> Forum:
    forum = db.session.scalar(select(Forum).where(Forum.slug == slug).options(joinedload(Forum.course)))
    if forum is None:
        abort(404)
    return forum


def topic_or_404(topic_id: int) -> Topic:
    topic = db.session.scalar(select(Topic).where(Topic.id == topic_id)
                              .options(joinedload(Topic.forum).joinedload(Forum.course)))
    if topic is None:
        abort(404)
    return topic


def post_or_404(post_id: int) -> Post:
    post = db.session.scalar(select(Post).where(Post.id == post_id).options(
        joinedload(Post.topic).joinedload(Topic.forum).joinedload(Forum.course), joinedload(Post.author)))
    if post is None:
        abort(404)
    return post


def post_url(post: Post) -> str:
    """Thread page and anchor of ``post`` for the current member."""
    page = queries.page_of(current_user, post)
    return url_for("forum.topic", topic_id=post.topic_id, page=page if page > 1 else None, _anchor=f"post-{post.id}")


def max_upload_mb() -> str:
    return megabytes(current_app.config["FORUM_ATTACHMENT_MAX_BYTES"])


def template_helpers() -> dict:
    """Context processor (every page of the app): the notification bell and the
    course page's link to its forum."""

    def notification_count() -> int:
        return notifications.unread_count(current_user.id) if is_member(current_user) else 0

    def course_forum_summary(course) -> dict:
        """For ``forum/_course_forum_link.html`` on the course page."""
        forum = structure.course_forum(course, create=False)
        mine = 0
        if forum is not None and is_member(current_user):
            mine = count_posts_in_course(current_user.id, course.id)
        allowed = can(current_user, "forum.view_course", course)
        return {"forum": forum, "allowed": allowed, "posts": forum.post_count if forum else 0,
                "topics": forum.topic_count if forum else 0, "mine": mine,
                "url": url_for("forum.course_forum", slug=course.slug)}

    def member_suspension(user):
        """(until, reason) while ``user`` is suspended from writing, else None."""
        return suspension.active_suspension(user) if is_member(user) else None

    return {"forum_notification_count": notification_count, "course_forum_summary": course_forum_summary,
            "member_suspension": member_suspension}
