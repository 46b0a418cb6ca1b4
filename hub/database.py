"""Database helpers shared by every feature: aware UTC timestamps and the SQLite
settings that let several server processes write without "database is locked"."""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from datetime import datetime, timezone

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator

from .extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and gives them back aware; refuses naive ones,
    which are the classic source of off-by-an-hour bugs."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use hub.database.utcnow()")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _wants_immediate() -> bool:
    """Write transactions on SQLite must start with BEGIN IMMEDIATE: a deferred
    transaction that reads and then writes fails with "database is locked" when
    another process committed in between. Safe requests start deferred (readers never
    wait) unless a view declared a write with :func:`write_transaction`; background
    readers declare theirs with :func:`read_transactions`."""
    if has_app_context():
        if g.get("_hub_read_only"):
            return False
        if g.get("_hub_force_immediate"):
            return True
    if has_request_context():
        return request.method not in SAFE_METHODS
    return True


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
    timeout = 30000
    if has_app_context():
        from flask import current_app

        timeout = int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", timeout))
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={timeout}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    database_file = next((row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"), "")
    cursor.close()
    if database_file:
        connection_record.info["writer_lock"] = WriterLock(database_file + "-writers.lock")


class _HeldCount(threading.local):
    count = 0


class WriterLock:
    """SQLite lets one writer in at a time, and a writer that finds the database busy
    polls: it sleeps 1, 2, 5 … then 100 ms between tries, so under concurrent writes a
    request waits up to a tenth of a second after the database is free (the reply and
    quiz-save tails in docs/performance.md). Writers of all processes queue on this
    file lock instead (one open file per connection, so threads queue too) and the
    kernel wakes the next one the moment the writer before it commits.

    A thread that already holds the lock through another connection does not queue
    again (it would wait for itself); SQLite's busy timeout covers that case as before."""

    _held_by_thread = _HeldCount()

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.held = False

    def acquire(self) -> None:
        if self.held or self._held_by_thread.count:
            return
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.held = True
        self._held_by_thread.count += 1

    def release(self) -> None:
        if not self.held:
            return
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.held = False
        self._held_by_thread.count = max(self._held_by_thread.count - 1, 0)

    def close(self) -> None:
        self.release()
        os.close(self.fd)


def _writer_lock(conn) -> WriterLock | None:
    return conn.connection.info.get("writer_lock") if conn.dialect.name == "sqlite" else None


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        immediate = _wants_immediate()
        lock = _writer_lock(conn)
        if immediate and lock is not None:
            lock.acquire()
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _end_and_release(conn, statement: str) -> None:
    """End the transaction here, then let the next writer in: SQLAlchemy's own
    COMMIT/ROLLBACK comes after this event and finds nothing left to do."""
    lock = _writer_lock(conn)
    if lock is None or not lock.held:
        return
    try:
        if not conn.connection.dbapi_connection.in_transaction:
            return
        conn.connection.dbapi_connection.execute(statement)
    finally:
        lock.release()


@event.listens_for(Engine, "commit")
def _sqlite_commit(conn):
    _end_and_release(conn, "COMMIT")


@event.listens_for(Engine, "rollback")
def _sqlite_rollback(conn):
    _end_and_release(conn, "ROLLBACK")


@event.listens_for(Pool, "checkin")
def _release_on_checkin(dbapi_connection, connection_record):
    """A connection back in the pool holds no writer lock, however its transaction ended."""
    lock = connection_record.info.get("writer_lock") if connection_record is not None else None
    if lock is not None:
        lock.release()


@event.listens_for(Pool, "close")
def _close_writer_lock(dbapi_connection, connection_record):
    lock = connection_record.info.pop("writer_lock", None) if connection_record is not None else None
    if lock is not None:
        lock.close()


@contextmanager
def write_transaction():
    """For the few GET views that write (lesson views, read markers): end the read
    transaction, run the block in a transaction that starts as a writer, commit."""
    db.session.commit()
    g._hub_force_immediate = True
    try:
        yield db.session
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        g._hub_force_immediate = False


@contextmanager
def read_transactions():
    """For background work that only reads while it does something slow (the search
    indexer building documents): its transactions begin deferred, so it never holds
    the writer lock that every reply and quiz save waits for. Nothing inside may write."""
    previous = g.get("_hub_read_only", False)
    g._hub_read_only = True
    try:
        yield
    finally:
        g._hub_read_only = previous
