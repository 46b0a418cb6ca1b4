"""Starting from nothing: schema, content import, index, first page; migrations
match the models; several processes writing to SQLite lose nothing."""
from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from hub import create_app
from hub.extensions import db

POSTGRES = bool(os.environ.get("HUB_TEST_DATABASE_URL"))


def _fresh_app(tmp_path: Path, content: Path | None = None):
    config = {"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "s", "SERVER_NAME": "hub.test"}
    if content is not None:
        config["CONTENT_PATH"] = str(content)
    return create_app(config)


@pytest.mark.skipif(POSTGRES, reason="starts from an empty instance folder with its own SQLite file")
def test_empty_instance_folder_to_working_home_page(tmp_path):
    (tmp_path / "content" / "modules").mkdir(parents=True)
    app = _fresh_app(tmp_path, tmp_path / "content")
    assert not (tmp_path / "instance" / "hub.sqlite").exists()
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "Database schema is up to date" in result.output
    assert (tmp_path / "instance" / "hub.sqlite").exists()
    assert (tmp_path / "instance" / "search-index").is_dir()
    response = app.test_client().get("/")
    assert response.status_code == 200 and b"Inclusion Hub" in response.data
    # a second start changes nothing and does not fail
    again = app.test_cli_runner().invoke(args=["setup"])
    assert again.exit_code == 0, again.output
    assert "Running upgrade" not in again.output


@pytest.fixture
def empty_database(tmp_path):
    """A database nobody has touched: a new SQLite file, or a new PostgreSQL database."""
    if not POSTGRES:
        yield None
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["HUB_TEST_DATABASE_URL"])
    name = f"hub_migrations_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_migrations_build_exactly_the_models_schema(tmp_path, empty_database):
    from flask_migrate import upgrade

    from hub import MIGRATIONS_DIR

    app = _fresh_app(tmp_path)
    if empty_database:
        app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "s",
                          "DATABASE_URL": empty_database})
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == [], f"models and migrations differ; run `make migration m=...`: {diff}"


def _write_many(db_url: str, instance: str, worker: int, count: int) -> None:
    from hub.mail import queue_mail

    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": instance, "SECRET_KEY": "s"})
    with app.app_context():
        for i in range(count):
            # read-then-write in one transaction: the pattern that fails with deferred BEGIN
            db.session.execute(select(func.count()).select_from(db.metadata.tables["outbox_message"]))
            queue_mail(f"w{worker}@example.org", f"message {i}", "body")
            db.session.commit()


@pytest.mark.skipif(POSTGRES, reason="SQLite locking behaviour")
def test_several_processes_write_sqlite_at_once_and_lose_nothing(tmp_path):
    instance = tmp_path / "instance"
    url = f"sqlite:///{tmp_path / 'multi.sqlite'}"
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "s"})
    with app.app_context():
        db.create_all()
        mode = db.session.execute(db.text("PRAGMA journal_mode")).scalar()
        assert mode == "wal"
        db.engine.dispose()
    workers, per_worker = 4, 40
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(url, str(instance), w, per_worker)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * workers
    with app.app_context():
        from hub.mail import OutboxMessage
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == workers * per_worker
