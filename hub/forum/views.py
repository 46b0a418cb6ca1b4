"""Forum pages for reading: index, topic lists, threads, permalinks, unread, members,
attachments. Writing, member, moderation and admin pages live in the ``views_*``
modules; all of them attach to ``blueprint.bp``."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..courses.services import get_by_slug
from ..database import write_transaction
from ..extensions import db
from ..pagination import page_number
from ..permissions import can, ensure
from . import moderation, notifications, queries, structure, unread
from .attachments import serve
from .blueprint import bp, forum_or_404, max_upload_mb, post_or_404, post_url, topic_or_404
from .forms import SORT_LABELS, PostForm, SubscribeForm
from .models import Attachment, Forum, Post, Topic
from .services import AUTO_LANGUAGE, new_submission_key
from .text import mention_token


@bp.route("/")
def index():
    ensure("member")
    groups = queries.forum_index(current_user)
    flagged = moderation.open_flag_count() if can(current_user, "forum.moderate") else 0
    return render_template("forum/index.html", groups=groups, flagged=flagged)


@bp.route("/course/<slug>")
def course_forum(slug: str):
    course = get_by_slug(slug)
    if course is None:
        abort(404)
    ensure("forum.view_course", course)
    forum = structure.course_forum(course, create=False)
    if forum is None:
        with write_transaction():
            forum = structure.course_forum(course)
    return redirect(url_for("forum.forum", slug=forum.slug))


@bp.route("/f/<slug>")
def forum(slug: str):
    forum = forum_or_404(slug)
    ensure("forum.view", forum)
    sort = request.args.get("sort", "activity")
    sort = sort if sort in SORT_LABELS else "activity"
    language = request.args.get("lang") or None
    pagination, rows = queries.topic_list(current_user, forum, sort=sort, language=language, page=page_number())
    subscribe_form = SubscribeForm()
    subscribed = notifications.is_subscribed(current_user.id, forum=forum)
    return render_template("forum/forum.html", forum=forum, page=pagination, rows=rows, sort=sort,
                           sort_labels=SORT_LABELS, language=language, languages=queries.topic_languages(forum),
                           subscribed=subscribed, subscribe_form=subscribe_form)


@bp.route("/topic/<int:topic_id>")
def topic(topic_id: int):
    topic = topic_or_404(topic_id)
    ensure("forum.view_topic", topic)
    if "post" in request.args:  # "jump to post n": the page holding it, at its anchor
        post = queries.post_at(current_user, topic, request.args["post"])
        if post is not None:
            return redirect(post_url(post))
        flash(_("There is no post #%(num)s you can see in this topic.", num=request.args["post"][:12]), "error")
    thread = queries.thread(current_user, topic, page=page_number())
    form = PostForm(formdata=None, submission=new_submission_key())
    form.language.data = AUTO_LANGUAGE
    html = render_template("forum/topic.html", topic=topic, forum=topic.forum, thread=thread, form=form,
                           max_mb=max_upload_mb(),
                           subscribed=notifications.is_subscribed(current_user.id, topic=topic),
                           subscribe_form=SubscribeForm(formdata=None))
    if thread.posts:
        # After rendering, with plain values: the commit expires every loaded object.
        user_id, topic_id, seen = current_user.id, topic.id, max(p.position for p in thread.posts)
        with write_transaction():
            unread.mark_read(user_id, topic_id, seen)
    return html


@bp.route("/post/<int:post_id>")
def permalink(post_id: int):
    """Always finds the post: the page it is on for this member, and its anchor."""
    post = post_or_404(post_id)
    ensure("forum.view_topic", post.topic)
    if not queries.can_see_post(current_user, post):
        abort(404)
    return redirect(post_url(post))


@bp.route("/topic/<int:topic_id>/unread")
def first_unread(topic_id: int):
    topic = topic_or_404(topic_id)
    ensure("forum.view_topic", topic)
    post = queries.first_unread(current_user, topic)
    if post is None:
        return redirect(url_for("forum.topic", topic_id=topic.id))
    return redirect(post_url(post))


@bp.route("/read", methods=["POST"])
def mark_all_read():
    """Every topic the member can see, or those of one forum (``forum`` field)."""
    ensure("member")
    slug = request.form.get("forum")
    if slug:
        forum = forum_or_404(slug)
        ensure("forum.view", forum)
        forum_ids = [forum.id]
        target = url_for("forum.forum", slug=slug)
    else:
        forum_ids = list(db.session.scalars(queries.visible_forums_stmt(current_user).with_only_columns(Forum.id)))
        target = url_for("forum.index")
    unread.mark_all_read(current_user.id, forum_ids)
    db.session.commit()
    flash(_("All topics are marked as read."), "success")
    return redirect(target)


@bp.route("/members/<int:user_id>")
def member(user_id: int):
    ensure("member")
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted:
        abort(404)
    visible = queries.visible_forums_stmt(current_user).with_only_columns(Forum.id)
    topics = db.session.scalars(select(Topic).where(Topic.user_id == user.id, Topic.forum_id.in_(visible),
                                                    queries.topic_filter(current_user))
                                .options(joinedload(Topic.forum)).order_by(Topic.created_at.desc()).limit(20)).all()
    posts = db.session.scalar(select(func.count(Post.id)).join(Topic, Post.topic_id == Topic.id).where(
        Post.user_id == user.id, Post.deleted_at.is_(None), Post.hidden_at.is_(None), Topic.forum_id.in_(visible)))
    return render_template("forum/member.html", member=user, topics=topics, post_count=posts,
                           mention=mention_token(user.display_name))


@bp.route("/members/lookup")
def member_lookup():
    """Names for the @mention helper in the editor (JSON)."""
    ensure("member")
    query = (request.args.get("q") or "").strip()
    if len(query) < 2:
        return jsonify([])
    users = queries.member_search(query)
    keys = {u.display_name.lower() for u in users}
    shared = set(db.session.scalars(select(func.lower(User.display_name)).where(
        func.lower(User.display_name).in_(keys), User.deleted_at.is_(None), User.active.is_(True))
        .group_by(func.lower(User.display_name)).having(func.count(User.id) > 1))) if keys else set()
    return jsonify([{"name": u.display_name, "detail": u.organisation,
                     "insert": mention_token(u.display_name, u.id if u.display_name.lower() in shared else None)}
                    for u in users])


@bp.route("/attachments/<int:attachment_id>/<path:name>")
def attachment(attachment_id: int, name: str):
    item = db.get_or_404(Attachment, attachment_id)
    _ensure_files_visible(post_or_404(item.post_id))
    return serve(item)


@bp.route("/post/<int:post_id>/images/<path:name>")
def post_image(post_id: int, name: str):
    """An image attached to the post, by its file name: where ``![…](images/name)`` in
    the post's text points (the editor writes that for a dropped or pasted image)."""
    post = post_or_404(post_id)
    _ensure_files_visible(post)
    item = next((a for a in post.attachments if a.filename == name and a.is_image), None)
    if item is None:
        abort(404)
    return serve(item)


def _ensure_files_visible(post) -> None:
    """A post's files follow the post: hidden from whoever may not read it, and those
    of a deleted post from everyone but moderators (404, as if they were not there)."""
    ensure("forum.view_topic", post.topic)
    if not queries.can_see_post(current_user, post):
        abort(404)
    if post.deleted_at is not None and not can(current_user, "forum.moderate"):
        abort(404)


