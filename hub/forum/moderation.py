"""Moderators' actions: pin, lock, move, split, hide and restore, the flag queue.
Every action writes a line to the audit log in the same transaction."""
from __future__ import annotations

from typing import Any, cast

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from ..accounts import suspension
from ..database import utcnow
from ..extensions import db
from ..templating import format_day
from . import notifications
from .models import Flag, Forum, ModerationLog, Post, Topic
from .services import ForumError, lock_rows, recount, recount_forum


def log(actor, action: str, *, forum_id=None, topic_id=None, post_id=None, detail: str = "",
        count: int | None = None) -> None:
    db.session.add(ModerationLog(actor_id=actor.id, action=action, forum_id=forum_id, topic_id=topic_id,
                                 post_id=post_id, detail=(detail or "")[:500], count=count))


def set_pinned(topic: Topic, actor, pinned: bool) -> None:
    topic.pinned = pinned
    log(actor, "pin" if pinned else "unpin", forum_id=topic.forum_id, topic_id=topic.id, detail=topic.title)


def set_locked(topic: Topic, actor, locked: bool) -> None:
    topic.locked = locked
    log(actor, "lock" if locked else "unlock", forum_id=topic.forum_id, topic_id=topic.id, detail=topic.title)


def move_topic(topic: Topic, target: Forum, actor) -> None:
    source = topic.forum
    if target.id == source.id:
        raise ForumError(_("The topic is already in this forum."))
    lock_rows([topic.id], [source.id, target.id])
    topic.forum_id = target.id
    db.session.flush()
    db.session.expire(topic, ["forum"])
    recount_forum(source)
    recount_forum(target)
    log(actor, "move", forum_id=target.id, topic_id=topic.id,
        detail=f"{topic.title}: {source.title} → {target.title}")


def split_topic(topic: Topic, post_ids: list[int], title: str, target: Forum, actor) -> Topic:
    """Move the chosen replies, in their order, into a new topic; the first of them
    opens it. The opening post of the original topic cannot move."""
    title = " ".join((title or "").split())
    if not title:
        raise ForumError(_("Give the new topic a title."))
    posts = list(db.session.scalars(select(Post).where(Post.topic_id == topic.id, Post.id.in_(post_ids))
                                    .order_by(Post.position)))
    if not posts:
        raise ForumError(_("Choose the posts to move into the new topic."))
    if any(p.position == 1 for p in posts):
        raise ForumError(_("The opening post stays in its topic; choose replies only."))
    lock_rows([topic.id], sorted({topic.forum_id, target.id}))
    first = posts[0]
    new = Topic(forum_id=target.id, user_id=first.user_id, title=title, language=first.language,
                created_at=first.created_at, last_post_at=posts[-1].created_at, last_position=len(posts),
                hidden=first.hidden_at is not None)
    db.session.add(new)
    db.session.flush()
    # Park the posts at negative positions first so the unique (topic, position)
    # constraint never sees two posts at one place while they are renumbered.
    for post in posts:
        post.position = -post.id
    db.session.flush()
    for number, post in enumerate(posts, start=1):
        post.topic_id, post.position = new.id, number
    if topic.accepted_post_id in {p.id for p in posts}:
        topic.accepted_post_id = None
    db.session.flush()
    db.session.expire(new, ["forum"])
    recount(topic)
    recount(new)
    log(actor, "split", forum_id=target.id, topic_id=new.id,
        detail=f"#{topic.id} “{topic.title}” → “{title}”", count=len(posts))
    return new


def hide_post(post: Post, actor, reason: str) -> None:
    """Hidden posts leave the counts and lists; moderators (and the author) still
    see them, marked. Hiding the opening post hides the topic."""
    if post.hidden_at is not None:
        return
    post.hidden_at, post.hidden_by_id, post.hidden_reason = utcnow(), actor.id, (reason or "").strip()[:300]
    topic = post.topic
    if post.position == 1:
        topic.hidden = True
    if topic.accepted_post_id == post.id:
        topic.accepted_post_id = None
    db.session.flush()
    recount(topic)
    _resolve_flags(post, actor, "hidden")
    log(actor, "hide", forum_id=topic.forum_id, topic_id=topic.id, post_id=post.id, detail=post.hidden_reason)
    if post.user_id != actor.id and post.author is not None and not post.author.is_deleted:
        _tell_author_hidden(post)


def _tell_author_hidden(post: Post) -> None:
    """A bell note in the author's language: which post, and the moderator's reason."""
    author, topic = post.author, post.topic
    with force_locale(author.language or "en"):
        if post.hidden_reason:
            text = _("A moderator hid your post in “%(topic)s”. Reason: %(reason)s",
                     topic=topic.title, reason=post.hidden_reason)
        else:
            text = _("A moderator hid your post in “%(topic)s”.", topic=topic.title)
    notifications.notify(author.id, text, url_for("forum.permalink", post_id=post.id))


def restore_post(post: Post, actor) -> None:
    if post.hidden_at is None:
        return
    post.hidden_at, post.hidden_by_id, post.hidden_reason = None, None, ""
    topic = post.topic
    if post.position == 1:
        topic.hidden = False
    db.session.flush()
    recount(topic)
    log(actor, "restore", forum_id=topic.forum_id, topic_id=topic.id, post_id=post.id)


def suspend_member(member, actor, until, reason: str) -> None:
    """Raises ValueError (see ``accounts.suspension.suspend``). The member is told on
    the bell, in their language, until when and why."""
    suspension.suspend(member, until, reason)
    log(actor, "suspend", detail=f"{member.display_name} → {until.isoformat()}: {member.suspension_reason}")
    with force_locale(member.language or "en"):
        text = _("You cannot post in the forum until %(date)s. Reason: %(reason)s",
                 date=format_day(until), reason=member.suspension_reason)
    notifications.notify(member.id, text, url_for("forum.index"), actor_id=actor.id)


def lift_suspension(member, actor) -> bool:
    if not suspension.lift(member):
        return False
    log(actor, "lift_suspension", detail=member.display_name)
    return True


def flag_post(post: Post, user, reason: str, details: str) -> Flag:
    existing = db.session.scalar(select(Flag).where(Flag.post_id == post.id, Flag.user_id == user.id,
                                                    Flag.resolved_at.is_(None)))
    if existing is not None:
        raise ForumError(_("You have already flagged this post; moderators will look at it."))
    flag = Flag(post_id=post.id, user_id=user.id, reason=reason, details=(details or "").strip()[:1000])
    db.session.add(flag)
    return flag


def _resolve_flags(post: Post, actor, resolution: str) -> int:
    result = db.session.execute(update(Flag).where(Flag.post_id == post.id, Flag.resolved_at.is_(None)).values(
        resolved_at=utcnow(), resolved_by_id=actor.id, resolution=resolution)
        .execution_options(synchronize_session=False))
    return cast("CursorResult[Any]", result).rowcount or 0


def dismiss_flags(post: Post, actor) -> None:
    count = _resolve_flags(post, actor, "dismissed")
    log(actor, "dismiss_flags", forum_id=post.topic.forum_id, topic_id=post.topic_id, post_id=post.id,
        count=count)


def open_flags_stmt():
    """Posts with open flags, oldest flag first, for the queue."""
    first_flag = func.min(Flag.created_at)
    return (select(Post).join(Flag, Flag.post_id == Post.id).where(Flag.resolved_at.is_(None))
            .group_by(Post.id).order_by(first_flag, Post.id)
            .options(selectinload(Post.author), selectinload(Post.topic).selectinload(Topic.forum)))


def open_flags_for(post_ids: list[int]) -> dict[int, list[Flag]]:
    flags: dict[int, list[Flag]] = {}
    if post_ids:
        for flag in db.session.scalars(select(Flag).where(Flag.post_id.in_(post_ids), Flag.resolved_at.is_(None))
                                       .options(joinedload(Flag.reporter)).order_by(Flag.id)):
            flags.setdefault(flag.post_id, []).append(flag)
    return flags


def open_flag_count() -> int:
    return db.session.scalar(select(func.count(func.distinct(Flag.post_id))).where(Flag.resolved_at.is_(None))) or 0


def log_stmt():
    return select(ModerationLog).options(joinedload(ModerationLog.actor)).order_by(ModerationLog.id.desc())
