"""Forum pages for reading: index, topic lists, threads, permalinks, unread, members,
attachments. Writing, member, moderation and admin pages live in the sibling
``views_*`` modules, on the same blueprint."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..database import write_transaction
from ..extensions import db
from ..pagination import page_number
from ..permissions import can, ensure, is_member
from . import moderation, notifications, queries, structure, unread
from .attachments import serve
from .forms import SORT_LABELS, PostForm, SubscribeForm
from .models import Attachment, Forum, Post, Topic
from .services import default_language
from .text import mention_token

bp = Blueprint("forum", __name__, url_prefix="/forum")

DEFAULTS = {
    "FORUM_EDIT_WINDOW_MINUTES": 30,
    "FORUM_TOPICS_PER_PAGE": 25,
    "FORUM_POSTS_PER_PAGE": 20,
    "FORUM_UNREAD_DAYS": 30,
    "FORUM_ATTACHMENT_MAX_BYTES": 5 * 1024 * 1024,
    "FORUM_MAX_ATTACHMENTS": 5,
    "FORUM_POST_RATE_LIMIT": "10 per minute;120 per hour",
    "FORUM_NEW_MEMBER_RATE_LIMIT": "3 per minute;20 per hour",
    "FORUM_NEW_MEMBER_DAYS": 3,
    "FORUM_EMAIL": "auto",
    "FORUM_DRAFT_DAYS": 7,
    "FORUM_DRAFT_RATE_LIMIT": "10 per hour",
}


@bp.record_once
def _configure(state) -> None:
    for key, value in DEFAULTS.items():
        state.app.config.setdefault(key, value)


@bp.app_context_processor
def _forum_template_helpers():
    def notification_count() -> int:
        return notifications.unread_count(current_user.id) if is_member(current_user) else 0

    def course_forum_summary(course) -> dict:
        """For ``forum/_course_forum_link.html`` on the course page."""
        forum = structure.course_forum(course, create=False)
        mine = 0
        if forum is not None and is_member(current_user):
            from .services import count_posts_in_course
            mine = count_posts_in_course(current_user.id, course.id)
        allowed = can(current_user, "forum.view_course", course)
        return {"forum": forum, "allowed": allowed, "posts": forum.post_count if forum else 0,
                "topics": forum.topic_count if forum else 0, "mine": mine,
                "url": url_for("forum.course_forum", slug=course.slug)}

    return {"forum_notification_count": notification_count, "course_forum_summary": course_forum_summary}


def forum_or_404(slug: str) -> Forum:
    forum = db.session.scalar(select(Forum).where(Forum.slug == slug).options(joinedload(Forum.course)))
    if forum is None:
        abort(404)
    return forum


def topic_or_404(topic_id: int) -> Topic:
    topic = db.session.scalar(select(Topic).where(Topic.id == topic_id)
                              .options(joinedload(Topic.forum).joinedload(Forum.course)))
    if topic is None:
        abort(404)
    return topic


def post_or_404(post_id: int) -> Post:
    post = db.session.scalar(select(Post).where(Post.id == post_id).options(
        joinedload(Post.topic).joinedload(Topic.forum).joinedload(Forum.course), joinedload(Post.author)))
    if post is None:
        abort(404)
    return post


def post_url(post: Post) -> str:
    """Thread page and anchor of ``post`` for the current member."""
    page = queries.page_of(current_user, post)
    return url_for("forum.topic", topic_id=post.topic_id, page=page if page > 1 else None, _anchor=f"post-{post.id}")


@bp.route("/")
def index():
    ensure("member")
    groups = queries.forum_index(current_user)
    flagged = moderation.open_flag_count() if can(current_user, "forum.moderate") else 0
    return render_template("forum/index.html", groups=groups, flagged=flagged)


@bp.route("/course/<slug>")
def course_forum(slug: str):
    from ..courses.services import get_by_slug
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
    thread = queries.thread(current_user, topic, page=page_number())
    form = PostForm(formdata=None)
    form.language.data = default_language(current_user)
    html = render_template("forum/topic.html", topic=topic, forum=topic.forum, thread=thread, form=form,
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
    item = db.session.get(Attachment, attachment_id)
    if item is None:
        abort(404)
    post = post_or_404(item.post_id)
    ensure("forum.view_topic", post.topic)
    if not queries.can_see_post(current_user, post):
        abort(404)
    if post.deleted_at is not None and not can(current_user, "forum.moderate"):
        abort(404)
    return serve(item)


def max_upload_mb() -> str:
    return f"{current_app.config['FORUM_ATTACHMENT_MAX_BYTES'] / (1024 * 1024):.3g}"


from . import views_admin, views_member, views_moderation, views_write  # noqa: E402,F401
