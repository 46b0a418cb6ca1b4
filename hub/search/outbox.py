"""Writes the outbox: after every flush, the watched rows that were added, changed in
a field search uses, or deleted become ``search_outbox`` rows in the same transaction.
After the commit the indexer is told there is work; a rollback takes the rows with it
(and at worst leaves a needless wake-up).

Bulk ``UPDATE`` statements bypass the session, so code that changes indexed fields that
way calls ``enqueue`` itself (today only counters are updated in bulk)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from ..database import utcnow
from .models import SearchOutbox
from .registry import WATCHES, Watch

PENDING = "search_outbox_pending"


def _watches(obj) -> list[Watch]:
    return [w for w in WATCHES if isinstance(obj, w.model)]


def _changed(obj, fields: tuple[str, ...]) -> bool:
    if not fields:
        return True
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in fields)


def entities_of(session: Session) -> set[str]:
    """The entities the pending flush touches."""
    found: set[str] = set()
    for obj in list(session.new) + list(session.deleted):
        for w in _watches(obj):
            found.add(f"{w.kind}:{w.entity_id(obj)}")
    for obj in session.dirty:
        for w in _watches(obj):
            if session.is_modified(obj) and _changed(obj, w.fields):
                found.add(f"{w.kind}:{w.entity_id(obj)}")
    return {key for key in found if not key.endswith(":None")}


def enqueue(session: Session, entities: Iterable[str]) -> None:
    """Add outbox rows for ``entities`` ("<kind>:<id>") to the session's transaction."""
    rows = [{"entity": key, "created_at": utcnow()} for key in sorted(set(entities))]
    if rows:
        session.connection().execute(insert(SearchOutbox), rows)
        session.info[PENDING] = True


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    if WATCHES:
        enqueue(session, entities_of(session))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the rows wait for the real commit (and its lock is still held)
    if session.info.pop(PENDING, False):
        from .worker import notify

        notify()

