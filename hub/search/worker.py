"""Who drains the outbox, and when.

``SEARCH_INDEXER`` chooses:
- "thread" (the default): each server process runs one daemon thread that drains after
  every commit that wrote outbox rows, and every ``SEARCH_POLL_SECONDS`` in any case
  (for rows written by other processes, hosts or commands). Requests only set an event;
  they never wait on the index. Whichever process gets the Whoosh lock drains; the
  others find nothing left or give up at once.
  Outside a request (commands, ``hub serve`` preparing the site before it forks) the
  drain runs inline instead, so no thread is left behind in a command or the master.
- "inline": drain right after the commit, in the committing thread (tests).
- "off": only ``hub search drain`` or ``rebuild`` touch the index.

A thread that dies with its worker loses nothing: the rows stay in the outbox past the
index's mark, and the next drain applies them."""
from __future__ import annotations

import logging
import os
import threading

from flask import Flask, current_app, has_app_context, has_request_context

log = logging.getLogger(__name__)
_state: dict = {"pid": None, "event": None, "thread": None}
_guard = threading.Lock()


def mode(app: Flask) -> str:
    return str(app.config.get("SEARCH_INDEXER", "thread"))


def drain_now(app: Flask) -> int:
    """Drain in a fresh app context (its own database session), logging failures:
    a broken index never fails the save that triggered it."""
    from ..extensions import db
    from .indexer import drain

    with app.app_context():
        try:
            return drain()
        except Exception:
            log.exception("Search indexing failed; the outbox keeps the changes for the next try")
            return 0
        finally:
            db.session.remove()


def _loop(app: Flask, event: threading.Event) -> None:
    poll = float(app.config.get("SEARCH_POLL_SECONDS", 2.0))
    while True:
        event.wait(poll)
        event.clear()
        drain_now(app)


def _running_here() -> bool:
    """Whether this process has a live indexer thread (threads do not survive a fork)."""
    return _state["pid"] == os.getpid() and bool(_state["thread"] and _state["thread"].is_alive())


def ensure_thread(app: Flask) -> threading.Event:
    """This process's indexer thread (started after a fork, once per process)."""
    with _guard:
        if not _running_here():
            event = threading.Event()
            thread = threading.Thread(target=_loop, args=(app, event), name="hub-search-indexer", daemon=True)
            thread.start()
            _state.update(pid=os.getpid(), event=event, thread=thread)
            event.set()  # catch up with whatever was written while no thread ran
        return _state["event"]


def notify() -> None:
    """There is outbox work: wake the indexer (or drain now, in "inline" mode)."""
    if not has_app_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    current = mode(app)
    if current == "inline" or (current == "thread" and not has_request_context()):
        drain_now(app)
    elif current == "thread":
        ensure_thread(app).set()


def start_with_requests(app: Flask) -> None:
    """Start the thread with a process's first request, so rows written while no
    server ran (commands, a crashed worker) are applied without waiting for a save."""
    if mode(app) != "thread":
        return

    @app.before_request
    def _indexer_running() -> None:
        if not _running_here():  # checked without the lock first: this runs on every request
            ensure_thread(app)
