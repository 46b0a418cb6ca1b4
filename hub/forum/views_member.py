"""A member's own forum pages: notifications, mail settings, subscriptions and the
one-click unsubscribe link from forum mail (works without logging in)."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..database import utcnow, write_transaction
from ..extensions import csrf, db
from ..forms import EmptyForm
from ..pagination import paginate
from ..permissions import can, ensure
from ..security import safe_next
from . import bell, notifications, structure
from .blueprint import bp, forum_or_404, topic_or_404
from .forms import EMAIL_LABELS, SettingsForm, SubscribeForm
from .models import Forum, Notification, Topic


@bp.route("/notifications")
def notification_list():
    ensure("member")
    stmt = (select(Notification).where(Notification.user_id == current_user.id)
            .options(joinedload(Notification.post), joinedload(Notification.actor),
                     joinedload(Notification.topic).joinedload(Topic.forum))
            .order_by(Notification.id.desc()))
    return render_template("forum/notifications.html", page=paginate(stmt, per_page=30))


@bp.route("/notifications/<int:note_id>")
def open_notification(note_id: int):
    ensure("member")
    note = db.session.get(Notification, note_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    if note.kind == notifications.SITE and note.url:
        target = note.url
    else:
        target = url_for("forum.permalink", post_id=note.post_id) if note.post_id else url_for("forum.index")
    if request.args.get("group"):  # from the bell: the line stood for the whole group
        with write_transaction():
            bell.mark_group_read(note)
    elif note.read_at is None:
        with write_transaction():
            note.read_at = utcnow()
    return redirect(target)


@bp.route("/notifications/menu")
def notification_menu():
    """The bell's drop-down (an HTML fragment fetched by bell.js; without JavaScript
    the bell is a link to the full list)."""
    ensure("member")
    groups, more = bell.unread_groups(current_user.id, can(current_user, "forum.moderate"))
    response = make_response(render_template("forum/_bell_menu.html", groups=groups, more=more))
    response.headers["Cache-Control"] = "no-store"  # always what is new now
    return response


@bp.route("/notifications/read", methods=["POST"])
def read_notifications():
    ensure("member")
    if EmptyForm().validate_on_submit():
        db.session.execute(update(Notification).where(Notification.user_id == current_user.id,
                                                      Notification.read_at.is_(None)).values(read_at=utcnow()))
        db.session.commit()
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("forum.notification_list"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    ensure("member")
    current = notifications.settings_for(current_user.id)
    form = SettingsForm(obj=current)
    mail_off = notifications.mail_off_reason()
    if mail_off:  # no choices about mail that would never be sent; the saved ones stay
        del form.email_enabled
        del form.email_mode
    if form.validate_on_submit():
        notifications.save_settings(
            current_user.id, auto_subscribe=form.auto_subscribe.data,
            email_enabled=current.email_enabled if mail_off else form.email_enabled.data,
            email_mode=current.email_mode if mail_off else form.email_mode.data)
        db.session.commit()
        flash(_("Your forum settings are saved."), "success")
        return redirect(url_for("forum.settings"))
    subscriptions = notifications.subscriptions_of(current_user.id)
    return render_template("forum/settings.html", form=form, subscriptions=subscriptions, mail_off=mail_off,
                           subscribe_form=SubscribeForm(formdata=None), email_labels=EMAIL_LABELS)


def _subscription_change(*, forum: Forum | None = None, topic: Topic | None = None):
    form = SubscribeForm()
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("action") == "unsubscribe":
        notifications.unsubscribe(current_user.id, forum=forum, topic=topic)
        flash(_("You will no longer be notified."), "success")
    else:
        notifications.subscribe(current_user.id, forum=forum, topic=topic, email_mode=form.email_mode.data)
        flash(_("You are subscribed: new posts appear in your notifications."), "success")
    db.session.commit()


@bp.route("/f/<slug>/subscription", methods=["POST"])
def forum_subscription(slug: str):
    forum = forum_or_404(slug)
    ensure("forum.view", forum)
    _subscription_change(forum=forum)
    return redirect(safe_next(request.form.get("next"), url_for("forum.forum", slug=slug)))


@bp.route("/topic/<int:topic_id>/subscription", methods=["POST"])
def topic_subscription(topic_id: int):
    topic = topic_or_404(topic_id)
    ensure("forum.view_topic", topic)
    _subscription_change(topic=topic)
    return redirect(safe_next(request.form.get("next"), url_for("forum.topic", topic_id=topic_id)))


def _describe(scope: str, obj_id) -> str:
    if scope == "topic":
        topic = db.session.get(Topic, obj_id)
        return _("the topic “%(title)s”", title=topic.title) if topic else _("a topic")
    if scope == "forum":
        forum = db.session.get(Forum, obj_id)
        return _("the forum %(title)s", title=structure.forum_title(forum)) if forum else _("a forum")
    return _("activity in the forums")


@bp.route("/unsubscribe/<token>")
def unsubscribe(token: str):
    """One click from a mail: done at once, with an undo button on the page."""
    found = notifications.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user, scope, obj_id = found
    with write_transaction():
        notifications.apply_unsubscribe(user, scope, obj_id)
    return render_template("forum/unsubscribed.html", token=token, what=_describe(scope, obj_id), undone=False)


@bp.route("/unsubscribe/<token>", methods=["POST"])
@csrf.exempt  # the signed token is the credential; no login, no session
def undo_unsubscribe(token: str):
    found = notifications.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user, scope, obj_id = found
    notifications.undo_unsubscribe(user, scope, obj_id)
    db.session.commit()
    return render_template("forum/unsubscribed.html", token=token, what=_describe(scope, obj_id), undone=True)

