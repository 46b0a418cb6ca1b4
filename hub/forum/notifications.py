"""Subscriptions, in-app notifications and forum mail (immediately or as a daily
digest), and the signed one-click unsubscribe links in every mail.

Links in mail start with the site's public address (``hub.site_address``): never
``localhost``. A post saved outside a request while no address is known (a command)
leaves its immediate mails to the next digest, which waits until one is known."""
from __future__ import annotations

from itertools import groupby

from flask import current_app, has_request_context, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..courses.models import Enrolment, active_enrolments
from ..courses.services import is_course_trainer
from ..database import utcnow
from ..extensions import db
from ..mail import queue_mail, queue_mails, smtp_configured
from ..markdown import plain_text
from ..site_address import base_url, require_base_url
from . import structure, text
from .models import (
    EMAIL_DIGEST,
    EMAIL_IMMEDIATE,
    EMAIL_OFF,
    Forum,
    MemberSettings,
    Notification,
    Post,
    Subscription,
    Topic,
)
from .permissions import can_view_forum, is_forum_staff, is_moderator

MENTION, REPLY, NEW_TOPIC, NEW_POST = "mention", "reply", "new_topic", "new_post"


# -- preferences and subscriptions -----------------------------------------------------

def default_settings(user_id: int) -> MemberSettings:
    """What a member who never saved the settings page gets (built, not queried)."""
    return MemberSettings(user_id=user_id, email_enabled=True, email_mode=EMAIL_DIGEST, auto_subscribe=True)


def settings_for(user_id: int) -> MemberSettings:
    return db.session.get(MemberSettings, user_id) or default_settings(user_id)


def save_settings(user_id: int, *, email_enabled: bool, email_mode: str, auto_subscribe: bool) -> MemberSettings:
    settings = db.session.get(MemberSettings, user_id) or MemberSettings(user_id=user_id)
    settings.email_enabled, settings.email_mode, settings.auto_subscribe = email_enabled, email_mode, auto_subscribe
    db.session.add(settings)
    return settings


def find_subscription(user_id: int, *, forum: Forum | None = None, topic: Topic | None = None):
    if forum is not None:
        column, value = Subscription.forum_id, forum.id
    else:
        assert topic is not None  # callers name a forum or a topic
        column, value = Subscription.topic_id, topic.id
    return db.session.scalar(select(Subscription).where(Subscription.user_id == user_id, column == value))


def is_subscribed(user_id: int, *, forum: Forum | None = None, topic: Topic | None = None) -> bool:
    row = find_subscription(user_id, forum=forum, topic=topic)
    if row is not None:
        return not row.muted
    return forum is not None and forum.is_announcements  # everyone follows announcements


def subscribe(user_id: int, *, forum: Forum | None = None, topic: Topic | None = None,
              email_mode: str | None = None) -> Subscription:
    row = find_subscription(user_id, forum=forum, topic=topic)
    if row is None:
        row = Subscription(user_id=user_id, forum_id=forum.id if forum is not None else None,
                           topic_id=topic.id if topic is not None else None,
                           email_mode=settings_for(user_id).email_mode)
        db.session.add(row)
    row.muted = False
    if email_mode:
        row.email_mode = email_mode
    return row


def unsubscribe(user_id: int, *, forum: Forum | None = None, topic: Topic | None = None) -> None:
    """Announcement forums keep a muted row (the default there is subscribed)."""
    row = find_subscription(user_id, forum=forum, topic=topic)
    if forum is not None and forum.is_announcements:
        row = row or subscribe(user_id, forum=forum)
        row.muted = True
    elif row is not None:
        db.session.delete(row)


def follow_after_posting(author: User, topic: Topic) -> None:
    if settings_for(author.id).auto_subscribe and find_subscription(author.id, topic=topic) is None:
        subscribe(author.id, topic=topic)


# -- who hears about a new post --------------------------------------------------------

def _audience_filter(post: Post, users: list[User]) -> list[User]:
    """Only members who may read this post in its place (course forums, Q&A, hidden topics)."""
    topic, forum = post.topic, post.topic.forum
    users = [u for u in users if u.is_active]
    if forum.course_id is not None and users:
        assert forum.course is not None  # course_id is set
        enrolled = set(db.session.scalars(active_enrolments(Enrolment.user_id, course_id=forum.course_id).where(
            Enrolment.user_id.in_([u.id for u in users]))))
        users = [u for u in users if u.id in enrolled or is_moderator(u) or is_course_trainer(u, forum.course)]
    if topic.hidden:
        users = [u for u in users if is_moderator(u)]
    if post.position > 1 and forum.is_qa and forum.qa_post_first and users:
        replied = set(db.session.scalars(select(Post.user_id).where(
            Post.topic_id == topic.id, Post.deleted_at.is_(None), Post.id != post.id,
            Post.user_id.in_([u.id for u in users]))))
        users = [u for u in users if u.id in replied or u.id == topic.user_id or is_forum_staff(u, forum)]
    return users


def _announcement_audience(forum: Forum) -> list[int]:
    if forum.course_id is None:
        return list(db.session.scalars(select(User.id).where(User.active.is_(True), User.deleted_at.is_(None))))
    enrolled = active_enrolments(Enrolment.user_id, course_id=forum.course_id)
    assert forum.course is not None  # course_id is set
    return list(db.session.scalars(enrolled)) + [t.user_id for t in forum.course.trainers]


def post_created(post: Post, mentioned: list[User], *, new_topic: bool, mentions_only: bool = False) -> int:
    """Notify mentioned members and subscribers (each once; a mention wins). Returns
    how many notifications were written."""
    topic, forum = post.topic, post.topic.forum
    wanted: dict[int, tuple[str, str | None]] = {}  # user id → (kind, email mode or None for the default)
    for user in mentioned:
        wanted.setdefault(user.id, (MENTION, None))
    if not mentions_only:
        for sub in db.session.scalars(select(Subscription).where(Subscription.topic_id == topic.id,
                                                                 Subscription.muted.is_(False))):
            wanted.setdefault(sub.user_id, (REPLY, sub.email_mode))
        forum_subs = db.session.scalars(select(Subscription).where(Subscription.forum_id == forum.id)).all()
        muted = {s.user_id for s in forum_subs if s.muted}
        for sub in forum_subs:
            if not sub.muted:
                wanted.setdefault(sub.user_id, (NEW_TOPIC if new_topic else NEW_POST, sub.email_mode))
        if forum.is_announcements and new_topic:
            for user_id in _announcement_audience(forum):
                if user_id not in muted:
                    wanted.setdefault(user_id, (NEW_TOPIC, None))
    wanted.pop(post.user_id, None)
    if not wanted:
        return 0
    users = db.session.scalars(select(User).where(User.id.in_(list(wanted)))).all()
    users = _audience_filter(post, list(users))
    settings = {s.user_id: s for s in db.session.scalars(
        select(MemberSettings).where(MemberSettings.user_id.in_([u.id for u in users])))}
    mail_on, now = forum_mail_enabled(), utcnow()
    can_link = mail_on and base_url() is not None  # else immediate mail waits for the digest
    rows, mails = [], []
    for user in users:
        kind, mode = wanted[user.id]
        prefs = settings.get(user.id) or default_settings(user.id)
        mode = mode or prefs.email_mode
        email_state = ""
        if mail_on and prefs.email_enabled and mode != EMAIL_OFF:
            if mode == EMAIL_IMMEDIATE and can_link:
                scope = _scope(kind, wanted[user.id][1] is not None, forum, topic)
                mails.append(_mail_one(user, post, kind, scope=scope))
                email_state = "sent"
            else:
                email_state = "digest"
        rows.append({"user_id": user.id, "kind": kind, "post_id": post.id, "topic_id": topic.id,
                     "actor_id": post.user_id, "created_at": now, "email_state": email_state})
    if rows:  # one INSERT for every subscriber: a reply costs the same in a topic of 5 or 500
        db.session.execute(insert(Notification), rows)
    queue_mails(mails)
    return len(users)


def _scope(kind: str, subscribed: bool, forum: Forum, topic: Topic) -> tuple[str, int | None]:
    if kind == REPLY:
        return "topic", topic.id
    if kind in (NEW_TOPIC, NEW_POST) and subscribed:
        return "forum", forum.id
    return "email", None


def forum_mail_enabled() -> bool:
    """``FORUM_EMAIL``: True, False or "auto" (only when an SMTP server is configured)."""
    setting = current_app.config.get("FORUM_EMAIL", "auto")
    if setting == "auto":
        return smtp_configured()
    return bool(setting)


def mail_off_reason() -> str | None:
    """Why forum mail is off ("disabled": FORUM_EMAIL is false; "no_server": "auto"
    and no MAIL_SERVER), or None when it is on. The settings page says it."""
    if forum_mail_enabled():
        return None
    return "no_server" if current_app.config.get("FORUM_EMAIL", "auto") == "auto" else "disabled"


# -- mail ------------------------------------------------------------------------------

def absolute_url(endpoint: str, **values) -> str:
    """An absolute link for a mail. Raises ``site_address.UnknownAddress`` outside a
    request when no public address is known."""
    base = require_base_url()
    if has_request_context():
        root = request.script_root  # in the path url_for gives, and maybe in PUBLIC_URL too
        if root and base.endswith(root):
            base = base[: -len(root)]
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/", base_url=base + "/"):  # a path below base stays
        return request.host_url.rstrip("/") + url_for(endpoint, **values)  # (SERVER_NAME must not win)


def unsubscribe_token(user_id: int, scope: str, obj_id: int | None = None) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="forum-unsubscribe").dumps([user_id, scope, obj_id])


def read_unsubscribe_token(token: str) -> tuple[User, str, int | None] | None:
    try:
        user_id, scope, obj_id = URLSafeSerializer(current_app.config["SECRET_KEY"],
                                                   salt="forum-unsubscribe").loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or scope not in ("topic", "forum", "email"):
        return None
    return user, scope, obj_id


def _subject(kind: str, actor: str, topic: Topic, forum: Forum) -> str:
    if kind == MENTION:
        return _("%(name)s mentioned you in “%(topic)s”", name=actor, topic=topic.title)
    if kind == REPLY:
        return _("New reply in “%(topic)s”", topic=topic.title)
    if kind == NEW_TOPIC:
        return _("New topic in %(forum)s: %(topic)s", forum=structure.forum_title(forum), topic=topic.title)
    return _("New post in %(forum)s: %(topic)s", forum=structure.forum_title(forum), topic=topic.title)


def _footer(user: User, scope: tuple[str, int | None]) -> str:
    token = unsubscribe_token(user.id, scope[0], scope[1])
    what = {"topic": _("Stop following this topic"), "forum": _("Unsubscribe from this forum"),
            "email": _("Stop all forum email")}[scope[0]]
    return _("%(what)s (one click, no login needed): %(link)s\nYour forum email settings: %(settings)s",
             what=what, link=absolute_url("forum.unsubscribe", token=token),
             settings=absolute_url("forum.settings"))


def _mail_one(user: User, post: Post, kind: str, scope) -> tuple[str, str, str]:
    """The mail telling ``user`` about ``post`` as (recipient, subject, body)."""
    topic, forum = post.topic, post.topic.forum
    with force_locale(user.language or "en"):
        actor = post.author.public_name
        body = _("%(name)s wrote in “%(topic)s” (%(forum)s):\n\n%(excerpt)s\n\nRead and reply: %(link)s",
                 name=actor, topic=topic.title, forum=structure.forum_title(forum),
                 excerpt=text.excerpt(plain_text(post.body_html), 600),
                 link=absolute_url("forum.permalink", post_id=post.id))
        return (user.email, f"[{current_app.config['SITE_NAME']}] " + _subject(kind, actor, topic, forum),
                body + "\n\n-- \n" + _footer(user, scope))


def _claim_digest_notifications() -> None:
    """Mark every waiting notification as this transaction's, in one UPDATE. Two
    senders at once (the scheduler in two workers or hosts, a command) never mail the
    same item twice: on PostgreSQL the second UPDATE waits for the first to commit and
    then finds the rows no longer waiting; SQLite lets one writer in at a time.
    "sending" is never committed: the caller sets each row to "sent"."""
    db.session.execute(update(Notification).where(Notification.email_state == "digest")
                       .values(email_state="sending").execution_options(synchronize_session=False))


def send_digests() -> tuple[int, int]:
    """One mail per member with everything waiting for the digest; notifications
    about posts hidden or deleted since are left out. Returns (mails, items).
    Raises ``site_address.UnknownAddress`` (before claiming anything) when no public
    address is known for the links."""
    require_base_url()
    _claim_digest_notifications()
    notes = db.session.scalars(select(Notification).where(Notification.email_state == "sending")
                               .options(joinedload(Notification.post).joinedload(Post.author),
                                        joinedload(Notification.topic).joinedload(Topic.forum))
                               .order_by(Notification.user_id, Notification.id)).all()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({n.user_id for n in notes})))}
    mails = items = 0
    for user_id, grouped in groupby(notes, key=lambda n: n.user_id):
        group = list(grouped)
        for note in group:
            note.email_state = "sent"
        user = users.get(user_id)
        if user is None or not user.is_active or not settings_for(user_id).email_enabled:
            continue
        shown = [n for n in group if n.post is not None and n.post.is_visible
                 and n.topic is not None and not n.topic.hidden and can_view_forum(user, n.topic.forum)]
        if not shown:
            continue
        with force_locale(user.language or "en"):
            lines = []
            for note in shown:
                post, topic = note.post, note.topic
                assert post is not None and topic is not None  # checked when choosing ``shown``
                lines.append(f"* {_subject(note.kind, post.author.public_name, topic, topic.forum)}\n"
                             f"  {text.excerpt(plain_text(post.body_html), 200)}\n"
                             f"  {absolute_url('forum.permalink', post_id=post.id)}")
            subject = ngettext("Forum digest: %(num)d new post", "Forum digest: %(num)d new posts", len(shown))
            queue_mail(user.email, f"[{current_app.config['SITE_NAME']}] {subject}",
                       _("Hello %(name)s,\n\nHere is what happened in the forum since the last digest:",
                         name=user.display_name) + "\n\n" + "\n\n".join(lines)
                       + "\n\n-- \n" + _footer(user, ("email", None)))
        mails += 1
        items += len(shown)
    return mails, items


SITE = "site"


def notify(user_id: int, text: str, url: str, actor_id: int | None = None) -> Notification:
    """A bell notification from another feature (no mail: the caller mails if it should).
    ``text`` is in the recipient's language; ``url`` is a path on this site."""
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("notification links stay on the site")
    note = Notification(user_id=user_id, kind=SITE, text=text[:300], url=url[:500], actor_id=actor_id)
    db.session.add(note)
    return note


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def subscriptions_of(user_id: int) -> list[Subscription]:
    return list(db.session.scalars(select(Subscription).where(Subscription.user_id == user_id)
                                   .options(joinedload(Subscription.forum), joinedload(Subscription.topic))
                                   .order_by(Subscription.id.desc())))


def apply_unsubscribe(user: User, scope: str, obj_id: int | None) -> None:
    if scope == "email":
        settings = db.session.get(MemberSettings, user.id) or MemberSettings(user_id=user.id, email_mode=EMAIL_DIGEST,
                                                                            auto_subscribe=True)
        settings.email_enabled = False
        db.session.add(settings)
    elif scope == "topic" and (topic := db.session.get(Topic, obj_id)) is not None:
        unsubscribe(user.id, topic=topic)
    elif scope == "forum" and (forum := db.session.get(Forum, obj_id)) is not None:
        unsubscribe(user.id, forum=forum)


def undo_unsubscribe(user: User, scope: str, obj_id: int | None) -> None:
    if scope == "email":
        settings = db.session.get(MemberSettings, user.id)
        if settings is not None:
            settings.email_enabled = True
    elif scope == "topic" and (topic := db.session.get(Topic, obj_id)) is not None:
        subscribe(user.id, topic=topic)
    elif scope == "forum" and (forum := db.session.get(Forum, obj_id)) is not None:
        subscribe(user.id, forum=forum)
