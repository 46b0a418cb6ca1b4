"""``hub serve``: prepare the site, then hand a clean app to gunicorn.

Why this is its own module: a served app must never inherit anything from the command
that started it. Preparation runs in an application context of its own that ends its
transaction and disposes the engine; gunicorn then runs outside any context, so Flask
pushes a fresh request context (``g``, session, login, CSRF token, database session)
for every request. Each worker drops pooled connections it inherited at fork time
(``post_fork``), so no SQLite write lock or PostgreSQL socket is shared, and starts
its scheduler thread (``hub.schedule``: the daily forum digest, claimed in the
database so one worker of one host sends it)."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import click
from flask import Flask, has_app_context
from gunicorn.app.base import BaseApplication


def prepare(echo=click.echo) -> None:
    """Migrate, import and index in a throwaway app; nothing of it stays open."""
    from . import create_app
    from .commands import prepare_site
    from .extensions import db

    app = create_app()
    with app.app_context():
        try:
            prepare_site(echo)
        finally:
            db.session.remove()
            db.engine.dispose()


def release_connections(app: Flask) -> None:
    """Forget pooled connections copied from the parent process, without closing
    them (closing would end the parent's sockets); the worker opens its own."""
    from .extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def start_worker(app: Flask) -> None:
    """In each worker right after the fork: own connections, own scheduler thread."""
    from . import schedule

    release_connections(app)
    schedule.start(app)


def public_url_warning(app: Flask) -> str | None:
    """What ``hub serve`` says when HUB_PUBLIC_URL is unset (a warning in production,
    a note in development), or None when it is set."""
    if (app.config.get("PUBLIC_URL") or "").strip():
        return None
    if app.config.get("HUB_ENV") == "production":
        return ("Warning: HUB_PUBLIC_URL is not set. Links in mail use the address each request came in "
                "on, and the daily digest the address an administrator last used; set HUB_PUBLIC_URL "
                "(e.g. https://hub.example.org) so every link is right, also behind a proxy.")
    return ("Note: HUB_PUBLIC_URL is not set; links in mail use the address the hub is reached at "
            "(set it in production: docs/operations.md, Mail).")


class HubServer(BaseApplication):
    """gunicorn with the hub's settings; the app is built once in the master, after
    preparation, and copied into each worker by fork (``preload_app``)."""

    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("preload_app", True)
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn 24+ opens a control socket at one path per user (~/.gunicorn):
            # two hubs on one machine would fight over it, and the hub needs none.
            self.cfg.set("control_socket_disable", True)
        self.cfg.set("post_fork", lambda _arbiter, _worker: start_worker(self.application))

    def load(self) -> Flask:
        return self.application


def serve(host: str, port: int, workers: int) -> None:
    """Prepare, then serve until stopped. Must not be called inside an app context."""
    if has_app_context():  # the bug this module exists to prevent
        raise RuntimeError("hub serve must start gunicorn outside any application context")
    from . import create_app

    prepare()
    app = create_app()
    from .i18n import LANGUAGE_NAMES
    from .langdetect import warm_up

    warm_up(LANGUAGE_NAMES)  # the language model is read once here and shared by the forked workers
    warning = public_url_warning(app)
    if warning:
        click.echo(warning, err=True)
    follower = start_search_follower(app)
    click.echo(f"Serving Inclusion Hub on http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        HubServer(app, {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-",
                        "timeout": 60, "graceful_timeout": 20}).run()
    finally:
        if follower is not None:
            follower.terminate()


def start_search_follower(app: Flask) -> subprocess.Popen | None:
    """The search indexer in a process of its own beside the workers (``hub search
    follow``; hub/search/worker.py says why); the workers then wake it instead of
    indexing in a thread of their own."""
    from .search.worker import mode, wake_follower

    if mode(app) != "thread":
        return None
    follower = subprocess.Popen([sys.executable, "-c", "from hub.cli import main; main()", "search", "follow",
                                 "--parent", str(os.getpid())], stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not wake_follower(app) and follower.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)  # listening before the first worker saves anything
    app.config["SEARCH_INDEXER"] = "process"
    return follower
