"""Confirming a member's email address before the account may log in.

Registration answers a new and a known address the same way (OWASP's advice
against account enumeration): a new address is mailed a link that confirms it and
logs the member in; the owner of a known address is mailed that someone tried to
register with it, with links to log in or reset the password. Only the mail
differs, and only the address's owner reads it."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..database import utcnow
from ..extensions import db
from ..mail import queue_mail
from ..urls import public_url
from .models import User


class ConfirmationError(ValueError):
    """A confirmation link that cannot be used; ``str()`` says what to do."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="confirm-email")


def make_token(user: User) -> str:
    # Tied to the address: after an address change the old link stops working.
    return _serializer().dumps({"u": user.id, "e": user.email})


def user_for_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    except SignatureExpired:
        raise ConfirmationError(_("This confirmation link has expired. Log in with your email and password "
                                  "and we will send you a new one.")) from None
    except BadSignature:
        raise ConfirmationError(_("This confirmation link is not valid.")) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or not user.is_active or user.email != data.get("e"):
        raise ConfirmationError(_("This confirmation link is no longer valid."))
    return user


def confirm(user: User) -> None:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()


def send_link(user: User) -> None:
    """Mail a new member the link that confirms the address."""
    days = current_app.config["EMAIL_CONFIRM_MAX_AGE"] // 86400
    link = public_url("accounts.confirm_email", token=make_token(user))
    with force_locale(user.language or "en"):
        queue_mail(user.email, _("Confirm your email address for Inclusion Hub"),
                   _("Hello %(name)s,\n\nWelcome to Inclusion Hub. Open this link within %(days)d days to confirm "
                     "your email address and start learning:\n\n%(link)s\n\nIf you did not create an account, "
                     "ignore this message: without confirmation the account cannot be used.",
                     name=user.display_name, days=days, link=link))


def tell_owner(user: User) -> None:
    """Someone registered with an address that already has an account: tell its
    owner, not the visitor. Resetting the password also confirms the address, so an
    account someone else opened with this address is taken over by its owner."""
    with force_locale(user.language or "en"):
        queue_mail(user.email, _("Someone tried to register with your email address"),
                   _("Hello %(name)s,\n\nSomeone tried to create an Inclusion Hub account with this email address, "
                     "which already has one. If it was you, log in here:\n\n%(login)s\n\nIf you forgot your "
                     "password, choose a new one here:\n\n%(reset)s\n\nIf it was not you, ignore this message: "
                     "nothing has changed.",
                     name=user.display_name, login=public_url("accounts.login"),
                     reset=public_url("accounts.reset_request")))
