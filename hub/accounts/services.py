"""Account logic used by views, the CLI and tests. Functions add to the session;
the caller commits (one commit per request)."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ..database import utcnow
from ..extensions import db
from ..mail import queue_mail
from ..permissions import ROLES
from . import confirmation, lockout, twofactor
from .models import User, UserSession

# Checked against when the email is unknown, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + secrets.token_hex(8))


class AccountError(ValueError):
    """A user-facing problem with an account action; ``str()`` is the message."""


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def password_problems(password: str, hints: tuple[str, ...] = ()) -> list[str]:
    """Why ``password`` is too weak (empty when it is fine): length, then common
    passwords and guessable patterns (zxcvbn, with the user's own name and email)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return [_("Use at least %(n)d characters.", n=minimum)]
    result = zxcvbn(password[:100], user_inputs=[h for h in hints if h])
    if result["score"] < 3:
        return [_("This password is too common or easy to guess. Try a few unrelated words together.")]
    return []


def register(*, email: str, password: str, display_name: str, country: str, organisation: str,
             profession: str, language: str) -> User | None:
    """Open an unconfirmed account and mail its confirmation link; the new user, or
    None when the address already has an account (its owner is mailed instead). The
    caller answers both the same way, and both cost one password hash."""
    email = normalize_email(email)
    password_hash = generate_password_hash(password)
    known = find_by_email(email)
    if known is not None:
        if known.is_active:
            confirmation.tell_owner(known)
        return None
    user = User(email=email, password_hash=password_hash, display_name=display_name.strip(), country=country,
                organisation=organisation.strip(), profession=profession, language=language,
                email_confirmed_at=None)
    db.session.add(user)
    db.session.flush()
    confirmation.send_link(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user when the password matches and the account may log in."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


class LoginRefused(AccountError):
    """A login that must not go through; ``str()`` is the message for the form."""


def attempt_login(email: str, password: str, unlock_link_for) -> User:
    """The user when the password is right and the account may log in now.

    Raises :class:`LoginRefused` otherwise. A wrong password counts toward the
    account's lockout (the caller commits even then, so the count is kept); a locked
    account is refused whatever the password, and says so."""
    user = lockout.lock_row_for_login(normalize_email(email))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise LoginRefused(_("Email or password is not correct."))
    now = utcnow()
    if user.is_locked(now):
        check_password_hash(_DUMMY_HASH, password)
        raise LoginRefused(_locked_message(user, now))
    if not check_password_hash(user.password_hash, password):
        if lockout.record_failure(user, unlock_link_for, now):
            raise LoginRefused(_locked_message(user, now))
        raise LoginRefused(_("Email or password is not correct."))
    if not user.is_active:
        raise LoginRefused(_("This account is deactivated. Contact an administrator if you think this is a mistake."))
    if user.email_confirmed_at is None:
        confirmation.send_link(user)
        raise LoginRefused(_("Confirm your email address first: we have sent a new link to it. Open the link in "
                             "that mail to finish registering."))
    if (user.failed_logins or user.locked_until) and not twofactor.enabled(user):
        lockout.clear(user)  # with two steps, only the second step clears the count
    return user


def finish_login(user_id: int, code: str, unlock_link_for) -> User:
    """The second step of a login: the user when ``code`` is a fresh code from the
    authenticator app or an unused recovery code. Raises :class:`LoginRefused`
    otherwise; a wrong code counts toward the lockout as a wrong password does."""
    user = db.session.get(User, user_id)
    user = lockout.lock_row_for_login(user.email) if user is not None else None  # one worker at a time
    if user is None or not user.is_active or not twofactor.enabled(user):
        raise LoginRefused(_("Log in again, please."))
    now = utcnow()
    if user.is_locked(now):
        raise LoginRefused(_locked_message(user, now))
    if not twofactor.verify(user, code):
        if lockout.record_failure(user, unlock_link_for, now):
            raise LoginRefused(_locked_message(user, now))
        raise LoginRefused(_("That code is not right, or it was used already. Enter the code your app shows now, "
                             "or one of your recovery codes."))
    if user.failed_logins or user.locked_until:
        lockout.clear(user)
    return user


def _locked_message(user: User, now) -> str:
    return ngettext("This account is locked for %(num)d more minute after too many failed logins. We have sent its "
                    "owner an email with a link that unlocks it at once; resetting the password unlocks it too.",
                    "This account is locked for %(num)d more minutes after too many failed logins. We have sent its "
                    "owner an email with a link that unlocks it at once; resetting the password unlocks it too.",
                    lockout.minutes_locked(user, now))


def unlock(token: str) -> User:
    """Use the link from the lockout mail; raises :class:`lockout.UnlockError`."""
    user = lockout.user_for_unlock_token(token)
    lockout.clear(user)
    return user


def start_session(user: User, user_agent: str = "") -> str:
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user=user, key_hash=UserSession.hash_key(key), user_agent=(user_agent or "")[:200]))
    user.current_session_key = key
    user.last_login_at = utcnow()
    return key


def end_session(user: User, key: str | None) -> None:
    if key:
        db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                     UserSession.key_hash == UserSession.hash_key(key)))


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id must name a live session row of an active user."""
    uid, _sep, key = (user_id or "").partition(":")
    if not uid.isdigit() or not key:
        return None
    user = db.session.get(User, int(uid))
    if user is None or not user.is_active:
        return None
    found = db.session.scalar(select(UserSession.id).where(UserSession.user_id == user.id,
                                                            UserSession.key_hash == UserSession.hash_key(key)))
    if found is None:
        return None
    user.current_session_key = key
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password)


def change_password(user: User, current: str, new: str, user_agent: str = "") -> str:
    """Ends every other login of this user; returns the new key for this one."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError(_("Your current password is not correct."))
    set_password(user, new)
    end_all_sessions(user)
    return start_session(user, user_agent)


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # A token is tied to the password it was issued for: once used, the password
    # changes and every earlier token (this one included) stops working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise AccountError(_("This reset link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise AccountError(_("This reset link is not valid.")) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active or not hmac.compare_digest(str(data.get("p")), _password_fingerprint(user)):
        raise AccountError(_("This reset link has already been used or is no longer valid. Ask for a new one."))
    return user


def request_password_reset(email: str, link_for) -> None:
    """Queue a reset mail when the account exists; say nothing either way."""
    user = find_by_email(email)
    if user is None or not user.is_active:
        return
    link = link_for(make_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    with force_locale(user.language or "en"):  # the owner's language, not the requesting page's
        queue_mail(user.email, _("Reset your Inclusion Hub password"),
                   _("Hello %(name)s,\n\nSomeone (hopefully you) asked to reset the password of your Inclusion Hub "
                     "account. "
                     "Open this link within %(minutes)d minutes to choose a new password:\n\n%(link)s\n\n"
                     "If you did not ask for this, ignore this message: your password stays as it is.",
                     name=user.display_name, minutes=minutes, link=link))


def reset_password(token: str, new: str) -> User:
    user = user_for_reset_token(token)
    set_password(user, new)
    confirmation.confirm(user)  # the reset link reached the address
    lockout.clear(user)
    end_all_sessions(user)
    return user


def delete_account(user: User) -> None:
    """Removes personal data but keeps the row, so forum posts stay in their threads
    (shown as by a deleted member)."""
    end_all_sessions(user)
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@deleted.invalid"
    user.display_name = "Deleted member"
    user.organisation = ""
    user.bio = ""
    user.country = ""
    user.password_hash = "!" + secrets.token_hex(16)
    user.active = False
    user.deleted_at = utcnow()


def set_role(user: User, role: str) -> None:
    if role not in ROLES:
        raise AccountError(_("Unknown role."))
    user.role = role


def set_active(user: User, active: bool) -> None:
    """A deactivated account cannot log in and all its sessions end at once."""
    user.active = active
    if not active:
        end_all_sessions(user)


def search_users(query: str = "", role: str | None = None):
    stmt = select(User).where(User.deleted_at.is_(None))
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.display_name).like(like), User.email.like(like),
                              func.lower(User.organisation).like(like)))
    if role:
        stmt = stmt.where(User.role == role)
    return stmt.order_by(User.display_name, User.id)


def create_admin(email: str, password: str, display_name: str | None = None) -> User:
    user = find_by_email(email)
    if user is None:
        user = User(email=normalize_email(email), display_name=display_name or email.split("@")[0],
                    password_hash=generate_password_hash(password))
        db.session.add(user)
    else:
        set_password(user, password)
    user.role = "admin"
    user.active = True
    confirmation.confirm(user)
    return user
