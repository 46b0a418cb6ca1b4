"""Who may do what in the forum. Every view and template asks ``can()`` with these
actions; the SQL filters in ``queries`` apply the same rules to lists."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, has_app_context
from sqlalchemy import select

from ..accounts.suspension import is_suspended
from ..courses.models import is_enrolled
from ..courses.services import is_course_trainer
from ..database import utcnow
from ..extensions import db
from ..permissions import ADMIN, MODERATOR, TRAINER, has_role, is_member, rule


def is_moderator(user) -> bool:
    return has_role(user, MODERATOR)


def _cache() -> dict:
    if not has_app_context():
        return {}
    if "_forum_perm_cache" not in g:
        g._forum_perm_cache = {}
    return g._forum_perm_cache


def is_participant(user, course) -> bool:
    """Active enrolment, a trainer of the course, a moderator or an administrator."""
    if not is_member(user) or course is None:
        return False
    if is_moderator(user) or is_course_trainer(user, course):
        return True
    cache = _cache()
    key = ("participant", user.id, course.id)
    if key not in cache:
        cache[key] = is_enrolled(user.id, course.id)
    return cache[key]


def is_forum_staff(user, forum) -> bool:
    """Trainers of the forum's audience: course trainers for a course forum, the
    trainer role for site-wide forums; moderators and administrators everywhere."""
    if is_moderator(user):
        return True
    if forum.course_id is not None:
        return is_course_trainer(user, forum.course)
    return has_role(user, TRAINER)


def sees_all_replies(user, topic) -> bool:
    """False for a learner in a Q&A forum who has not replied to this topic yet."""
    forum = topic.forum
    if not (forum.is_qa and forum.qa_post_first):
        return True
    if not is_member(user):
        return False
    if topic.user_id == user.id or is_forum_staff(user, forum):
        return True
    from .models import Post

    cache = _cache()
    key = ("replied", user.id, topic.id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(Post.id).where(Post.topic_id == topic.id, Post.user_id == user.id,
                                  Post.deleted_at.is_(None)).limit(1)) is not None
    return cache[key]


def edit_window() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("FORUM_EDIT_WINDOW_MINUTES", 30)))


@rule("forum.view")
def can_view_forum(user, forum) -> bool:
    if not is_member(user) or forum is None:
        return False
    if forum.course_id is None:
        return True
    return is_participant(user, forum.course)


@rule("forum.view_course")
def can_view_course_forum(user, course) -> bool:
    """The forum of ``course`` (which may not exist yet)."""
    return is_participant(user, course)


@rule("forum.start_topic")
def can_start_topic(user, forum) -> bool:
    if not can_view_forum(user, forum) or is_suspended(user):
        return False
    if forum.is_announcements:
        if forum.course_id is not None:
            return has_role(user, ADMIN) or (has_role(user, TRAINER) and is_course_trainer(user, forum.course))
        return has_role(user, TRAINER)
    return True


@rule("forum.view_topic")
def can_view_topic(user, topic) -> bool:
    if topic is None or not can_view_forum(user, topic.forum):
        return False
    return not topic.hidden or is_moderator(user) or topic.user_id == user.id


@rule("forum.reply")
def can_reply(user, topic) -> bool:
    if not can_view_topic(user, topic) or is_suspended(user):
        return False
    return not topic.locked or is_moderator(user)


@rule("forum.edit_post")
def can_edit_post(user, post) -> bool:
    if not is_member(user) or post is None or is_suspended(user):
        return False
    if is_moderator(user):
        return True
    if post.user_id != user.id or post.deleted_at is not None or post.hidden_at is not None:
        return False
    if post.topic.locked:
        return False
    return utcnow() - post.created_at <= edit_window()


@rule("forum.delete_post")
def can_delete_post(user, post) -> bool:
    return (is_member(user) and post is not None and post.user_id == user.id and post.deleted_at is None
            and can_view_topic(user, post.topic))


@rule("forum.history")
def can_see_history(user, post) -> bool:
    """Only the author and moderators: an edit may have removed client details."""
    return is_member(user) and post is not None and (post.user_id == user.id or is_moderator(user))


@rule("forum.helpful")
def can_mark_helpful(user, post) -> bool:
    return (is_member(user) and post is not None and post.user_id != user.id and post.is_visible
            and can_view_topic(user, post.topic))


@rule("forum.flag")
def can_flag(user, post) -> bool:
    return (is_member(user) and post is not None and post.user_id != user.id and post.is_visible
            and can_view_topic(user, post.topic))


@rule("forum.accept")
def can_accept(user, post) -> bool:
    """In Q&A forums the topic starter or a trainer picks the accepted answer."""
    if not is_member(user) or post is None:
        return False
    topic = post.topic
    if not topic.forum.is_qa or post.position <= 1 or not post.is_visible:
        return False
    return topic.user_id == user.id or is_forum_staff(user, topic.forum)


@rule("forum.moderate")
def can_moderate(user, obj=None) -> bool:
    return is_moderator(user)


@rule("forum.suspend")
def can_suspend(user, member) -> bool:
    """Moderators suspend learners and trainers; administrators also moderators.
    Nobody suspends themselves or an administrator."""
    if not is_moderator(user) or member is None or member.id == user.id or member.is_deleted:
        return False
    if member.role == ADMIN:
        return False
    return member.role != MODERATOR or has_role(user, ADMIN)


@rule("forum.manage")
def can_manage(user, obj=None) -> bool:
    return has_role(user, ADMIN)
