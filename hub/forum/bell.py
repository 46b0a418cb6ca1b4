"""The bell's drop-down: a member's unread notifications, grouped so that ten replies
in one topic make one line ("10 new replies in …"), newest first. Opening a group
marks the whole group read and leads to its oldest post, the first one to read."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..database import utcnow
from ..extensions import db
from .models import Notification, Topic
from .notifications import NEW_POST, REPLY, SITE

GROUPED = (REPLY, NEW_POST)  # new posts in a topic: one line per topic
SCAN = 200  # the newest unread notifications looked at; older ones wait on the full page
SHOWN = 8  # lines in the drop-down


@dataclass
class BellGroup:
    notes: list[Notification]  # newest first

    @property
    def newest(self) -> Notification:
        return self.notes[0]

    @property
    def oldest(self) -> Notification:
        return self.notes[-1]

    @property
    def count(self) -> int:
        return len(self.notes)

    @property
    def grouped(self) -> bool:
        return self.count > 1


def gone(note: Notification, moderator: bool) -> bool:
    """The post a notification points to was deleted, or hidden from this reader."""
    if note.kind == SITE:
        return False
    post = note.post
    return post is None or post.deleted_at is not None or (post.hidden_at is not None and not moderator)


def _key(note: Notification) -> tuple:
    if note.kind in GROUPED and note.topic_id is not None:
        return ("topic", note.topic_id)
    return ("one", note.id)


def unread_groups(user_id: int, moderator: bool) -> tuple[list[BellGroup], bool]:
    """(the first ``SHOWN`` groups, whether there are more). Two queries at most,
    whatever the number of notifications."""
    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .options(joinedload(Notification.post), joinedload(Notification.actor),
                 joinedload(Notification.topic).joinedload(Topic.forum))
        .order_by(Notification.id.desc()).limit(SCAN)).all()
    groups: dict[tuple, BellGroup] = {}
    for note in notes:
        if not gone(note, moderator):
            groups.setdefault(_key(note), BellGroup([])).notes.append(note)
    ordered = list(groups.values())
    return ordered[:SHOWN], len(ordered) > SHOWN


def mark_group_read(note: Notification) -> None:
    """``note`` and every unread one of its group (new posts in the same topic)."""
    now = utcnow()
    if note.kind in GROUPED and note.topic_id is not None:
        db.session.execute(update(Notification).where(
            Notification.user_id == note.user_id, Notification.topic_id == note.topic_id,
            Notification.kind.in_(GROUPED), Notification.read_at.is_(None)).values(read_at=now)
            .execution_options(synchronize_session=False))
    note.read_at = now
