"""Read-side queries with the viewer's permissions applied in SQL, so lists, counts,
permalinks and notifications all agree on what a member may see. Each page loader
runs a fixed number of queries, whatever the number of forums, topics or posts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..courses.models import Course, CourseTrainer, Enrolment, active_enrolments
from ..database import utcnow
from ..extensions import db
from ..pagination import paginate
from ..permissions import TRAINER, has_role
from .models import Forum, ForumCategory, HelpfulMark, Post, ReadState, Topic
from .permissions import is_forum_staff, is_moderator, sees_all_replies

SORTS = {"activity", "newest", "replies"}


def unread_cutoff():
    """Older activity counts as read, so a new member does not start with everything unread."""
    return utcnow() - timedelta(days=int(current_app.config.get("FORUM_UNREAD_DAYS", 30)))


def participant_course_ids(user):
    """Courses whose forum ``user`` may read, as a subquery (moderators: all)."""
    enrolled = active_enrolments(Enrolment.course_id, user_id=user.id)
    if not has_role(user, TRAINER):
        return enrolled
    trained = select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id)
    untrained = select(Course.id).where(~exists().where(CourseTrainer.course_id == Course.id))
    return enrolled.union(trained, untrained)


def visible_forums_stmt(user):
    stmt = select(Forum).outerjoin(ForumCategory, Forum.category_id == ForumCategory.id)
    if not is_moderator(user):
        stmt = stmt.where(or_(Forum.course_id.is_(None), Forum.course_id.in_(participant_course_ids(user))))
    return stmt.order_by(Forum.course_id.is_not(None), ForumCategory.position, ForumCategory.id,
                         Forum.position, Forum.id)


def topic_filter(user):
    """Hidden topics (first post hidden) only for moderators and their author."""
    if is_moderator(user):
        return true()
    return or_(Topic.hidden.is_(False), Topic.user_id == user.id)


def post_filter(user, topic) -> list:
    """Conditions on Post for what ``user`` sees in ``topic``. Deleted posts stay, as
    placeholders; hidden posts only for moderators and their author; in Q&A forums a
    learner sees the question and their own posts until they have replied."""
    conditions = [Post.topic_id == topic.id]
    if not is_moderator(user):
        conditions.append(or_(Post.hidden_at.is_(None), Post.user_id == user.id))
    if not sees_all_replies(user, topic):
        conditions.append(or_(Post.position == 1, Post.user_id == user.id))
    return conditions


def answers_hidden(user, forum: Forum) -> bool:
    """True where ``user`` sees others' replies only after answering: a Q&A forum that
    requires posting first, and a reader who is not its staff."""
    return forum.is_qa and forum.qa_post_first and not is_forum_staff(user, forum)


def is_unread(topic: Topic, read_position: int | None) -> bool:
    return topic.last_post_at > unread_cutoff() and topic.last_position > (read_position or 0)


# -- forum index ---------------------------------------------------------------------

@dataclass
class IndexRow:
    forum: Forum
    last_post: Post | None
    unread_topics: int
    # Q&A: the latest post is someone's answer; its author and link stay hidden on the
    # index (no query per forum to know whether this reader answered that topic).
    last_post_hidden: bool = False


@dataclass
class IndexGroup:
    title: str
    description: str
    rows: list[IndexRow] = field(default_factory=list)


def forum_index(user) -> list[IndexGroup]:
    """Categories with their forums, then "Your course forums". Three queries."""
    forums = db.session.scalars(visible_forums_stmt(user).options(
        joinedload(Forum.category), joinedload(Forum.course))).unique().all()
    last_ids = [f.last_post_id for f in forums if f.last_post_id]
    last_posts = {p.id: p for p in db.session.scalars(
        select(Post).where(Post.id.in_(last_ids)).options(joinedload(Post.author), joinedload(Post.topic)))} \
        if last_ids else {}
    unread = unread_counts(user, [f.id for f in forums]) if forums else {}
    groups: dict[object, IndexGroup] = {}
    for forum in forums:
        if forum.course_id is not None:
            key, title, description = "course", "", ""
        elif forum.category is not None:
            key, title, description = forum.category.id, forum.category.title, forum.category.description
        else:
            key, title, description = None, "", ""
        group = groups.setdefault(key, IndexGroup(title, description))
        last = last_posts.get(forum.last_post_id)
        hidden = (last is not None and last.position > 1 and last.user_id != user.id
                  and last.topic.user_id != user.id and answers_hidden(user, forum))
        group.rows.append(IndexRow(forum, last, unread.get(forum.id, 0), hidden))
    return list(groups.values())


def unread_counts(user, forum_ids: list[int]) -> dict[int, int]:
    stmt = (select(Topic.forum_id, func.count(Topic.id))
            .outerjoin(ReadState, and_(ReadState.topic_id == Topic.id, ReadState.user_id == user.id))
            .where(Topic.forum_id.in_(forum_ids), topic_filter(user), Topic.last_post_at > unread_cutoff(),
                   Topic.last_position > func.coalesce(ReadState.last_position, 0))
            .group_by(Topic.forum_id))
    return dict(db.session.execute(stmt).all())


# -- topic list ----------------------------------------------------------------------

@dataclass
class TopicRow:
    topic: Topic
    last_post: Post | None
    unread: bool
    replies_hidden: bool = False  # Q&A: count and last poster wait until the reader answers


def topic_list(user, forum: Forum, *, sort: str = "activity", language: str | None = None, page=None):
    """A page of topics, pinned first. Four queries (count, topics, last posts, read states)."""
    orders: dict[str, ColumnElement[Any]] = {"activity": Topic.last_post_at.desc(),
                                             "newest": Topic.created_at.desc(), "replies": Topic.reply_count.desc()}
    order = orders[sort if sort in SORTS else "activity"]
    stmt = (select(Topic).where(Topic.forum_id == forum.id, topic_filter(user))
            .options(joinedload(Topic.author)).order_by(Topic.pinned.desc(), order, Topic.id.desc()))
    if language:
        stmt = stmt.where(Topic.language == language)
    pagination = paginate(stmt, per_page=int(current_app.config.get("FORUM_TOPICS_PER_PAGE", 25)), page=page)
    topics = pagination.items
    last_ids = [t.last_post_id for t in topics if t.last_post_id]
    last_posts = {p.id: p for p in db.session.scalars(
        select(Post).where(Post.id.in_(last_ids)).options(joinedload(Post.author)))} if last_ids else {}
    reads = dict(db.session.execute(select(ReadState.topic_id, ReadState.last_position).where(
        ReadState.user_id == user.id, ReadState.topic_id.in_([t.id for t in topics]))).all()) if topics else {}
    answered = _answered_topics(user, forum, topics)
    rows = [TopicRow(t, last_posts.get(t.last_post_id), is_unread(t, reads.get(t.id)),
                     answered is not None and t.reply_count > 0 and t.user_id != user.id and t.id not in answered)
            for t in topics]
    return pagination, rows


def _answered_topics(user, forum: Forum, topics: list[Topic]) -> set[int] | None:
    """Of ``topics``, those the reader has posted in (as ``sees_all_replies`` counts
    it); None where the forum shows every reply anyway. One query, Q&A forums only."""
    if not topics or not answers_hidden(user, forum):
        return None
    return set(db.session.scalars(select(Post.topic_id).where(
        Post.topic_id.in_([t.id for t in topics]), Post.user_id == user.id, Post.deleted_at.is_(None)).distinct()))


def topic_languages(forum: Forum) -> list[str]:
    return sorted(db.session.scalars(select(Topic.language).where(Topic.forum_id == forum.id).distinct()))


# -- thread --------------------------------------------------------------------------

@dataclass
class Thread:
    pagination: object
    posts: list[Post]
    helpful_ids: set[int]
    accepted: Post | None
    read_position: int
    hidden_replies: bool  # Q&A: the viewer must reply before seeing the others


def posts_per_page() -> int:
    return int(current_app.config.get("FORUM_POSTS_PER_PAGE", 20))


def thread(user, topic: Topic, page=None) -> Thread:
    """One page of a topic's posts with authors, attachments, the viewer's helpful
    marks, the accepted answer and the read position: a fixed number of queries."""
    conditions = post_filter(user, topic)
    stmt = (select(Post).where(*conditions).order_by(Post.position)
            .options(joinedload(Post.author), selectinload(Post.attachments)))
    pagination = paginate(stmt, per_page=posts_per_page(), page=page)
    posts = list(pagination.items)
    ids = [p.id for p in posts]
    helpful = set(db.session.scalars(select(HelpfulMark.post_id).where(
        HelpfulMark.user_id == user.id, HelpfulMark.post_id.in_(ids)))) if ids else set()
    accepted = None
    if topic.accepted_post_id:
        accepted = next((p for p in posts if p.id == topic.accepted_post_id), None) or db.session.scalar(
            select(Post).where(*conditions, Post.id == topic.accepted_post_id).options(joinedload(Post.author)))
    read = db.session.scalar(select(ReadState.last_position).where(
        ReadState.user_id == user.id, ReadState.topic_id == topic.id)) or 0
    return Thread(pagination, posts, helpful, accepted, read, not sees_all_replies(user, topic))


def page_of(user, post: Post) -> int:
    """The thread page ``post`` is on for this viewer."""
    rank = db.session.scalar(select(func.count(Post.id)).where(
        *post_filter(user, post.topic), Post.position <= post.position)) or 0  # COUNT always returns a row
    return max(1, (rank - 1) // posts_per_page() + 1)


def post_at(user, topic: Topic, number: str) -> Post | None:
    """The post numbered ``number`` (its ``#n``) in ``topic`` if this viewer may see
    it; None for anything else, a number that is not one included."""
    number = (number or "").strip().lstrip("#")
    if not (number.isascii() and number.isdigit()) or not 1 <= int(number) <= topic.last_position:
        return None
    return db.session.scalar(select(Post).where(*post_filter(user, topic), Post.position == int(number)))


def can_see_post(user, post: Post) -> bool:
    return db.session.scalar(select(Post.id).where(*post_filter(user, post.topic), Post.id == post.id)) is not None


def first_unread(user, topic: Topic) -> Post | None:
    """The first post past the viewer's read position, else the last one they can see."""
    read = db.session.scalar(select(ReadState.last_position).where(
        ReadState.user_id == user.id, ReadState.topic_id == topic.id)) or 0
    conditions = post_filter(user, topic)
    post = db.session.scalar(select(Post).where(*conditions, Post.position > read).order_by(Post.position).limit(1))
    return post or db.session.scalar(select(Post).where(*conditions).order_by(Post.position.desc()).limit(1))


def member_search(query: str, limit: int = 8) -> list[User]:
    like = f"%{query.strip().casefold()}%"
    return list(db.session.scalars(select(User).where(
        User.deleted_at.is_(None), User.active.is_(True), func.lower(User.display_name).like(like))
        .order_by(User.display_name).limit(limit)))
