"""The daily forum digest as a job of the server's scheduler (``hub.schedule``): sent
at ``DIGEST_HOUR`` (``HUB_DIGEST_HOUR``, 7) in the site's time zone, once a day
whatever the number of workers and hosts, and by ``hub forum send-digests`` on demand."""
from __future__ import annotations

from flask import Flask

from .. import schedule
from ..mail import deliver_pending
from ..site_address import base_url, require_base_url
from .notifications import forum_mail_enabled, send_digests

JOB = "forum-digest"


def _ready() -> str | None:
    if base_url() is None:
        return ("no public address is known for the links: set HUB_PUBLIC_URL, or log in once "
                "as an administrator at the site's public address")
    return None


def _run() -> str:
    mails, items = send_digests()
    return f"{mails} mails covering {items} posts"


def register(app: Flask) -> None:
    """The job: quiet while forum mail is off, waiting (logged) while no address is known."""
    schedule.register(app, schedule.DailyJob(JOB, "DIGEST_HOUR", run=_run, ready=_ready,
                                             active=forum_mail_enabled, after_commit=deliver_pending))


def send_now(app: Flask) -> tuple[int, int]:
    """What the command does: send what waits now, and count today as done, so the
    scheduler does not send a second digest later the same day. The caller commits.
    Raises ``UnknownAddress`` (nothing claimed) when no address is known for the links."""
    require_base_url()
    schedule.claim(JOB, schedule.today(app))
    return send_digests()
