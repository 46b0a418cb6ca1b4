"""User management and the mail outbox."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts import confirmation, lockout, twofactor
from ..accounts import services as accounts
from ..accounts.forms import ROLE_LABELS, RoleForm
from ..accounts.models import User
from ..database import utcnow
from ..extensions import db
from ..forms import EmptyForm
from ..mail import OutboxMessage
from ..pagination import paginate
from ..permissions import require

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted:
        abort(404)
    return user


@bp.route("/")
@require("admin.users")
def index():
    return redirect(url_for("admin.users"))


@bp.route("/users")
@require("admin.users")
def users():
    query = request.args.get("q", "").strip()
    role = request.args.get("role") or None
    if role not in ROLE_LABELS:
        role = None
    page = paginate(accounts.search_users(query, role), per_page=25)
    return render_template("admin/users.html", page=page, q=query, role=role, role_labels=ROLE_LABELS,
                           role_form=RoleForm(), action_form=EmptyForm(), now=utcnow())


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@require("admin.users")
def change_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        if user.id == current_user.id and form.role.data != "admin":
            flash(_("You cannot remove your own administrator role."), "error")
        else:
            accounts.set_role(user, form.role.data)
            db.session.commit()
            flash(_("%(name)s is now: %(role)s.", name=user.display_name, role=ROLE_LABELS[user.role]), "success")
    else:
        flash(_("Choose a valid role."), "error")
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for("admin.users"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@require("admin.users")
def toggle_active(user_id: int):
    user = _user_or_404(user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        if user.id == current_user.id:
            flash(_("You cannot deactivate your own account."), "error")
        else:
            accounts.set_active(user, not user.active)
            db.session.commit()
            flash(_("%(name)s has been reactivated.", name=user.display_name) if user.active
                  else _("%(name)s has been deactivated and logged out everywhere.", name=user.display_name), "success")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))


def _user_action(user_id: int, act: Callable[[User], object], done: str):
    """One account action from the users list: ``act`` changes the member, ``done``
    (with ``%(name)s``) says so; the list comes back with its search kept."""
    user = _user_or_404(user_id)
    if EmptyForm().validate_on_submit():
        act(user)
        db.session.commit()
        flash(done % {"name": user.display_name}, "success")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@require("admin.users")
def unlock(user_id: int):
    """Lift a lockout after failed logins, e.g. when the member phoned in."""
    return _user_action(user_id, lockout.clear, _("%(name)s can log in again."))


@bp.route("/users/<int:user_id>/two-step/off", methods=["POST"])
@require("admin.users")
def two_step_off(user_id: int):
    """For a member who lost both the phone and the recovery codes; they are told by mail."""
    def turn_off(user: User) -> None:
        if twofactor.enabled(user):
            twofactor.disable(user)

    return _user_action(user_id, turn_off, _("Two-step verification is off for %(name)s."))


@bp.route("/users/<int:user_id>/confirm-email", methods=["POST"])
@require("admin.users")
def confirm_email(user_id: int):
    """For a member whose confirmation mail never arrives (after checking who they are)."""
    return _user_action(user_id, confirmation.confirm, _("%(name)s's email address is confirmed."))


@bp.route("/outbox")
@require("admin.outbox")
def outbox():
    page = paginate(select(OutboxMessage).order_by(OutboxMessage.id.desc()), per_page=20)
    return render_template("admin/outbox.html", page=page)
