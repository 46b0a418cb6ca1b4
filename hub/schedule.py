"""Daily jobs run by the server itself (the forum digest), once a day across every
worker and host, with no cron to set up.

``hub serve`` starts one daemon thread in each gunicorn worker (``start``). Every
``SCHEDULE_POLL_SECONDS`` (60) it asks each registered job whether it is due: its hour
(a config key such as ``DIGEST_HOUR``) has passed today in the site's time zone
(``BABEL_DEFAULT_TIMEZONE``, UTC unless set). A due job is *claimed* by inserting the
row ``hub-schedule/<job>/<date>`` into ``rate_limit_counter`` (a fixed window of one
hit: the table the shared rate limits already use, in the site's own database) with
``ON CONFLICT DO NOTHING``, in the same transaction as the job's work. Only the
transaction whose insert wrote the row does the work; on PostgreSQL a second
claimant waits for the first to commit and then finds the row, and if the first
fails and rolls back, the second does the job instead. SQLite serialises writers
(``BEGIN IMMEDIATE``) to the same effect. A site that starts after the hour catches
up at once; nothing runs twice on one date.

Each process remembers the dates it has settled, so after the first check of the day
a poll costs no query. ``SCHEDULER = False`` (``HUB_SCHEDULER=false``) turns the
thread off, for sites that run the job's command from cron instead."""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from sqlalchemy import text

from .database import utcnow
from .extensions import db

log = logging.getLogger(__name__)

_CLAIM = text("INSERT INTO rate_limit_counter (key, hits, expires_at) VALUES (:key, 1, :expires) "
              "ON CONFLICT (key) DO NOTHING")
_KEEP_SECONDS = 3 * 86400  # the row outlives its date; the rate limiter prunes it after


@dataclass
class DailyJob:
    """``active()`` says whether the site uses the job at all (checked quietly, no
    claim when not); ``ready()`` returns why it cannot run yet (logged once a day) or
    None; ``run()`` does the work in the caller's transaction (no commit) and returns
    a line for the log; ``after_commit()`` follows a successful commit (mail delivery)."""

    name: str
    hour_setting: str
    run: Callable[[], str]
    ready: Callable[[], str | None] = lambda: None
    active: Callable[[], bool] = lambda: True
    after_commit: Callable[[], object] | None = None


def _state(app: Flask) -> dict:
    return app.extensions.setdefault("hub_schedule", {"jobs": {}, "settled": {}, "warned": {}})


def register(app: Flask, job: DailyJob) -> None:
    """Add (or replace, so init_app stays idempotent) a daily job."""
    _state(app)["jobs"][job.name] = job


def jobs(app: Flask) -> list[DailyJob]:
    return list(_state(app)["jobs"].values())


def site_zone(app: Flask) -> ZoneInfo | timezone:
    name = str(app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("Unknown time zone %r (HUB_BABEL_DEFAULT_TIMEZONE); daily jobs use UTC", name)
        return timezone.utc


def due_date(app: Flask, job: DailyJob, now: datetime) -> date | None:
    """Today's date in the site's time zone once the job's hour has come, else None."""
    local = now.astimezone(site_zone(app))
    hour = int(app.config.get(job.hour_setting, 0))
    return local.date() if local.hour >= hour else None


def today(app: Flask, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(site_zone(app)).date()


def claim(name: str, day: date) -> bool:
    """Take the job's run for ``day`` in the current transaction; False when another
    process (or an earlier run) has it. Commit to keep the claim, roll back to give it up."""
    result = db.session.execute(_CLAIM, {"key": f"hub-schedule/{name}/{day.isoformat()}",
                                         "expires": time.time() + _KEEP_SECONDS})
    return result.rowcount == 1  # type: ignore[attr-defined]  # a CursorResult for an INSERT


def run_if_due(app: Flask, job: DailyJob, now: datetime | None = None) -> str:
    """One check of one job, in the current app context. Returns what happened:
    "not due", "settled" (already done here today), "inactive", "waiting" (not
    ready), "taken" (another process has it) or "ran"."""
    now = now or utcnow()
    state = _state(app)
    day = due_date(app, job, now)
    if day is None:
        return "not due"
    if state["settled"].get(job.name) == day:
        return "settled"
    if not job.active():
        return "inactive"
    reason = job.ready()
    if reason is not None:
        if state["warned"].get(job.name) != day:
            state["warned"][job.name] = day
            app.logger.warning("Daily job %s waits: %s", job.name, reason)
        return "waiting"
    try:
        if not claim(job.name, day):
            db.session.rollback()
            state["settled"][job.name] = day
            return "taken"
        summary = job.run()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    state["settled"][job.name] = day
    app.logger.info("Daily job %s for %s: %s", job.name, day.isoformat(), summary)
    if job.after_commit is not None:
        job.after_commit()
    return "ran"


def run_due(app: Flask, now: datetime | None = None) -> None:
    """Check every job in a fresh app context; a failing job is logged and retried
    at the next poll (its claim was rolled back with its work)."""
    for job in jobs(app):
        with app.app_context():
            try:
                run_if_due(app, job, now)
            except Exception:
                log.exception("Daily job %s failed; it is tried again at the next check", job.name)
            finally:
                db.session.remove()


def enabled(app: Flask) -> bool:
    return bool(app.config.get("SCHEDULER", True)) and bool(jobs(app))


_threads: dict[int, threading.Thread] = {}  # pid → this process's scheduler thread
_guard = threading.Lock()


def _loop(app: Flask) -> None:
    poll = float(app.config.get("SCHEDULE_POLL_SECONDS", 60))
    time.sleep(min(poll, 5.0))  # let the worker finish booting first
    while True:
        run_due(app)
        time.sleep(poll)


def start(app: Flask) -> threading.Thread | None:
    """This process's scheduler thread (once per process; threads do not survive a
    fork, so each gunicorn worker starts its own from ``post_fork``)."""
    if not enabled(app):
        return None
    with _guard:
        thread = _threads.get(os.getpid())
        if thread is None or not thread.is_alive():
            thread = threading.Thread(target=_loop, args=(app,), name="hub-scheduler", daemon=True)
            thread.start()
            _threads[os.getpid()] = thread
        return thread
