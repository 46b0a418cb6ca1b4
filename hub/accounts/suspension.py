"""Timed suspension: the member logs in and reads, but writes nothing in the forum
before a given day. It ends by itself: nothing runs at that date, every check
compares the stored day with today in the site's time zone."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import get_timezone

from .models import User

REASON_MAX = 300


def today() -> date:
    """Today in the site's (or the reader's) time zone, where the chosen day starts."""
    return datetime.now(get_timezone()).date()


def is_suspended(user) -> bool:
    until = getattr(user, "suspended_until", None)
    return until is not None and until > today()


def active_suspension(user) -> tuple[date, str] | None:
    """(the first day the member may write again, the reason) while suspended."""
    if not is_suspended(user):
        return None
    return user.suspended_until, user.suspension_reason


def suspend(user: User, until: date, reason: str) -> None:
    """Raises ValueError when ``until`` is not after today or the reason is empty:
    a suspension always says when it ends and why."""
    reason = " ".join((reason or "").split())[:REASON_MAX]
    if until <= today():
        raise ValueError("until")
    if not reason:
        raise ValueError("reason")
    user.suspended_until, user.suspension_reason = until, reason


def lift(user: User) -> bool:
    """End a suspension early; False when there was none running."""
    running = is_suspended(user)
    user.suspended_until, user.suspension_reason = None, ""
    return running
