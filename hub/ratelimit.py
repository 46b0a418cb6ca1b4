"""Rate-limit counters kept in a database, so every worker and host counts together.

Flask-Limiter's default ``memory://`` store counts per process: with two gunicorn
workers, twice the configured login guesses get through. ``limits`` (the library under
Flask-Limiter) offers Redis, Memcached and MongoDB stores, each an extra server. This
module adds one more store to ``limits``, registered as ``hub-database://``, which
keeps fixed-window counters in a table:

- with PostgreSQL, in the hub's own database, so several hosts share the counts;
- with SQLite, in ``rate-limits.sqlite`` beside the site database: a separate file so
  a counter update never waits for the write lock held by the request being counted.

Each hit is one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` in its own short
transaction, so concurrent requests get consecutive counts and a limit holds exactly.
The engine is opened lazily and per process, never inherited across a fork."""
from __future__ import annotations

import hashlib
import os
import random
import time
from typing import cast

from limits.storage import Storage
from sqlalchemy import Float, Integer, String, Table, create_engine, delete, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import Model

SCHEME = "hub-database"
_KEY_LENGTH = 200


class RateLimitCounter(Model):
    """One fixed window of one limit for one client: hits so far, and when it ends."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(_KEY_LENGTH), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # Unix time


_TABLE = cast(Table, RateLimitCounter.__table__)  # a mapped class's table is a Table

_INCREMENT = text(
    "INSERT INTO rate_limit_counter (key, hits, expires_at) VALUES (:key, :amount, :now + :expiry) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN rate_limit_counter.expires_at <= :now THEN :amount "
    "ELSE rate_limit_counter.hits + :amount END, "
    "expires_at = CASE WHEN rate_limit_counter.expires_at <= :now THEN :now + :expiry "
    "ELSE rate_limit_counter.expires_at END "
    "RETURNING hits")


def storage_url(database_url: str, instance_path: str) -> str:
    """The SQLAlchemy URL the counters live at for a given site database."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{os.path.join(instance_path, 'rate-limits.sqlite')}"
    return database_url


def _stored_key(key: str) -> str:
    if len(key) <= _KEY_LENGTH:
        return key
    return key[:_KEY_LENGTH - 41] + "#" + hashlib.sha1(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    """A ``limits`` storage over SQLAlchemy; ``url`` comes from ``RATELIMIT_STORAGE_OPTIONS``."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, url: str = "", **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if not url:
            raise ValueError("hub-database:// needs RATELIMIT_STORAGE_OPTIONS={'url': <SQLAlchemy URL>}")
        self.url = url
        self._engine: Engine | None = None
        self._pid: int | None = None

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    @property
    def engine(self) -> Engine:
        if self._engine is None or self._pid != os.getpid():
            if self._engine is not None:
                self._engine.dispose(close=False)  # the parent's connections stay the parent's
            engine = create_engine(self.url, pool_pre_ping=True)
            if engine.dialect.name == "sqlite":  # a side file this store owns
                _TABLE.create(engine, checkfirst=True)
            self._engine, self._pid = engine, os.getpid()
        return self._engine

    def close(self) -> None:
        """Drop this process's connections (tests, and apps torn down in one process)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.engine.begin() as conn:
            hits = conn.execute(_INCREMENT, {"key": _stored_key(key), "amount": amount,
                                             "now": now, "expiry": float(expiry)}).scalar_one()
            if random.random() < 0.01:  # now and then, forget windows that ended long ago
                conn.execute(delete(_TABLE).where(_TABLE.c.expires_at < now - 3600))
        return int(hits)

    def _row(self, key: str):
        with self.engine.connect() as conn:
            return conn.execute(select(_TABLE.c.hits, _TABLE.c.expires_at)
                                .where(_TABLE.c.key == _stored_key(key))).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.hits) if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        now = time.time()
        return float(row.expires_at) if row is not None and row.expires_at > now else now

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(delete(_TABLE)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_TABLE).where(_TABLE.c.key == _stored_key(key)))
