"""Writers on one SQLite file queue on the hub's writer lock instead of polling the
database: with SQLite's own waiting switched off (busy timeout 0), concurrent write
transactions from several threads never see "database is locked"."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text

import hub.database  # noqa: F401  (the connection and transaction listeners)
from tests.writer_lock import writer_lock_is_free


def engine_for(path):
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS entry (id INTEGER PRIMARY KEY, writer INTEGER, n INTEGER)")
    return engine


def with_busy_timeout(conn, milliseconds: int):
    conn.exec_driver_sql(f"PRAGMA busy_timeout={milliseconds}")
    conn.commit()
    return conn


def test_concurrent_writers_queue_instead_of_failing(tmp_path):
    path = tmp_path / "hub.db"
    engines = [engine_for(path) for _ in range(3)]  # as three processes would
    errors: list[Exception] = []

    def write(writer: int, engine) -> None:
        try:
            with engine.connect() as conn:
                with_busy_timeout(conn, 0)
                for n in range(25):
                    with conn.begin():
                        conn.execute(text("INSERT INTO entry (writer, n) VALUES (:w, :n)"), {"w": writer, "n": n})
                        time.sleep(0.001)  # hold the write lock while the others try
        except Exception as error:  # noqa: BLE001 - collected and reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i, engine)) for i, engine in enumerate(engines)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    with engines[0].connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM entry")) == 75
    assert writer_lock_is_free(path)


def test_the_lock_is_held_for_the_transaction_only(tmp_path):
    path = tmp_path / "hub.db"
    engine = engine_for(path)
    with engine.connect() as conn:
        with conn.begin():
            conn.execute(text("INSERT INTO entry (writer, n) VALUES (1, 1)"))
            assert not writer_lock_is_free(path)
        assert writer_lock_is_free(path)
        with pytest.raises(RuntimeError):
            with conn.begin():
                conn.execute(text("INSERT INTO entry (writer, n) VALUES (1, 2)"))
                raise RuntimeError("the view failed")
        assert writer_lock_is_free(path)
        assert conn.scalar(text("SELECT count(*) FROM entry")) == 1  # the failed one rolled back


def test_a_connection_returned_mid_transaction_frees_the_lock(tmp_path):
    path = tmp_path / "hub.db"
    engine = engine_for(path)
    conn = engine.connect()
    conn.begin()
    conn.execute(text("INSERT INTO entry (writer, n) VALUES (1, 1)"))
    assert not writer_lock_is_free(path)
    conn.close()  # back to the pool, rolled back
    assert writer_lock_is_free(path)
    with engine.connect() as other:
        assert other.scalar(text("SELECT count(*) FROM entry")) == 0


def test_a_thread_writing_through_two_connections_does_not_wait_for_itself(tmp_path):
    path = tmp_path / "hub.db"
    engine = engine_for(path)
    done = threading.Event()

    def nested() -> None:
        with engine.connect() as outer, engine.connect() as inner:
            with outer.begin():
                outer.execute(text("INSERT INTO entry (writer, n) VALUES (1, 1)"))
            with inner.begin():  # the outer one committed: the lock is free again
                inner.execute(text("INSERT INTO entry (writer, n) VALUES (2, 1)"))
            with_busy_timeout(inner, 50)
            outer.begin()
            outer.execute(text("SELECT 1"))
            with pytest.raises(Exception, match="locked"):  # SQLite answers, the lock does not hang
                with inner.begin():
                    pass
            outer.rollback()
        done.set()

    thread = threading.Thread(target=nested)
    thread.start()
    thread.join(20)
    assert done.is_set()


def test_a_database_in_memory_needs_no_lock():
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert "writer_lock" not in conn.connection.info


def test_a_database_file_gets_its_lock_beside_it(tmp_path):
    engine = engine_for(tmp_path / "hub.db")
    with engine.connect() as conn:
        assert conn.connection.info["writer_lock"] is not None
    assert (tmp_path / "hub.db-writers.lock").exists()
