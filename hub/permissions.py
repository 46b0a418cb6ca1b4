"""The one permission check. Every view and template asks ``can(user, action, obj)``;
features register the rule for each action they own with ``@rule("action")``."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import abort, redirect, request, url_for
from flask_login import current_user

LEARNER, TRAINER, MODERATOR, ADMIN = "learner", "trainer", "moderator", "admin"
ROLES = (LEARNER, TRAINER, MODERATOR, ADMIN)

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    """Register the function deciding ``action``; one function per action."""

    def register(func: Rule) -> Rule:
        if action in _RULES and _RULES[action] is not func:
            raise RuntimeError(f"permission rule {action!r} registered twice")
        _RULES[action] = func
        return func

    return register


def is_member(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def has_role(user, *roles: str) -> bool:
    """True for an active member holding one of ``roles``; administrators hold all."""
    if not is_member(user):
        return False
    return user.role == ADMIN or user.role in roles


def can(user, action: str, obj: Any = None) -> bool:
    try:
        decide = _RULES[action]
    except KeyError:
        raise LookupError(f"no permission rule for {action!r}") from None
    return bool(decide(user, obj))


def ensure(action: str, obj: Any = None) -> None:
    """Stop the request unless the current user may do ``action``: anonymous visitors
    are sent to log in, members get the 403 page."""
    if can(current_user, action, obj):
        return
    if not is_member(current_user):
        abort(redirect(url_for("accounts.login", next=request.full_path.rstrip("?"))))
    abort(403)


def require(action: str):
    """View decorator for actions that do not depend on an object."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            ensure(action)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# Rules that belong to no single feature.
@rule("member")
def _member(user, obj) -> bool:
    return is_member(user)


@rule("admin.users")
def _admin_users(user, obj) -> bool:
    return has_role(user, ADMIN)


@rule("admin.outbox")
def _admin_outbox(user, obj) -> bool:
    return has_role(user, ADMIN)
