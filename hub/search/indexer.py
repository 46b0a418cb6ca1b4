"""Keeps the index in step with the database.

- ``drain`` applies outbox rows past the index's mark. It takes the Whoosh write lock
  with a timeout and gives up when another process holds it: that process is draining.
  Applying an entity re-reads it from the database (delete its documents, add what is
  visible now), so replaying a row is harmless and order does not matter.
- The mark only moves over a gap in the ids once the row after the gap is older than
  ``SEARCH_OUTBOX_GAP_SECONDS``: on PostgreSQL a transaction may commit a lower id after
  a higher one, or roll back and leave the gap for good.
- ``rebuild`` writes a fresh index beside the old one and swaps it in; rows written
  while it ran are replayed by the next drain.
- ``check`` compares the index with the database and repairs the difference.
- Old outbox rows are pruned; a ``__pruned__:<id>`` row tells an index that slept
  through a pruning that it must be rebuilt."""
from __future__ import annotations

import fcntl
import logging
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, insert, select
from whoosh.writing import LockError

from ..database import read_transactions, utcnow
from ..extensions import db
from . import store
from .analysis import field_language
from .models import SearchOutbox
from .registry import SOURCES
from .store import META_KEY, IndexUnavailable, build_schema, index_path, meta_document, open_index

log = logging.getLogger(__name__)
BATCH = 500  # entities per database read; outbox rows per drain step
STORED_BODY = 20_000  # characters kept for snippets
# A body field holds the title, then the text, with a word between them so that no
# phrase spans a title and what follows it (titles weigh more: see ranking.py).
FIELD_BREAK = "hubfieldbreak"
PRUNED = "__pruned__"
_last_prune = 0.0


class Busy(Exception):
    """Another process holds the lock this step needs."""


def _setting(name: str, default):
    return current_app.config.get(name, default)


# -- documents ------------------------------------------------------------------------

def to_fields(doc: dict) -> dict:
    """A source document as index fields: its text goes to its language's fields."""
    language = field_language(doc.get("language"))
    title, body = doc.get("title") or "", doc.get("body") or ""
    shown = doc.get("shown_body", body)  # what snippets quote, when it is not what is searched
    return {
        "key": doc["key"], "entity": doc["entity"], "doc_type": doc["doc_type"],
        "language": doc.get("language") or "", "course": doc.get("course") or "",
        "scope": doc["scope"], "gate": doc.get("gate") or "open",
        "tags": ",".join(t.replace(",", " ") for t in doc.get("tags") or ()),
        "countries": ",".join(doc.get("countries") or ()),
        "zones": ",".join(str(z) for z in doc.get("zones") or ()),
        "date": doc.get("date"), "title": title, "body": shown[:STORED_BODY],
        "endpoint": doc["endpoint"], "url_args": dict(doc.get("url_args") or {}),
        f"title_{language}": title, f"body_{language}": f"{title} {FIELD_BREAK} {body}", "spell": f"{title} {body}",
    }


def _chunks(ids: list[int], size: int = BATCH) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _by_kind(entities: Iterable[str]) -> dict[str, set[int]]:
    grouped: dict[str, set[int]] = {}
    for entity in entities:
        kind, _, raw = entity.partition(":")
        if kind in SOURCES and raw.isdigit():
            grouped.setdefault(kind, set()).add(int(raw))
    return grouped


def _with_dependents(grouped: dict[str, set[int]]) -> dict[str, set[int]]:
    """Add the entities whose documents depend on these (a topic's posts, ...)."""
    todo = {kind: set(ids) for kind, ids in grouped.items()}
    done: dict[str, set[int]] = {}
    while todo:
        kind, ids = todo.popitem()
        ids -= done.get(kind, set())
        if not ids:
            continue
        done.setdefault(kind, set()).update(ids)
        source = SOURCES[kind]
        if source.dependents is not None:
            for chunk in _chunks(sorted(ids)):
                for dep_kind, dep_ids in source.dependents(chunk).items():
                    todo.setdefault(dep_kind, set()).update(dep_ids)
    return done


def apply(writer, entities: Iterable[str], found=None) -> int:
    """Replace the documents of ``entities`` (and their dependents) with what the
    database shows now; returns the documents written. ``found``: a searcher of the
    writer's generation, so deletions do not open the index again for each entity."""
    written = 0
    for kind, ids in _with_dependents(_by_kind(entities)).items():
        for entity_id in ids:
            writer.delete_by_term("entity", f"{kind}:{entity_id}", searcher=found)
        for chunk in _chunks(sorted(ids)):
            for doc in SOURCES[kind].documents(chunk):
                writer.add_document(**to_fields(doc))
                written += 1
    db.session.rollback()  # end the read transaction: the next step sees new commits
    return written


# -- the mark -------------------------------------------------------------------------

def _gap_grace() -> timedelta:
    return timedelta(seconds=float(_setting("SEARCH_OUTBOX_GAP_SECONDS", 60)))


def advance(mark: int, rows: list[tuple[int, object]], now) -> int:
    """The new mark after applying ``rows`` (id, created_at), sorted by id: it moves
    over consecutive ids, and over a gap only when the row after it is old enough
    that no transaction can still commit an id inside the gap."""
    for row_id, created_at in rows:
        if row_id != mark + 1 and created_at > now - _gap_grace():
            break
        mark = row_id
    return mark


def safe_mark() -> int:
    """The mark a fresh index may start from: every row up to it is reflected in
    documents read afterwards. SQLite writers are serial, so a pending row always gets
    a higher id than the committed maximum; on PostgreSQL rows newer than the gap
    grace are replayed instead."""
    stmt = select(func.max(SearchOutbox.id))
    if db.engine.dialect.name != "sqlite":
        stmt = stmt.where(SearchOutbox.created_at < utcnow() - _gap_grace())
    mark = db.session.scalar(stmt) or 0
    db.session.rollback()
    return mark


# -- rebuild --------------------------------------------------------------------------

@contextmanager
def _rebuild_lock(path: Path, wait: bool):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".rebuild.lock"), "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as error:
            raise Busy("a rebuild is running") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def count_entities() -> int:
    return sum(len(list(source.all_ids())) for source in SOURCES.values())


def rebuild(progress: Callable[[int], None] | None = None, wait: bool = True) -> int:
    """Build a fresh index from the database and swap it in; returns documents.
    ``progress`` is called with the number of entities done after each batch."""
    from whoosh import index

    path = index_path()
    with _rebuild_lock(path, wait), read_transactions():
        mark = safe_mark()
        fresh = path.with_name(path.name + ".new")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
        ix = index.create_in(str(fresh), build_schema())
        count = 0
        writer = ix.writer(limitmb=256)
        try:
            for source in SOURCES.values():
                ids = sorted(source.all_ids())
                for chunk in _chunks(ids):
                    for doc in source.documents(chunk):
                        writer.add_document(**to_fields(doc))
                        count += 1
                    db.session.rollback()
                    if progress:
                        progress(len(chunk))
            writer.add_document(**meta_document(mark))
            writer.commit(optimize=True)
        except BaseException:
            writer.cancel()
            raise
        ix.close()
        _swap(path, fresh)
    return count


def _swap(path: Path, fresh: Path) -> None:
    """Put ``fresh`` in place of ``path`` while holding the old index's write lock, so
    no drainer is half-way through a commit into the folder being replaced."""
    old = path.with_name(path.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    lock = None
    try:
        lock = open_index(path).lock("WRITELOCK")
        if not _acquire(lock, float(_setting("SEARCH_REBUILD_LOCK_TIMEOUT", 30))):
            lock = None  # a stuck writer: swap anyway, its commit goes to the old folder's name
    except IndexUnavailable:
        pass  # nothing usable to protect
    try:
        if path.exists():
            path.rename(old)
        fresh.rename(path)
    finally:
        if lock is not None:
            lock.release()
    shutil.rmtree(old, ignore_errors=True)  # each thread reopens its searcher on the new inode


def _acquire(lock, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not lock.acquire(False):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# -- drain ----------------------------------------------------------------------------

def _open_or_rebuild():
    """The index, rebuilt first when it is missing, corrupt or outdated."""
    try:
        return store.current_index()
    except IndexUnavailable as problem:
        log.warning("Search index unusable (%s): rebuilding it", problem)
        rebuild(wait=False)
        return store.current_index()


def _pruned_past(mark: int) -> bool:
    """Whether rows this index never applied have been pruned."""
    markers = db.session.scalars(select(SearchOutbox.entity).where(
        SearchOutbox.entity.like(f"{PRUNED}:%"), SearchOutbox.id > mark))
    return any(int(m.split(":")[1]) > mark for m in markers)


def _pending(mark: int) -> list:
    """The next outbox rows past ``mark``."""
    return list(db.session.execute(select(SearchOutbox.id, SearchOutbox.entity, SearchOutbox.created_at)
                                   .where(SearchOutbox.id > mark).order_by(SearchOutbox.id).limit(BATCH)).all())


def drain(lock_timeout: float | None = None, max_seconds: float = 5.0, gathered: bool = False) -> int:
    """Apply pending outbox rows; returns how many rows were applied. Returns 0 at once
    when another process holds the index's write lock. Looking for work costs one
    query and no lock; the searcher that reads the mark also serves the deletions.
    ``gathered``: the caller is woken again for saves made meanwhile (the follower),
    so one batch is enough; others look again until nothing is left."""
    timeout = float(_setting("SEARCH_LOCK_TIMEOUT", 0.0)) if lock_timeout is None else lock_timeout
    try:
        ix = _open_or_rebuild()
    except Busy:
        return 0
    with read_transactions():  # reading rows and building documents holds no writer lock
        applied = _apply_pending(ix, timeout, max_seconds, gathered)
    db.session.rollback()
    _maybe_prune()
    return applied


def _apply_pending(ix, timeout: float, max_seconds: float, gathered: bool) -> int:
    applied = 0
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        if not _pending(int(store.read_meta(store.searcher()).get("mark", 0))):
            break
        try:
            writer = ix.writer(timeout=timeout)
        except LockError:
            break
        try:
            found = store.searcher()  # refreshed under the lock: the writer's generation
            mark = int(store.read_meta(found).get("mark", 0))
            if _pruned_past(mark):
                writer.cancel()
                rebuild(wait=False)
                return applied
            rows = _pending(mark)
            if not rows:
                writer.cancel()
                break
            apply(writer, [row.entity for row in rows], found)
            new_mark = advance(mark, [(row.id, row.created_at) for row in rows], utcnow())
            writer.delete_by_term("key", META_KEY, searcher=found)
            writer.add_document(**meta_document(new_mark))
            writer.commit()
        except BaseException:
            writer.cancel()
            db.session.rollback()
            raise
        applied += len(rows)
        if new_mark == mark or (gathered and len(rows) < BATCH):
            break  # waiting for a gap to fill, or the follower's next wake-up will do
        # Look again in a fresh transaction: a save committed while this drain held the
        # index's lock found it taken and left its rows to this drain.
    return applied


def _maybe_prune() -> None:
    """Once an hour per process: drop rows older than the retention, leaving a marker."""
    global _last_prune
    if time.monotonic() - _last_prune < 3600:
        return
    _last_prune = time.monotonic()
    cutoff = utcnow() - timedelta(days=float(_setting("SEARCH_OUTBOX_RETENTION_DAYS", 7)))
    highest = db.session.scalar(select(func.max(SearchOutbox.id)).where(
        SearchOutbox.created_at < cutoff, ~SearchOutbox.entity.like(f"{PRUNED}:%")))
    if highest is None:
        db.session.rollback()
        return
    db.session.execute(delete(SearchOutbox).where(SearchOutbox.id <= highest))
    db.session.execute(insert(SearchOutbox).values(entity=f"{PRUNED}:{highest}", created_at=utcnow()))
    db.session.commit()


def bring_up_to_date() -> str:
    """For ``prepare_site``: rebuild an unusable index, else apply what is pending."""
    try:
        open_index()
    except IndexUnavailable:
        return f"Built the search index ({rebuild()} documents)."
    return f"The search index is up to date ({drain(lock_timeout=30.0, max_seconds=600)} changes applied)."


# -- consistency ----------------------------------------------------------------------

@dataclass
class CheckReport:
    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, gone or hidden in the database
    repaired: bool = False

    @property
    def consistent(self) -> bool:
        return not self.missing and not self.extra


def expected_entities() -> set[str]:
    found = {f"{kind}:{entity_id}" for kind, source in SOURCES.items() for entity_id in source.all_ids()}
    db.session.rollback()
    return found


def check(repair: bool = False) -> CheckReport:
    """Compare the entities in the index with those the database says should be
    there; with ``repair``, re-apply every difference."""
    ix = _open_or_rebuild()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        column = reader.column_reader("entity")  # the lexicon still lists deleted documents' terms
        indexed = {column[docnum] for docnum in reader.all_doc_ids()} - {META_KEY}
    expected = expected_entities()
    report = CheckReport(missing=sorted(expected - indexed), extra=sorted(indexed - expected))
    if repair and not report.consistent:
        writer = ix.writer(timeout=float(_setting("SEARCH_REBUILD_LOCK_TIMEOUT", 30)))
        try:
            apply(writer, report.missing + report.extra)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        report.repaired = True
    return report
