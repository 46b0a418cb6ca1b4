"""Account pages. Thin: parse the form, call a service, commit, render."""
from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter, login_manager
from ..forms import EmptyForm
from ..security import safe_next
from ..uploads import UploadError, megabytes, send_stored
from . import avatars, confirmation, lockout, services, twofactor
from .forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from .models import User

bp = Blueprint("accounts", __name__)
PENDING_KEY = "pending_login"


def _limit(key: str):
    return limiter.limit(lambda: current_app.config[key], methods=["POST"])


@login_manager.user_loader
def _load_user(user_id: str):
    return services.load_user(user_id)


def password_confirmed(form) -> bool:
    """The member re-typed their password in ``form.password`` (a form error if not)."""
    if services.authenticate(current_user.email, form.password.data) is None:
        form.password.errors.append(_("Your password is not correct."))
        return False
    return True


def _fresh_session() -> None:
    """Nothing from before a login survives but the language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _log_in(user, remember: bool) -> None:
    _fresh_session()
    services.start_session(user, request.user_agent.string)
    login_user(user, remember=remember)


def _await_code(user, remember: bool, target: str) -> None:
    """The password was right and the account has two steps: remember who is half
    logged in until the code comes (two_step_views.login_code)."""
    _fresh_session()
    session[PENDING_KEY] = {"u": user.id, "r": remember, "at": int(time.time()), "next": target}


@bp.route("/register", methods=["GET", "POST"])
@_limit("REGISTER_RATE_LIMIT")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    if request.method == "GET":
        form.language.data = session.get("lang") or request.accept_languages.best_match(current_app.config["LANGUAGES"])
    if form.validate_on_submit():
        services.register(email=form.email.data, password=form.password.data, display_name=form.display_name.data,
                          country=form.country.data, organisation=form.organisation.data,
                          profession=form.profession.data, language=form.language.data)
        db.session.commit()
        # The same answer whether the address was new or known (see confirmation.py).
        return redirect(url_for("accounts.registered"))
    return render_template("accounts/register.html", form=form)


@bp.route("/register/check-your-email")
def registered():
    return render_template("accounts/check_email.html")


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def confirm_email(token: str):
    """The link from the registration mail: a page with a button, so a mail scanner
    that opens links neither confirms the address nor logs anyone in."""
    try:
        user = confirmation.user_for_token(token)
    except confirmation.ConfirmationError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.login"))
    if user.email_confirmed_at is not None:
        flash(_("Your email address is already confirmed. Log in with your password."), "info")
        return redirect(url_for("accounts.login"))
    form = EmptyForm()
    if form.validate_on_submit():
        confirmation.confirm(user)
        _log_in(user, remember=False)
        db.session.commit()
        flash(_("Welcome to Inclusion Hub, %(name)s! Start with a course below.", name=user.display_name), "success")
        return redirect(url_for("main.index"))
    return render_template("accounts/confirm_email.html", form=form, user=user)


@bp.route("/login", methods=["GET", "POST"])
@_limit("LOGIN_RATE_LIMIT")
def login():
    target = safe_next(request.args.get("next"), url_for("main.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.attempt_login(form.email.data, form.password.data, _unlock_link)
        except services.LoginRefused as refusal:
            db.session.commit()  # keep the failed-login count (and a new lock with its mail)
            flash(str(refusal), "error")
        else:
            if twofactor.enabled(user):
                _await_code(user, bool(form.remember.data), target)
                db.session.commit()
                return redirect(url_for("accounts.login_code"))
            _log_in(user, remember=bool(form.remember.data))
            db.session.commit()
            flash(_("You are logged in."), "success")
            return redirect(target)
    return render_template("accounts/login.html", form=form, next=request.args.get("next", ""))


def _unlock_link(token: str) -> str:
    return url_for("accounts.unlock", token=token, _external=True)


@bp.route("/unlock/<token>", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def unlock(token: str):
    """The link from the lockout mail: a page with a button, so a mail scanner that
    opens links does not unlock the account by itself."""
    try:
        lockout.user_for_unlock_token(token)
    except lockout.UnlockError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.login"))
    form = EmptyForm()
    if form.validate_on_submit():
        services.unlock(token)
        db.session.commit()
        flash(_("Your account is unlocked. You can log in now."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/unlock.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        services.end_session(current_user, current_user.current_session_key)
        db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/reset", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data, lambda token: url_for("accounts.reset_password", token=token, _external=True))
        db.session.commit()
        flash(_("If an account exists for that email, we have sent a link to reset the password. "
                "It works once and expires after an hour."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except services.AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Your password has been changed. Log in with the new password."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        form.populate_obj(current_user)
        db.session.commit()
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, picture_max_mb=megabytes(avatars.max_bytes()),
                           picture_max_bytes=avatars.max_bytes(),
                           has_picture=avatars.version(current_user.id) is not None)


@bp.route("/account/picture", methods=["POST"])
@login_required
def picture():
    """Upload a new profile picture, or remove it (``action=remove``)."""
    if not EmptyForm().validate_on_submit():
        flash(_("The form had expired; please try again."), "error")
    elif request.form.get("action") == "remove":
        avatars.remove(current_user.id)
        flash(_("Your picture is removed; your initials show instead."), "success")
    else:
        try:
            avatars.save(current_user.id, request.files.get("picture"))
        except UploadError as error:
            flash(str(error), "error")
        else:
            flash(_("Your picture is saved."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/members/<int:user_id>/picture")
@login_required
def member_picture(user_id: int):
    """A member's picture, for the forum's threads (404 without one)."""
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted:
        abort(404)
    return send_stored(avatars.path_for(user_id), "image/webp", f"{user_id}.webp")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data, request.user_agent.string)
        except services.AccountError as error:
            form.current.errors.append(str(error))
        else:
            login_user(current_user._get_current_object())  # the cookie must carry the new session key
            db.session.commit()
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if password_confirmed(form):
            user_id = current_user.id
            services.delete_account(current_user)
            db.session.commit()
            avatars.remove(user_id)  # after the commit: a failed deletion keeps the picture
            logout_user()
            session.clear()
            flash(_("Your account has been deleted. Your forum posts stay, shown as by a deleted member."), "info")
            return redirect(url_for("main.index"))
    return render_template("accounts/delete.html", form=form)


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.language = form.lang.data
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))
