"""The hub-database:// rate-limit store: counts shared between processes, exactly."""
from __future__ import annotations

import multiprocessing
import time

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from hub.extensions import limiter
from hub.ratelimit import DatabaseStorage


@pytest.fixture
def store(app):
    """The store the app's limiter uses (the test database, or the SQLite side file)."""
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"], **app.config["RATELIMIT_STORAGE_OPTIONS"])
    assert isinstance(storage, DatabaseStorage)
    storage.reset()
    yield storage
    storage.close()


def test_default_store_is_the_shared_database(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    assert app.config["RATELIMIT_STORAGE_URI"] == "hub-database://"
    assert isinstance(limiter.storage, DatabaseStorage)


def test_counts_expire_and_clear(store):
    assert store.incr("k", 1) == 1 and store.incr("k", 1, amount=2) == 3
    assert store.get("k") == 3 and store.get_expiry("k") > time.time()
    time.sleep(1.05)
    assert store.get("k") == 0
    assert store.incr("k", 1) == 1  # a new window
    store.clear("k")
    assert store.get("k") == 0
    assert store.check()


def test_long_keys_are_kept_apart(store):
    a, b = "x" * 300 + "a", "x" * 300 + "b"
    assert store.incr(a, 60) == 1 and store.incr(b, 60) == 1 and store.incr(a, 60) == 2


def _hammer(url: str, rounds: int, queue) -> None:
    storage = DatabaseStorage("hub-database://", url=url)
    limiter_ = FixedWindowRateLimiter(storage)
    item = parse("10 per minute")
    queue.put([limiter_.hit(item, "login", "127.0.0.1") for _ in range(rounds)])


def test_a_limit_holds_exactly_across_processes(store):
    """Four processes (as four gunicorn workers) share one limit of 10 per minute."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_hammer, args=(store.url, 10, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    results = [hit for _ in workers for hit in queue.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=30)
    assert results.count(True) == 10 and results.count(False) == 30
