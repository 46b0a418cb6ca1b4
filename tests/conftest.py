"""Fixtures: an app per test on its own SQLite file (or the CI PostgreSQL database),
the HTTP client, and factories for members."""
from __future__ import annotations

import contextvars
import os
import shutil
import warnings
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from hub import create_app
from hub.extensions import db, limiter
from hub.ratelimit import DatabaseStorage

TEST_PASSWORD = "correct horse battery staple"
POSTGRES_URL = os.environ.get("HUB_TEST_DATABASE_URL")


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's own app context, as a real server would:
    a fresh ``g``, a fresh database session and a fresh login per request. The test's
    session is expired afterwards so it reads what the request wrote."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._request_context_vars = contextvars.Context()  # empty: no app context pushed
        self._inside = False

    def open(self, *args, **kwargs):
        if self._inside:  # a redirect being followed
            return super().open(*args, **kwargs)
        self._inside = True
        try:
            response = self._request_context_vars.run(super().open, *args, **kwargs)
        finally:
            self._inside = False
        if has_app_context():
            db.session.commit()  # end the test's read snapshot; expire what it loaded
        return response

    def __exit__(self, *exc_info):
        return self._request_context_vars.run(super().__exit__, *exc_info)


def base_config(tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "hub.test",
        "PASSWORD_MIN_LENGTH": 10,
        "DATABASE_URL": POSTGRES_URL or f"sqlite:///{tmp_path / 'hub.sqlite'}",
        "SEARCH_INDEXER": "inline",  # the outbox is applied right after each commit, in the saving thread
        # Administrators log in with a password alone here; tests/web/test_two_step.py
        # and the served hub's suite check that the shipped default requires two steps.
        "TWO_FACTOR_REQUIRED_ROLES": (),
    }


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """UI translations compiled, as `hub setup` does, so language tests see them."""
    from hub import TRANSLATIONS_DIR
    from hub.i18n import compile_catalogs

    compile_catalogs(TRANSLATIONS_DIR)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path | None:
    """The schema built once; each test copies the file (much faster than create_all)."""
    if POSTGRES_URL:
        return None
    folder = tmp_path_factory.mktemp("template")
    app = create_app(base_config(folder))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return folder / "hub.sqlite"


def _truncate_all() -> None:
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


_postgres_schema = {"ready": False}


@pytest.fixture
def make_app(tmp_path, sqlite_template):
    """Factory for apps with extra config, sharing this test's database."""
    created = []

    def factory(**overrides):
        config = base_config(tmp_path)
        config.update(overrides)
        if sqlite_template and not (tmp_path / "hub.sqlite").exists():
            shutil.copy(sqlite_template, tmp_path / "hub.sqlite")
        app = create_app(config)
        app.test_client_class = IsolatedClient
        if POSTGRES_URL and not created:
            with app.app_context():
                if not _postgres_schema["ready"]:  # once per run: no test drops tables
                    db.create_all()
                    _postgres_schema["ready"] = True
                _truncate_all()
        created.append(app)
        return app

    yield factory
    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    storage = getattr(limiter, "_storage", None)  # the limiter is global; its last store is this test's
    if isinstance(storage, DatabaseStorage):
        storage.close()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """``make_user(role="trainer", email=..., **fields)`` → a committed, confirmed
    member (``userN@example.org``, N counting from 1 in each test)."""
    from tests.factories import make_member

    counter = {"n": 0}

    def factory(role: str = "learner", **fields):
        # End the test's read snapshot first: a live server thread may have written
        # since, and SQLite refuses a write from a stale snapshot.
        db.session.commit()
        counter["n"] += 1
        n = counter["n"]
        return make_member(role, **{"email": f"user{n}@example.org", "display_name": f"Member {n}", **fields})

    return factory


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = TEST_PASSWORD, remember: bool = False, follow: bool = False):
        email = getattr(user_or_email, "email", user_or_email)
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data, follow_redirects=follow)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login(client, auth, make_user):
    """``login(role)`` → a new member of that role, logged in on ``client``."""

    def do(role: str = "learner", **fields):
        user = make_user(role, **fields)
        response = auth.login(user)
        assert response.status_code == 302, response.data[:500]
        return user

    return do


warnings.filterwarnings("ignore", category=DeprecationWarning, module="whoosh")
