"""Two-step verification pages: the code step of a login, and the member's own
settings (turn on with an authenticator app, new recovery codes, turn off). Roles
that must use it (administrators by default) are sent to the settings page until
they have turned it on."""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..security import safe_next
from . import services, twofactor
from .forms import LoginCodeForm, TwoStepDisableForm, TwoStepEnableForm, TwoStepPasswordForm
from .views import PENDING_KEY, _limit, _log_in, _unlock_link, bp, password_confirmed

SETUP_KEY = "two_step_setup"
PENDING_MAX_AGE = 5 * 60  # seconds between the password and the code
# What a member who must turn it on may still open.
OPEN_WHILE_REQUIRED = {"accounts.two_step", "accounts.two_step_enable", "accounts.logout", "accounts.set_language",
                       "static"}


def _pending() -> dict | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - int(pending.get("at", 0)) > PENDING_MAX_AGE:
        return None
    return pending


@bp.route("/login/code", methods=["GET", "POST"])
@_limit("LOGIN_RATE_LIMIT")
def login_code():
    pending = _pending()
    if pending is None:
        session.pop(PENDING_KEY, None)
        flash(_("Log in again, please: the code must follow the password within five minutes."), "info")
        return redirect(url_for("accounts.login"))
    form = LoginCodeForm()
    if form.validate_on_submit():
        try:
            user = services.finish_login(int(pending["u"]), form.code.data, _unlock_link)
        except services.LoginRefused as refusal:
            db.session.commit()  # keep the failed-attempt count
            form.code.errors.append(str(refusal))
        else:
            _log_in(user, remember=bool(pending.get("r")))
            db.session.commit()
            flash(_("You are logged in."), "success")
            return redirect(safe_next(pending.get("next"), url_for("main.index")))
    return render_template("accounts/login_code.html", form=form)


@bp.before_app_request
def _require_two_step():
    if (request.endpoint in OPEN_WHILE_REQUIRED or not current_user.is_authenticated
            or twofactor.enabled(current_user) or not twofactor.required(current_user)):
        return None
    flash(_("Your role needs two-step verification. Turn it on to continue."), "info")
    return redirect(url_for("accounts.two_step"))


def _setup_secret() -> str:
    """The key being set up lives in the member's own session until confirmed."""
    secret = session.get(SETUP_KEY)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[SETUP_KEY] = twofactor.new_secret()
    return secret


def _settings_page(enable_form=None, disable_form=None, codes_form=None, status: int = 200):
    user = current_user
    context: dict[str, object] = {"enabled": twofactor.enabled(user), "required": twofactor.required(user)}
    if context["enabled"]:
        context.update(codes_left=twofactor.recovery_codes_left(user),
                       disable_form=disable_form or TwoStepDisableForm(formdata=None),
                       codes_form=codes_form or TwoStepPasswordForm(formdata=None))
    else:
        secret = _setup_secret()
        context.update(qr=twofactor.qr_svg(twofactor.setup_uri(user, secret), _("QR code for your authenticator app")),
                       key=twofactor.grouped(secret), enable_form=enable_form or TwoStepEnableForm(formdata=None))
    return render_template("accounts/two_step.html", **context), status


@bp.route("/account/two-step")
@login_required
def two_step():
    return _settings_page()


def _show_codes(codes: list[str]):
    return render_template("accounts/recovery_codes.html", codes=codes,
                           site=current_app.config["SITE_NAME"], email=current_user.email)


@bp.route("/account/two-step/enable", methods=["POST"])
@login_required
@_limit("LOGIN_RATE_LIMIT")
def two_step_enable():
    form = TwoStepEnableForm()
    if twofactor.enabled(current_user):
        return redirect(url_for("accounts.two_step"))
    if form.validate_on_submit() and password_confirmed(form):
        codes = twofactor.enable(current_user, _setup_secret(), form.code.data)
        if codes is None:
            form.code.errors.append(_("That code does not match. Check that the app shows an account named "
                                      "Inclusion Hub and enter the code it shows now."))
        else:
            session.pop(SETUP_KEY, None)
            db.session.commit()
            flash(_("Two-step verification is on. Keep your recovery codes somewhere safe."), "success")
            return _show_codes(codes)
    return _settings_page(enable_form=form, status=400)


@bp.route("/account/two-step/recovery-codes", methods=["POST"])
@login_required
@_limit("LOGIN_RATE_LIMIT")
def two_step_new_codes():
    form = TwoStepPasswordForm()
    if not twofactor.enabled(current_user):
        return redirect(url_for("accounts.two_step"))
    if form.validate_on_submit() and password_confirmed(form):
        codes = twofactor.new_recovery_codes(current_user)
        db.session.commit()
        flash(_("Your new recovery codes are below. The old ones no longer work."), "success")
        return _show_codes(codes)
    return _settings_page(codes_form=form, status=400)


@bp.route("/account/two-step/disable", methods=["POST"])
@login_required
@_limit("LOGIN_RATE_LIMIT")
def two_step_disable():
    form = TwoStepDisableForm()
    if not twofactor.enabled(current_user):
        return redirect(url_for("accounts.two_step"))
    if twofactor.required(current_user):
        flash(_("Your role needs two-step verification, so it stays on."), "error")
        return redirect(url_for("accounts.two_step"))
    if form.validate_on_submit() and password_confirmed(form):
        if twofactor.verify(current_user, form.code.data):
            twofactor.disable(current_user)
            db.session.commit()
            flash(_("Two-step verification is off. Your password alone logs you in now."), "success")
            return redirect(url_for("accounts.two_step"))
        form.code.errors.append(_("That code is not right, or it was used already."))
    return _settings_page(disable_form=form, status=400)
