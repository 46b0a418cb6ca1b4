"""Who drains the outbox, and when.

``SEARCH_INDEXER`` chooses:
- "process" (what ``hub serve`` turns "thread" into): one indexer process beside the
  workers (``hub search follow``, started by the master before it forks them). Indexing
  is CPU work; in a worker's own thread it competed for that worker's interpreter lock,
  and every request of the worker queued behind it (the reply tail measured in
  docs/performance.md). Workers wake the follower with a datagram on a socket named
  after the instance folder, after a commit that wrote outbox rows; it also looks
  every ``SEARCH_POLL_SECONDS``. When no follower answers, a worker falls back to its
  own thread, so search stays current if the follower dies.
- "thread" (the default outside ``hub serve``): each server process runs one daemon thread that drains after
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

import hashlib
import logging
import os
import select
import socket
import threading
import time

from flask import Flask, current_app, has_app_context, has_request_context

log = logging.getLogger(__name__)
_state: dict = {"pid": None, "event": None, "thread": None, "stop": None}
_guard = threading.Lock()


def mode(app: Flask) -> str:
    return str(app.config.get("SEARCH_INDEXER", "thread"))


def drain_now(app: Flask, gathered: bool = False) -> int:
    """Drain in a fresh app context (its own database session), logging failures:
    a broken index never fails the save that triggered it."""
    from ..extensions import db
    from .indexer import drain

    with app.app_context():
        try:
            return drain(gathered=gathered)
        except Exception:
            log.exception("Search indexing failed; the outbox keeps the changes for the next try")
            return 0
        finally:
            db.session.remove()


def _loop(app: Flask, event: threading.Event, stop: threading.Event) -> None:
    poll = float(app.config.get("SEARCH_POLL_SECONDS", 2.0))
    while not stop.is_set():
        event.wait(poll)
        event.clear()
        if not stop.is_set():
            drain_now(app)


def _running_here() -> bool:
    """Whether this process has a live indexer thread (threads do not survive a fork)."""
    return _state["pid"] == os.getpid() and bool(_state["thread"] and _state["thread"].is_alive())


def ensure_thread(app: Flask) -> threading.Event:
    """This process's indexer thread (started after a fork, once per process)."""
    with _guard:
        if not _running_here():
            event, stop = threading.Event(), threading.Event()
            thread = threading.Thread(target=_loop, args=(app, event, stop), name="hub-search-indexer", daemon=True)
            thread.start()
            _state.update(pid=os.getpid(), event=event, thread=thread, stop=stop)
            event.set()  # catch up with whatever was written while no thread ran
        return _state["event"]


def stop_thread(timeout: float = 10) -> None:
    """Stop this process's indexer thread, if it runs (a test that started one)."""
    with _guard:
        if not _running_here():
            return
        _state["stop"].set()
        _state["event"].set()
        _state["thread"].join(timeout)
        _state.update(pid=None, event=None, thread=None, stop=None)


def notify() -> None:
    """There is outbox work: wake the indexer (or drain now, in "inline" mode)."""
    if not has_app_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    current = mode(app)
    if current == "inline" or (current in ("thread", "process") and not has_request_context()):
        drain_now(app)
    elif current == "thread" or (current == "process" and not wake_follower(app)):
        ensure_thread(app).set()


# -- the follower process ---------------------------------------------------------------

def follower_address(app: Flask) -> str:
    """An abstract socket (Linux: no file to clean up) named after the instance folder,
    so two sites on one machine never wake each other's follower."""
    digest = hashlib.sha256(str(os.path.realpath(app.instance_path)).encode()).hexdigest()[:24]
    return f"\0inclusion-hub-search-{digest}"


def wake_follower(app: Flask) -> bool:
    """Tell the follower there is work; False when none is listening."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as wake:
        wake.setblocking(False)
        try:
            wake.sendto(b"!", follower_address(app))
        except BlockingIOError:
            return True  # its queue is full of wake-ups already
        except OSError:
            return False
    return True


def follow(app: Flask, parent: int | None = None, stop: threading.Event | None = None) -> None:
    """Drain whenever woken and every ``SEARCH_POLL_SECONDS``, until ``parent`` (the
    server's master) is gone or ``stop`` is set. Refuses to start beside another
    follower of the site."""
    poll = float(app.config.get("SEARCH_POLL_SECONDS", 2.0))
    gather = float(app.config.get("SEARCH_GATHER_SECONDS", 1.0))
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as inbox:
        inbox.bind(follower_address(app))  # OSError (address in use): one follower per site
        inbox.setblocking(False)
        while (parent is None or os.getppid() == parent) and not (stop and stop.is_set()):
            started = time.monotonic()
            drain_now(app, gathered=True)
            # Each drain opens the index and commits a segment, whatever it applies: under
            # a stream of saves, gathering them for a second costs one commit, not forty.
            pause = gather - (time.monotonic() - started)
            if pause > 0:
                (stop.wait if stop else time.sleep)(pause)
            ready, _, _ = select.select([inbox], [], [], poll)
            while ready:
                try:
                    inbox.recv(64)  # one drain serves every wake-up waiting
                except BlockingIOError:
                    break


def start_with_requests(app: Flask) -> None:
    """Start the thread with a process's first request, so rows written while no
    server ran (commands, a crashed worker) are applied without waiting for a save."""
    if mode(app) != "thread":
        return

    @app.before_request
    def _indexer_running() -> None:
        # checked without the lock first: this runs on every request; `hub serve` turns
        # "thread" into "process" after this hook was added, and then starts no thread
        if not _running_here() and mode(app) == "thread":
            ensure_thread(app)
