"""Database helpers shared by every feature: aware UTC timestamps and the SQLite
settings that let several server processes write without "database is locked"."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
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
    wait) unless a view declared a write with :func:`write_transaction`."""
    if has_app_context() and g.get("_hub_force_immediate"):
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
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _wants_immediate() else "BEGIN")


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
