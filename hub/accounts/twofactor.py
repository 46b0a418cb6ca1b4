"""Two-step verification: a time-based one-time code (TOTP, RFC 6238, from any
authenticator app) after the password, with single-use recovery codes for a lost
phone. Optional for members, required for the roles in TWO_FACTOR_REQUIRED_ROLES
(administrators by default, ASVS level 2). pyotp computes the codes; each code is
accepted once (the last used time step is kept on the account)."""
from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
import segno
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from ..database import utcnow
from ..extensions import db
from ..mail import queue_mail
from ..urls import public_url
from .models import RecoveryCode, User

ISSUER = "Inclusion Hub"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def enabled(user: User) -> bool:
    return bool(user.totp_secret)


def required(user: User) -> bool:
    return user.role in current_app.config["TWO_FACTOR_REQUIRED_ROLES"]


def new_secret() -> str:
    return pyotp.random_base32()


def setup_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4, border=2, title=title)


def grouped(secret: str) -> str:
    """The key in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str) -> int | None:
    """The time step whose code is ``code`` (now, or one step either side for a
    slow clock), else None."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def code_matches(secret: str, code: str) -> bool:
    """For setting up: the code the app shows for a key not yet saved."""
    return _matching_step(secret, code) is not None


def _use_code(user: User, code: str) -> bool:
    step = _matching_step(user.totp_secret or "", code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False  # wrong, or already used: a code seen over a shoulder is spent
    user.totp_last_step = step
    return True


def _hash(code: str) -> str:
    # Keyed with the site's secret: a copied database alone does not give the codes away.
    return hmac.new(current_app.config["SECRET_KEY"].encode(), code.encode(), hashlib.sha256).hexdigest()


def _normal(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _use_recovery_code(user: User, code: str) -> bool:
    normal = _normal(code)
    if len(normal) != 10:
        return False
    row = db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                       RecoveryCode.code_hash == _hash(normal),
                                                       RecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def verify(user: User, code: str) -> bool:
    """The second step of a login: a code from the app or an unused recovery code."""
    return enabled(user) and (_use_code(user, code) or _use_recovery_code(user, code))


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes (the old ones stop working), shown to the member once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Save the key once the app proves it has it; the recovery codes, or None
    when the code does not match."""
    step = _matching_step(secret, code)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    return new_recovery_codes(user)


def disable(user: User) -> None:
    """Turn it off and tell the owner by mail, so a change they did not make is noticed."""
    user.totp_secret = None
    user.totp_last_step = None
    user.totp_enabled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    with force_locale(user.language or "en"):
        queue_mail(user.email, _("Two-step verification is off for your Inclusion Hub account"),
                   _("Hello %(name)s,\n\nTwo-step verification was turned off for your Inclusion Hub account: "
                     "your password alone logs you in now. You can turn it on again under Your profile → "
                     "Two-step verification:\n\n%(link)s\n\nIf you did not ask for this, change your password "
                     "and tell an administrator.",
                     name=user.display_name, link=public_url("accounts.two_step")))
