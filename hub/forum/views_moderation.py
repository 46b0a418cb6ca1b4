"""Moderation pages: pin, lock, move, split, hide and restore, the flag queue and
the audit log. Moderators and administrators only."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..extensions import db
from ..forms import EmptyForm
from ..pagination import id_arg, paginate
from ..permissions import ensure, require
from ..security import safe_next
from ..templating import format_day
from . import moderation
from .blueprint import bp, post_or_404, post_url, topic_or_404
from .forms import ACTION_LABELS, FLAG_LABELS, HideForm, MoveForm, SplitForm, SuspendForm
from .models import Forum, ForumCategory, Post
from .services import ForumError


def _forum_choices() -> list[tuple[int, str]]:
    forums = db.session.scalars(select(Forum).outerjoin(ForumCategory, Forum.category_id == ForumCategory.id)
                                .order_by(Forum.course_id.is_not(None), ForumCategory.position, Forum.position,
                                          Forum.title)).all()
    return [(f.id, f.title if f.course_id is None else _("Course: %(title)s", title=f.title)) for f in forums]


@bp.route("/topic/<int:topic_id>/pin", methods=["POST"])
@require("forum.moderate")
def pin(topic_id: int):
    topic = topic_or_404(topic_id)
    if EmptyForm().validate_on_submit():
        moderation.set_pinned(topic, current_user, not topic.pinned)
        db.session.commit()
        flash(_("The topic is pinned to the top of its forum.") if topic.pinned else _("The topic is unpinned."),
              "success")
    return redirect(url_for("forum.topic", topic_id=topic_id))


@bp.route("/topic/<int:topic_id>/lock", methods=["POST"])
@require("forum.moderate")
def lock(topic_id: int):
    topic = topic_or_404(topic_id)
    if EmptyForm().validate_on_submit():
        moderation.set_locked(topic, current_user, not topic.locked)
        db.session.commit()
        flash(_("The topic is locked: members can no longer reply.") if topic.locked else
              _("The topic is open for replies again."), "success")
    return redirect(url_for("forum.topic", topic_id=topic_id))


@bp.route("/topic/<int:topic_id>/move", methods=["GET", "POST"])
@require("forum.moderate")
def move(topic_id: int):
    topic = topic_or_404(topic_id)
    form = MoveForm()
    form.forum.choices = _forum_choices()
    if request.method == "GET":
        form.forum.data = topic.forum_id
    if form.validate_on_submit():
        target = db.session.get(Forum, form.forum.data)
        assert target is not None  # the form accepts only the ids of existing forums
        try:
            moderation.move_topic(topic, target, current_user)
        except ForumError as exc:
            form.forum.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("The topic is moved to %(forum)s.", forum=target.title), "success")
            return redirect(url_for("forum.topic", topic_id=topic_id))
    return render_template("forum/move.html", form=form, topic=topic, forum=topic.forum)


@bp.route("/topic/<int:topic_id>/split", methods=["GET", "POST"])
@require("forum.moderate")
def split(topic_id: int):
    topic = topic_or_404(topic_id)
    replies = db.session.scalars(select(Post).where(Post.topic_id == topic.id, Post.position > 1)
                                 .options(joinedload(Post.author)).order_by(Post.position)).all()
    form = SplitForm()
    form.posts.choices = [(p.id, f"#{p.position}") for p in replies]
    form.forum.choices = _forum_choices()
    if request.method == "GET":
        form.forum.data = topic.forum_id
        chosen = id_arg("from")
        form.posts.data = [p.id for p in replies if chosen and p.position >= chosen]
    if form.validate_on_submit():
        target = db.session.get(Forum, form.forum.data)
        assert target is not None  # the form accepts only the ids of existing forums
        try:
            new = moderation.split_topic(topic, form.posts.data or [], form.title.data, target, current_user)
        except ForumError as exc:
            form.posts.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("The replies are now a topic of their own."), "success")
            return redirect(url_for("forum.topic", topic_id=new.id))
    return render_template("forum/split.html", form=form, topic=topic, forum=topic.forum, replies=replies)


@bp.route("/post/<int:post_id>/hide", methods=["GET", "POST"])
@require("forum.moderate")
def hide(post_id: int):
    post = post_or_404(post_id)
    form = HideForm()
    if form.validate_on_submit():
        moderation.hide_post(post, current_user, form.reason.data)
        db.session.commit()
        flash(_("The post is hidden. Moderators still see it."), "success")
        return redirect(request.form.get("back") == "queue" and url_for("forum.queue") or post_url(post))
    return render_template("forum/hide.html", form=form, post=post, topic=post.topic, forum=post.topic.forum)


@bp.route("/post/<int:post_id>/restore", methods=["POST"])
@require("forum.moderate")
def restore(post_id: int):
    post = post_or_404(post_id)
    if EmptyForm().validate_on_submit():
        moderation.restore_post(post, current_user)
        db.session.commit()
        flash(_("The post is visible again."), "success")
    return redirect(post_url(post))


@bp.route("/post/<int:post_id>/dismiss-flags", methods=["POST"])
@require("forum.moderate")
def dismiss_flags(post_id: int):
    post = post_or_404(post_id)
    if EmptyForm().validate_on_submit():
        moderation.dismiss_flags(post, current_user)
        db.session.commit()
        flash(_("The flags are dismissed; the post stays as it is."), "success")
    return redirect(url_for("forum.queue"))


@bp.route("/moderation")
@require("forum.moderate")
def queue():
    page = paginate(moderation.open_flags_stmt(), per_page=20)
    flags = moderation.open_flags_for([p.id for p in page.items])
    return render_template("forum/queue.html", page=page, flags=flags, hide_form=HideForm(formdata=None),
                           flag_labels=FLAG_LABELS)


@bp.route("/moderation/log")
@require("forum.moderate")
def audit_log():
    return render_template("forum/audit_log.html", page=paginate(moderation.log_stmt(), per_page=50),
                           action_labels=ACTION_LABELS)


def _member_or_404(user_id: int) -> User:
    member = db.session.get(User, user_id)
    if member is None or member.is_deleted:
        abort(404)
    return member


@bp.route("/members/<int:user_id>/suspend", methods=["GET", "POST"])
def suspend(user_id: int):
    """Suspend a member until a day, with a reason they will read (403 for whoever
    may not suspend this member: see the ``forum.suspend`` rule)."""
    member = _member_or_404(user_id)
    ensure("forum.suspend", member)
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            moderation.suspend_member(member, current_user, form.until.data, form.reason.data)
        except ValueError as exc:
            if str(exc) == "until":
                form.until.errors.append(_("Choose a day after today."))
            else:
                form.reason.errors.append(_("Say why: the member sees the reason."))
        else:
            db.session.commit()
            flash(_("%(name)s cannot post in the forum until %(date)s.", name=member.display_name,
                    date=format_day(member.suspended_until)), "success")
            return redirect(url_for("forum.member", user_id=member.id))
    return render_template("forum/suspend.html", form=form, member=member)


@bp.route("/members/<int:user_id>/suspension/lift", methods=["POST"])
def lift_suspension(user_id: int):
    member = _member_or_404(user_id)
    ensure("forum.suspend", member)
    if EmptyForm().validate_on_submit():
        if moderation.lift_suspension(member, current_user):
            db.session.commit()
            flash(_("%(name)s can post in the forum again.", name=member.display_name), "success")
        else:
            flash(_("%(name)s was not suspended.", name=member.display_name), "info")
    return redirect(safe_next(request.form.get("next"), url_for("forum.member", user_id=member.id)))
