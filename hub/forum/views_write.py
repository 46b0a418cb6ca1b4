"""Writing pages: new topic, reply, edit, delete, helpful, accepted answer, flag,
edit history.

The three posting views are exempt from the global CSRF check and let the form
check its token instead: an expired token re-renders the form with the member's
text and a message. A post sent after the login expired is kept as a draft and
waits in the form after the member logs in again."""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from limits import parse_many
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..database import utcnow, write_transaction
from ..extensions import csrf, db, limiter
from ..forms import EmptyForm, without_nul
from ..pagination import id_arg
from ..permissions import ensure, is_member
from . import attachments, queries, services, text
from .attachments import AttachmentError
from .blueprint import bp, forum_or_404, max_upload_mb, post_or_404, post_url, topic_or_404
from .forms import FlagForm, PostForm
from .models import Draft, PostRevision
from .moderation import flag_post
from .permissions import edit_window, is_moderator
from .services import ForumError


def _rate_limit() -> str:
    """Stricter for accounts younger than FORUM_NEW_MEMBER_DAYS."""
    cfg = current_app.config
    created = getattr(current_user, "created_at", None)
    if created and utcnow() - created < timedelta(days=int(cfg["FORUM_NEW_MEMBER_DAYS"])):
        return cfg["FORUM_NEW_MEMBER_RATE_LIMIT"]
    return cfg["FORUM_POST_RATE_LIMIT"]


def _rate_key() -> str:
    return f"forum-post/{current_user.id}"


def _limits_apply() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED")) and limiter.enabled and not is_moderator(current_user)


def rate_limit_reached() -> str | None:
    """The limit a new post would break, checked in the view (through Flask-Limiter's
    storage) rather than by a decorator, so the member gets the form back with the
    text instead of an error page. Only saved posts count; previews do not."""
    if not _limits_apply():
        return None
    for item in parse_many(_rate_limit()):
        if not limiter.limiter.test(item, _rate_key()):
            return str(item)
    return None


def count_post() -> None:
    if _limits_apply():
        for item in parse_many(_rate_limit()):
            limiter.limiter.hit(item, _rate_key())


def _stash_draft(back_to) -> object:
    """The login expired: keep the text server-side and send the member to log in,
    with the way back (``back_to(draft=key)``) as ``next``."""
    data = {"title": without_nul(request.form.get("title") or "")[:200],
            "body": without_nul(request.form.get("body") or "")[:20000],
            "language": without_nul(request.form.get("language") or "")[:8]}
    if not (data["body"].strip() or data["title"].strip()):
        return redirect(url_for("accounts.login", next=back_to()))
    if _draft_limit_reached():
        abort(429)
    key = secrets.token_urlsafe(24)
    cutoff = utcnow() - timedelta(days=int(current_app.config["FORUM_DRAFT_DAYS"]))
    db.session.execute(delete(Draft).where(Draft.created_at < cutoff))
    db.session.add(Draft(key=key, data=data))
    db.session.commit()
    flash(_("Your login had expired, so your post is not published yet. Log in again: your text will be "
            "waiting in the form."), "warning")
    return redirect(url_for("accounts.login", next=back_to(draft=key)))


def _draft_limit_reached() -> bool:
    """Drafts are written for visitors without a login: cap them per address."""
    if not current_app.config.get("RATELIMIT_ENABLED") or not limiter.enabled:
        return False
    key = f"forum-draft/{request.remote_addr}"
    for item in parse_many(current_app.config["FORUM_DRAFT_RATE_LIMIT"]):
        if not limiter.limiter.hit(item, key):
            return True
    return False


def _load_draft(form: PostForm) -> None:
    key = request.args.get("draft")
    if not key:
        return
    draft = db.session.scalar(select(Draft).where(Draft.key == key))
    if draft is None or draft.user_id not in (None, current_user.id):
        flash(_("That saved text is no longer available."), "warning")
        return
    data = dict(draft.data or {})
    form.title.data, form.body.data = data.get("title", ""), data.get("body", "")
    if data.get("language") in dict(form.language.choices):
        form.language.data = data["language"]
    form.draft.data = key
    if draft.user_id is None:
        with write_transaction():  # the draft now belongs to whoever logged in with it
            draft.user_id = current_user.id
    flash(_("Here is the text you wrote before logging in again. Check it and send it."), "info")


def _drop_draft(form: PostForm) -> None:
    if form.draft.data:
        db.session.execute(delete(Draft).where(Draft.key == form.draft.data, Draft.user_id == current_user.id))


def _submission(form: PostForm, count_limited: bool = True) -> dict:
    """Validate a sent form. Returns what the template needs: ``ready`` (save it),
    ``preview`` (``Markup``), ``expired`` (token expired, text kept)."""
    state: dict[str, Any] = {"ready": False, "preview": None, "expired": False, "limited": None}
    if not form.is_submitted():
        return state
    valid = form.validate()
    token = form._fields.get("csrf_token")
    if token is not None and token.errors:
        state["expired"] = True
        token.errors = []
        valid = not any(f.errors for f in form if f.name != "csrf_token")
    if "preview" in request.form:
        if (form.body.data or "").strip():
            state["preview"] = services.render_post(form.body.data).html
        return state
    state["ready"] = valid and not state["expired"]
    if state["ready"] and count_limited and (limit := rate_limit_reached()):
        state["ready"] = False
        state["limited"] = limit
    return state


def _uploads(form: PostForm):
    try:
        return attachments.check_uploads(request.files.getlist(form.attachments.name))
    except AttachmentError as error:
        form.attachments.errors = [str(error)]
        return None


def _render_form(form, state, *, mode, forum, topic=None, post=None, error=None):
    if "submission" in form and services.valid_submission_key(form.submission.data) is None:
        form.submission.data = services.new_submission_key()
    files_lost = bool(request.files and any(f.filename for f in request.files.getlist("attachments")))
    html = render_template("forum/post_form.html", form=form, mode=mode, forum=forum, topic=topic, post=post,
                           preview=state["preview"], expired=state["expired"], limited=state["limited"], error=error,
                           files_lost=files_lost, max_mb=max_upload_mb())
    return html, 429 if state["limited"] else 200


def show_stored(post) -> object:
    """A form sent again after its post was stored (a retry after a lost connection,
    a second click): show the post instead of storing it twice."""
    flash(_("Your post is published."), "success")
    return redirect(post_url(post))


def retried(form: PostForm, error: IntegrityError) -> object:
    db.session.rollback()
    stored = services.submitted_before(current_user, form.submission.data)
    if stored is None:
        raise error  # not a duplicate submission: a real error
    return show_stored(stored)


def commit_and_show(post) -> object:
    """Commit the new post, count it against the rate limit, tell the member, and
    redirect to the post (warning when an @mention named several members)."""
    db.session.commit()
    count_post()
    flash(_("Your post is published."), "success")
    rendered = getattr(post, "rendered", None)
    if rendered and rendered.ambiguous:
        flash(_("Several members are called %(names)s: pick the name from the list that appears when you "
                "type @ to notify the right one.", names=", ".join(rendered.ambiguous)), "warning")
    return redirect(post_url(post))


@bp.route("/f/<slug>/new", methods=["GET", "POST"])
@csrf.exempt
def new_topic(slug: str):
    forum = forum_or_404(slug)
    if request.method == "POST" and not is_member(current_user):
        return _stash_draft(lambda **kw: url_for("forum.new_topic", slug=slug, **kw))
    ensure("forum.start_topic", forum)
    form = PostForm()
    error = None
    if request.method == "GET":
        form.language.data = services.AUTO_LANGUAGE
        _load_draft(form)
    elif (stored := services.submitted_before(current_user, form.submission.data)) is not None:
        return show_stored(stored)
    state = _submission(form)
    if state["ready"]:
        if not (form.title.data or "").strip():
            form.title.errors = [_("Give your topic a title.")]
        elif (uploads := _uploads(form)) is not None:
            try:
                post = services.create_topic(forum, current_user, form.title.data, form.body.data,
                                             form.language.data, uploads, submission_key=form.submission.data)
            except ForumError as exc:
                error = str(exc)
            except IntegrityError as clash:  # the same submission, stored a moment ago by a retry
                return retried(form, clash)
            else:
                _drop_draft(form)
                return commit_and_show(post)
    return _render_form(form, state, mode="topic", forum=forum, error=error)


@bp.route("/topic/<int:topic_id>/reply", methods=["GET", "POST"])
@csrf.exempt
def reply(topic_id: int):
    topic = topic_or_404(topic_id)
    if request.method == "POST" and not is_member(current_user):
        return _stash_draft(lambda **kw: url_for("forum.reply", topic_id=topic_id, **kw))
    ensure("forum.reply", topic)
    form = PostForm()
    error = None
    if request.method == "GET":
        form.language.data = services.AUTO_LANGUAGE
        quoted = id_arg("quote")
        if quoted:
            source = post_or_404(quoted)
            if source.topic_id != topic.id or not source.is_visible or not queries.can_see_post(current_user, source):
                abort(404)
            form.body.data = text.quote(source.author.public_name, url_for("forum.permalink", post_id=source.id),
                                        source.body_md, wrote=_("%(name)s wrote:"))
        _load_draft(form)
    elif (stored := services.submitted_before(current_user, form.submission.data)) is not None:
        return show_stored(stored)
    state = _submission(form)
    if state["ready"] and (uploads := _uploads(form)) is not None:
        try:
            post = services.reply(topic, current_user, form.body.data, form.language.data, uploads,
                                  submission_key=form.submission.data)
        except ForumError as exc:
            error = str(exc)
        except IntegrityError as clash:  # the same submission, stored a moment ago by a retry
            return retried(form, clash)
        else:
            _drop_draft(form)
            return commit_and_show(post)
    return _render_form(form, state, mode="reply", forum=topic.forum, topic=topic, error=error)


@bp.route("/post/<int:post_id>/edit", methods=["GET", "POST"])
@csrf.exempt
def edit(post_id: int):
    post = post_or_404(post_id)
    if request.method == "POST" and not is_member(current_user):
        return _stash_draft(lambda **kw: url_for("forum.edit", post_id=post_id, **kw))
    if (is_member(current_user) and post.user_id == current_user.id and not is_moderator(current_user)
            and post.deleted_at is None and utcnow() - post.created_at > edit_window()):
        closed = ngettext("Posts can be edited for %(num)d minute after posting. Write a reply to add something.",
                          "Posts can be edited for %(num)d minutes after posting. Write a reply to add something.",
                          int(edit_window().total_seconds() // 60))
        if request.method == "GET":
            flash(closed, "warning")
            return redirect(post_url(post))
        # The window closed while the member was typing: give the text back to copy.
        form = PostForm()
        return _render_form(form, {"preview": None, "expired": False, "limited": None, "ready": False},
                            mode="edit", forum=post.topic.forum, topic=post.topic, post=post, error=closed)
    ensure("forum.edit_post", post)
    form = PostForm(data={"body": post.body_md, "language": post.language,
                          "title": post.topic.title if post.position == 1 else ""})
    error = None
    if request.method == "GET":
        _load_draft(form)
    state = _submission(form, count_limited=False)
    if state["ready"] and (uploads := _uploads(form)) is not None:
        try:
            services.edit_post(post, current_user, form.body.data, form.language.data, uploads,
                               title=form.title.data if post.position == 1 else None)
        except ForumError as exc:
            error = str(exc)
        else:
            _drop_draft(form)
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(post_url(post))
    return _render_form(form, state, mode="edit", forum=post.topic.forum, topic=post.topic, post=post, error=error)


@bp.route("/post/<int:post_id>/delete", methods=["POST"])
def delete_post(post_id: int):
    post = post_or_404(post_id)
    ensure("forum.delete_post", post)
    if EmptyForm().validate_on_submit():
        services.delete_post(post)
        db.session.commit()
        flash(_("Your post is deleted."), "success")
    return redirect(post_url(post))


@bp.route("/post/<int:post_id>/helpful", methods=["POST"])
def helpful(post_id: int):
    post = post_or_404(post_id)
    ensure("forum.helpful", post)
    if EmptyForm().validate_on_submit():
        marked = services.toggle_helpful(post, current_user)
        db.session.commit()
        flash(_("You marked this post as helpful.") if marked else _("Your helpful mark is removed."), "success")
    return redirect(post_url(post))


@bp.route("/post/<int:post_id>/accept", methods=["POST"])
def accept(post_id: int):
    post = post_or_404(post_id)
    ensure("forum.accept", post)
    if EmptyForm().validate_on_submit():
        accepted = services.toggle_accepted(post)
        db.session.commit()
        flash(_("This reply is now the accepted answer.") if accepted else _("The accepted answer is cleared."),
              "success")
    return redirect(url_for("forum.topic", topic_id=post.topic_id))


@bp.route("/post/<int:post_id>/flag", methods=["GET", "POST"])
def flag(post_id: int):
    post = post_or_404(post_id)
    ensure("forum.flag", post)
    if not queries.can_see_post(current_user, post):
        abort(404)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            flag_post(post, current_user, form.reason.data, form.details.data)
        except ForumError as exc:
            flash(str(exc), "info")
        else:
            db.session.commit()
            flash(_("Thank you. A moderator will look at this post."), "success")
        return redirect(post_url(post))
    return render_template("forum/flag.html", form=form, post=post, topic=post.topic, forum=post.topic.forum)


@bp.route("/post/<int:post_id>/history")
def history(post_id: int):
    post = post_or_404(post_id)
    ensure("forum.history", post)
    revisions = db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                   .options(joinedload(PostRevision.editor))
                                   .order_by(PostRevision.id.desc())).all()
    return render_template("forum/history.html", post=post, topic=post.topic, forum=post.topic.forum,
                           revisions=revisions)
