"""Whole pages for visitors who are not logged in, kept in each worker's memory.

Anonymous visitors of one language see the same course, lesson, practice or glossary
page, so rendering it again for each of them is the largest cost a public site pays
(docs/performance.md). A view opts in with :func:`public_page`; its page is then kept
per host, address and language and served without running the view, while:

- **nobody logged in is ever served from it or stored into it**, and a visitor with a
  message waiting (a flash) gets the page rendered for them;
- **the CSRF token is the visitor's own**: the stored copy holds a marker where the
  token was, replaced on the way out by the token of the visitor's session;
- **a change shows at once on this host**: a committed write to any table other than
  the private ones below (progress, attempts, read marks, notifications, sessions…)
  rewrites ``<instance>/page-cache-version``, which every worker reads before using a
  stored page. Other hosts of the same database see the change within
  ``HUB_PAGE_CACHE_SECONDS`` (the lifetime of a stored page, 60 by default; 0 turns the
  cache off).
"""
from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

from cachetools import TTLCache
from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event

from .extensions import db

# Writes to these tables never change what a visitor who is not logged in can see.
PRIVATE_TABLES = frozenset({
    "lesson_progress", "quiz_attempt", "quiz_response", "forum_read_state", "forum_notification",
    "forum_draft", "forum_subscription", "forum_member_settings", "outbox_message", "rate_limit_counter",
    "user_session", "recovery_code", "search_outbox",
})
TOKEN_MARKER = "\x00hub-csrf-token\x00"
VERSION_FILE = "page-cache-version"


def public_page(view):
    """Let the page cache keep this view's page for visitors who are not logged in.
    Only for pages whose content depends on nothing but the address, the language and
    the site's data (not the clock beyond a minute, not the visitor)."""
    view.public_page = True
    return view


class PageCache:
    def __init__(self, app: Flask):
        self.seconds = float(app.config.get("PAGE_CACHE_SECONDS", 60))
        self.pages: TTLCache = TTLCache(maxsize=int(app.config.get("PAGE_CACHE_SIZE", 500)),
                                        ttl=self.seconds or 1)
        self.lock = threading.Lock()
        self.version_path = Path(app.instance_path) / VERSION_FILE

    def version(self) -> str:
        try:
            return self.version_path.read_text()
        except FileNotFoundError:
            return ""

    def changed(self) -> None:
        """A new version, written whole (a reader never sees half a file)."""
        temporary = self.version_path.with_name(f"{VERSION_FILE}.{os.getpid()}.{threading.get_ident()}")
        temporary.write_text(uuid.uuid4().hex)
        os.replace(temporary, self.version_path)

    def get(self, key):
        with self.lock:
            return self.pages.get(key)

    def put(self, key, page) -> None:
        with self.lock:
            self.pages[key] = page


def _cacheable_request(app: Flask) -> bool:
    view = app.view_functions.get(request.endpoint or "")
    return (request.method in ("GET", "HEAD") and getattr(view, "public_page", False)
            and "_flashes" not in session and not current_user.is_authenticated)


def _serve_or_note():
    app = current_app._get_current_object()
    cache: PageCache = app.extensions["hub_page_cache"]
    if not _cacheable_request(app):
        return None
    key = (request.host, request.full_path, str(get_locale()), cache.version())
    stored = cache.get(key)
    if stored is None:
        g.page_cache_key = key
        return None
    body, mimetype = stored
    if TOKEN_MARKER in body:
        body = body.replace(TOKEN_MARKER, generate_csrf())
    response = app.response_class(body, mimetype=mimetype)
    response.headers["X-Page-Cache"] = "hit"
    return response


def _store(response):
    key = g.pop("page_cache_key", None)
    if (key is None or response.status_code != 200 or response.mimetype != "text/html"
            or response.direct_passthrough or "_flashes" in session or current_user.is_authenticated):
        return response
    body = response.get_data(as_text=True)
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token, TOKEN_MARKER)
    current_app.extensions["hub_page_cache"].put(key, (body, response.mimetype))
    response.headers["X-Page-Cache"] = "miss"
    return response


def _watch_writes(engine, cache: PageCache) -> None:
    """Note a committed write to a public table on the connection, and change the
    version once the connection is back in the pool, i.e. after the COMMIT."""

    @event.listens_for(engine, "after_cursor_execute")
    def note_write(conn, cursor, statement, parameters, context, executemany):
        if context is None:
            return
        if context.compiled is None:  # SQL text: a write to some table, assume a public one
            if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
                conn.connection.info["page_cache_write"] = True
            return
        if not (context.isinsert or context.isupdate or context.isdelete):
            return
        table = getattr(context.compiled.statement, "table", None)
        if getattr(table, "name", None) not in PRIVATE_TABLES:
            conn.connection.info["page_cache_write"] = True

    @event.listens_for(engine, "commit")
    def committed(conn):
        if conn.connection.info.pop("page_cache_write", False):
            conn.connection.info["page_cache_committed"] = True

    @event.listens_for(engine, "rollback")
    def rolled_back(conn):
        conn.connection.info.pop("page_cache_write", None)

    @event.listens_for(engine.pool, "checkin")
    def returned(dbapi_connection, connection_record):
        if connection_record is not None and connection_record.info.pop("page_cache_committed", False):
            cache.changed()


def init_app(app: Flask) -> None:
    cache = PageCache(app)
    app.extensions["hub_page_cache"] = cache
    with app.app_context():
        for engine in db.engines.values():
            _watch_writes(engine, cache)
    if cache.seconds <= 0:
        return
    app.before_request(_serve_or_note)
    app.after_request(_store)

