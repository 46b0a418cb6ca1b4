"""Per-account lockout, as Moodle does it (lockoutthreshold, lockoutwindow,
lockoutduration): the per-address rate limit stops one machine guessing fast; this
stops many machines, or a slow guesser, trying one account. After
``LOGIN_LOCKOUT_THRESHOLD`` failed logins within ``LOGIN_LOCKOUT_WINDOW`` seconds the
account refuses every login, even the right password, for ``LOGIN_LOCKOUT_DURATION``
seconds; its owner gets a mail with a link that unlocks it at once. A password reset
unlocks it too.

Callers load the user with :func:`lock_row_for_login` so that parallel attempts on one
account are counted one after another (a row lock on PostgreSQL; on SQLite, write
requests already run one at a time under ``BEGIN IMMEDIATE``)."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from ..mail import queue_mail
from .models import User


def lock_row_for_login(email: str) -> User | None:
    """The account, freshly read and held until the transaction ends."""
    return db.session.scalar(select(User).where(User.email == email).with_for_update()
                             .execution_options(populate_existing=True))


def record_failure(user: User, unlock_link_for, now: datetime | None = None) -> bool:
    """Count a wrong password; lock the account and mail its owner when this failure
    reaches the threshold. True when the account is now locked."""
    config = current_app.config
    threshold = int(config["LOGIN_LOCKOUT_THRESHOLD"])
    if threshold <= 0:
        return False
    now = now or utcnow()
    window = timedelta(seconds=int(config["LOGIN_LOCKOUT_WINDOW"]))
    recent = user.last_failed_login_at is not None and now - user.last_failed_login_at <= window
    user.failed_logins = (user.failed_logins or 0) + 1 if recent else 1
    user.last_failed_login_at = now
    if user.failed_logins < threshold:
        return False
    lock(user, unlock_link_for, now)
    return True


def lock(user: User, unlock_link_for, now: datetime | None = None) -> None:
    now = now or utcnow()
    user.locked_until = now + timedelta(seconds=int(current_app.config["LOGIN_LOCKOUT_DURATION"]))
    user.failed_logins = 0  # counting starts afresh once the lock ends
    link = unlock_link_for(make_unlock_token(user))
    with force_locale(user.language or "en"):
        queue_mail(user.email, _("Your Inclusion Hub account was locked"),
                   ngettext("Hello %(name)s,\n\nSomeone tried to log in to your Inclusion Hub account with wrong "
                            "passwords too many times, so we have locked it for %(num)d minute to protect it. If this "
                            "was you, open this link to unlock the account now:\n\n%(link)s\n\nIf it was not you, "
                            "unlock the account and choose a new password: someone may be trying to guess it.",
                            "Hello %(name)s,\n\nSomeone tried to log in to your Inclusion Hub account with wrong "
                            "passwords too many times, so we have locked it for %(num)d minutes to protect it. If this "
                            "was you, open this link to unlock the account now:\n\n%(link)s\n\nIf it was not you, "
                            "unlock the account and choose a new password: someone may be trying to guess it.",
                            minutes_locked(user, now), name=user.display_name, link=link))


def clear(user: User) -> None:
    """After a successful login, an unlock or a password reset."""
    user.failed_logins = 0
    user.last_failed_login_at = None
    user.locked_until = None


def minutes_locked(user: User, now: datetime | None = None) -> int:
    """Minutes left, rounded up, for messages."""
    if user.locked_until is None:
        return 0
    seconds = (user.locked_until - (now or utcnow())).total_seconds()
    return max(1, int(-(-seconds // 60)))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="account-unlock")


def make_unlock_token(user: User) -> str:
    # Tied to this lock: once unlocked (or locked again later) the link stops working.
    assert user.locked_until is not None  # only a locked account gets an unlock link
    return _serializer().dumps({"u": user.id, "l": int(user.locked_until.timestamp())})


class UnlockError(ValueError):
    """The unlock link cannot be used; ``str()`` says why, for the user."""


def user_for_unlock_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=int(current_app.config["ACCOUNT_UNLOCK_MAX_AGE"]))
    except SignatureExpired:
        raise UnlockError(_("This unlock link has expired. Wait until the lock ends, or reset your password.")) \
            from None
    except BadSignature:
        raise UnlockError(_("This unlock link is not valid.")) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if (user is None or not user.is_active or user.locked_until is None
            or int(user.locked_until.timestamp()) != data.get("l")):
        raise UnlockError(_("This unlock link has already been used or the account is no longer locked. "
                            "Try to log in."))
    return user
