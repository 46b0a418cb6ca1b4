"""Unread tracking: per member and topic, the highest post position seen. "Mark all
as read" writes one row per topic in two statements (update, insert-select)."""
from __future__ import annotations

from sqlalchemy import case, exists, insert, literal, select, update

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .models import ReadState, Topic


def _dialect_insert():
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert


def mark_read(user_id: int, topic_id: int, position: int) -> None:
    """Raise the member's read position to ``position`` (never lowers it)."""
    stmt = _dialect_insert()(ReadState).values(user_id=user_id, topic_id=topic_id, last_position=position,
                                               updated_at=utcnow())
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "topic_id"],
        set_={"last_position": case((stmt.excluded.last_position > ReadState.last_position,
                                     stmt.excluded.last_position), else_=ReadState.last_position),
              "updated_at": stmt.excluded.updated_at})
    db.session.execute(stmt)


def mark_all_read(user_id: int, forum_ids: list[int]) -> None:
    """Every topic of these forums becomes read up to its latest post."""
    if not forum_ids:
        return
    now = literal(utcnow(), UTCDateTime())
    latest = select(Topic.last_position).where(Topic.id == ReadState.topic_id).scalar_subquery()
    db.session.execute(update(ReadState)
                       .where(ReadState.user_id == user_id,
                              ReadState.topic_id.in_(select(Topic.id).where(Topic.forum_id.in_(forum_ids))))
                       .values(last_position=latest, updated_at=now)
                       .execution_options(synchronize_session=False))
    missing = select(literal(user_id), Topic.id, Topic.last_position, now).where(
        Topic.forum_id.in_(forum_ids),
        ~exists().where(ReadState.user_id == user_id, ReadState.topic_id == Topic.id))
    db.session.execute(insert(ReadState).from_select(["user_id", "topic_id", "last_position", "updated_at"], missing))
