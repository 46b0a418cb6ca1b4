"""Writing in the forum: topics, replies, edits, deletions, helpful marks and accepted
answers, plus what other features ask of the forum (post counts per course).

Services add and flush; the view commits. Counters only change through SQL
expressions and the position of a new post comes from the topic's counter row, so
concurrent replies to one topic all land, in order, with the counts right."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import and_, case, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..accounts.models import User
from ..database import UTCDateTime, utcnow
from ..extensions import db
from ..i18n import LANGUAGE_NAMES
from ..markdown import render_markdown
from . import attachments, notifications, text, unread
from .models import Forum, HelpfulMark, Post, PostRevision, Topic

MAX_BODY = 20_000


class ForumError(ValueError):
    """A user-facing problem with a forum action; ``str()`` is the message."""


@dataclass
class Rendered:
    html: Markup  # sanitised by ``hub.markdown``; stored as ``Post.body_html``
    mentioned: list[User] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)  # names several members share


def render_post(body_md: str, post_id: int | None = None) -> Rendered:
    """Markdown → HTML once, with resolvable @mentions turned into member links and
    single line breaks kept. With ``post_id``, ``![…](images/photo.png)`` shows the
    post's attached image of that name (what the editor writes for a dropped image)."""
    mentions = text.find_mentions(body_md)
    resolved, ambiguous = resolve_mentions(mentions)

    def resolver(mention: text.Mention):
        user = resolved.get((mention.key, mention.user_id))
        return (user.display_name, url_for("forum.member", user_id=user.id)) if user else None

    media = f"{url_for('forum.permalink', post_id=post_id)}/images/" if post_id else None
    html = render_markdown(text.link_mentions(body_md, resolver), media_base=media, line_breaks=True)
    notify = {(m.key, m.user_id) for m in text.find_mentions(body_md, include_quotes=False)}
    unique = list({u.id: u for key, u in resolved.items() if key in notify}.values())
    return Rendered(html, unique, ambiguous)


def resolve_mentions(mentions: list[text.Mention]) -> tuple[dict, list[str]]:
    """{(key, id): User} for mentions naming exactly one active member."""
    if not mentions:
        return {}, []
    names = {m.name for m in mentions}
    ids = {m.user_id for m in mentions if m.user_id}
    candidates = db.session.scalars(select(User).where(
        User.active.is_(True), User.deleted_at.is_(None),
        or_(User.display_name.in_(names), func.lower(User.display_name).in_({n.lower() for n in names}),
            User.id.in_(ids)))).all()
    by_key: dict[str, list[User]] = {}
    for user in candidates:
        by_key.setdefault(text.normalise_name(user.display_name), []).append(user)
    resolved, ambiguous = {}, []
    for mention in mentions:
        matches = by_key.get(mention.key, [])
        if mention.user_id:
            matches = [u for u in matches if u.id == mention.user_id]
        if len(matches) == 1:
            resolved[(mention.key, mention.user_id)] = matches[0]
        elif len(matches) > 1:
            ambiguous.append(mention.name)
    return resolved, ambiguous


AUTO_LANGUAGE = "auto"
QUOTED_OR_CODE = re.compile(r"(?s:```.*?```)|`[^`\n]*`|^[ \t]*>.*$", re.M)


def post_language(language: str, body_md: str, author) -> str:
    """The language the author chose, or, for "auto", the one the text is written in
    (the author's own language when the text is too short to tell)."""
    if language != AUTO_LANGUAGE:
        return language
    from ..langdetect import detect

    own_words = QUOTED_OR_CODE.sub(" ", body_md or "")  # a quoted colleague's language is not the post's
    return detect(own_words, LANGUAGE_NAMES, default_language(author))


def _check(body_md: str, language: str) -> str:
    body = (body_md or "").strip()
    if not body:
        raise ForumError(_("Write something before posting."))
    if len(body) > MAX_BODY:
        raise ForumError(_("Posts are limited to %(n)d characters.", n=MAX_BODY))
    if language not in LANGUAGE_NAMES:
        raise ForumError(_("Choose the language of your post."))
    return body


def _links_own_files(body_md: str) -> bool:
    """Whether the text may link attachments by name (``images/…``, ``files/…``)."""
    return "images/" in body_md or "files/" in body_md


def _at(value):
    return literal(value, UTCDateTime())


def _bump_counters(topic_id: int, forum_id: int, post: Post, new_topic: bool) -> None:
    """Add one visible post to the counters with SQL expressions (no lost updates)."""
    db.session.execute(update(Topic).where(Topic.id == topic_id).values(
        reply_count=Topic.reply_count + (0 if new_topic else 1),
        last_post_at=case((Topic.last_post_at < _at(post.created_at), _at(post.created_at)),
                          else_=Topic.last_post_at),
        last_post_id=case((or_(Topic.last_post_id.is_(None), Topic.last_post_id < post.id), post.id),
                          else_=Topic.last_post_id),
    ).execution_options(synchronize_session=False))
    db.session.execute(update(Forum).where(Forum.id == forum_id).values(
        topic_count=Forum.topic_count + (1 if new_topic else 0),
        post_count=Forum.post_count + 1,
        last_post_id=case((or_(Forum.last_post_id.is_(None), Forum.last_post_id < post.id), post.id),
                          else_=Forum.last_post_id),
    ).execution_options(synchronize_session=False))


def _after_new_post(post: Post, author: User, rendered: Rendered, uploads, new_topic: bool) -> None:
    if uploads:
        attachments.store(uploads, post, author)
    unread.mark_read(author.id, post.topic_id, post.position)
    notifications.follow_after_posting(author, post.topic)
    notifications.post_created(post, rendered.mentioned, new_topic=new_topic)
    signals.forum_post_created.send(signals.app(), user=author, post=post)


SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


def new_submission_key() -> str:
    return uuid.uuid4().hex


def valid_submission_key(key: str | None) -> str | None:
    """``key`` when it is one the hub gives out, else None."""
    return key if key and SUBMISSION_KEY.match(key) else None


def submitted_before(author: User, key: str | None) -> Post | None:
    """The post ``author`` already stored with this form's one-time key."""
    key = valid_submission_key(key)
    if key is None:
        return None
    return db.session.scalar(select(Post).where(Post.user_id == author.id, Post.submission_key == key))


def create_topic(forum: Forum, author: User, title: str, body_md: str, language: str, uploads=(),
                 submission_key: str | None = None) -> Post:
    language = post_language(language, f"{title}\n{body_md}", author)
    """The new topic's opening post. Like ``reply``, the post carries ``rendered``
    (its mentions, and names several members share) for the view's messages."""
    title = " ".join((title or "").split())
    if not title:
        raise ForumError(_("Give your topic a title."))
    if len(title) > 200:
        raise ForumError(_("Titles are limited to %(n)d characters.", n=200))
    body = _check(body_md, language)
    now = utcnow()
    topic = Topic(forum_id=forum.id, user_id=author.id, title=title, language=language, created_at=now,
                  last_post_at=now, last_position=1, reply_count=0)
    db.session.add(topic)
    db.session.flush()
    post = Post(topic_id=topic.id, user_id=author.id, position=1, body_md=body, body_html="",
                language=language, created_at=now, submission_key=valid_submission_key(submission_key))
    db.session.add(post)
    db.session.flush()
    rendered = render_post(body, post.id)  # its id first: image links point at the post
    post.body_html = rendered.html
    _bump_counters(topic.id, forum.id, post, new_topic=True)
    db.session.expire(forum)
    db.session.expire(topic)
    _after_new_post(post, author, rendered, uploads, new_topic=True)
    post.rendered = rendered
    return post


def reply(topic: Topic, author: User, body_md: str, language: str, uploads=(),
          submission_key: str | None = None) -> Post:
    language = post_language(language, body_md, author)
    body = _check(body_md, language)
    # Markdown and mentions are the slow part of a reply: render before the topic row
    # is locked, unless the text links the post's own images or files (their address
    # holds the post's id, known after the insert).
    early = None if _links_own_files(body) else render_post(body)
    # Take the next position from the topic row: the UPDATE locks it (PostgreSQL) and
    # the write transaction is exclusive (SQLite), so concurrent replies queue here.
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(last_position=Topic.last_position + 1)
                       .execution_options(synchronize_session=False))
    position = db.session.scalar(select(Topic.last_position).where(Topic.id == topic.id))
    post = Post(topic_id=topic.id, user_id=author.id, position=position, body_md=body, body_html="",
                language=language, created_at=utcnow(), submission_key=valid_submission_key(submission_key))
    db.session.add(post)
    db.session.flush()
    rendered = early or render_post(body, post.id)  # its id first: image links point at the post
    post.body_html = rendered.html
    _bump_counters(topic.id, topic.forum_id, post, new_topic=False)
    db.session.expire(topic)
    db.session.expire(topic.forum)
    _after_new_post(post, author, rendered, uploads, new_topic=False)
    post.rendered = rendered
    return post


def edit_post(post: Post, editor: User, body_md: str, language: str, uploads=(), title: str | None = None) -> Rendered:
    language = post_language(language, body_md, post.author)
    """Keeps the previous text as a revision; notifies only newly mentioned members.
    ``title`` renames the topic when the opening post is edited."""
    body = _check(body_md, language)
    if post.position == 1 and title is not None:
        title = " ".join(title.split())
        if not title:
            raise ForumError(_("Give your topic a title."))
        post.topic.title = title[:200]
    if len(post.attachments) + len(uploads) > attachments.max_count():
        raise ForumError(ngettext("Attach at most %(num)d file to one post.",
                                  "Attach at most %(num)d files to one post.", attachments.max_count()))
    if body == post.body_md and language == post.language and not uploads:
        return Rendered(Markup(post.body_html))  # sanitised when it was rendered
    before = {u.id for u in render_post(post.body_md).mentioned}
    rendered = render_post(body, post.id)
    db.session.add(PostRevision(post_id=post.id, editor_id=editor.id, body_md=post.body_md,
                                body_html=post.body_html, language=post.language,
                                written_at=post.edited_at or post.created_at))
    post.body_md, post.body_html, post.language = body, rendered.html, language
    post.edited_at = utcnow()
    post.edit_count = (post.edit_count or 0) + 1
    if post.position == 1:
        post.topic.language = language
    if uploads:
        attachments.store(uploads, post, editor)
    fresh = [u for u in rendered.mentioned if u.id not in before]
    if fresh and post.is_visible:
        notifications.post_created(post, fresh, new_topic=False, mentions_only=True)
    return rendered


def recount(topic: Topic) -> None:
    """Recompute a topic's and its forum's counters after a moderation change. The
    rows are locked first so a concurrent reply cannot slip between count and write."""
    forum = topic.forum
    lock_rows([topic.id], [forum.id])
    visible = and_(Post.topic_id == topic.id, Post.hidden_at.is_(None), Post.deleted_at.is_(None))
    replies = db.session.scalar(select(func.count(Post.id)).where(visible, Post.position > 1))
    last = db.session.execute(select(Post.id, Post.created_at).where(visible)
                              .order_by(Post.position.desc()).limit(1)).first()
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(
        reply_count=replies, last_post_id=last[0] if last else None,
        last_post_at=_at(last[1]) if last else Topic.created_at).execution_options(synchronize_session=False))
    db.session.expire(topic)
    recount_forum(forum)


def lock_rows(topic_ids: list[int], forum_ids: list[int]) -> None:
    """Row locks in the order replies take them (topics, then forums by id), so
    moderation and posting queue instead of deadlocking (PostgreSQL; SQLite write
    transactions are exclusive anyway)."""
    if topic_ids:
        db.session.execute(select(Topic.id).where(Topic.id.in_(sorted(topic_ids))).order_by(Topic.id)
                           .with_for_update())
    if forum_ids:
        db.session.execute(select(Forum.id).where(Forum.id.in_(sorted(forum_ids))).order_by(Forum.id)
                           .with_for_update())


def recount_forum(forum: Forum) -> None:
    shown = and_(Topic.forum_id == forum.id, Topic.hidden.is_(False))
    topics = db.session.scalar(select(func.count(Topic.id)).where(shown))
    posts = select(Post.id).join(Topic, Post.topic_id == Topic.id).where(
        shown, Post.hidden_at.is_(None), Post.deleted_at.is_(None))
    count = db.session.scalar(select(func.count()).select_from(posts.subquery()))
    last = db.session.scalar(select(func.max(Post.id)).join(Topic, Post.topic_id == Topic.id).where(
        shown, Post.hidden_at.is_(None), Post.deleted_at.is_(None)))
    db.session.execute(update(Forum).where(Forum.id == forum.id).values(
        topic_count=topics, post_count=count, last_post_id=last).execution_options(synchronize_session=False))
    db.session.expire(forum)


def recount_all() -> None:
    """Every topic's and forum's counters from the rows, in a few set-based statements:
    after bulk writes (the site generator) or to repair counters by hand."""
    visible = and_(Post.hidden_at.is_(None), Post.deleted_at.is_(None))
    of_topic = and_(visible, Post.topic_id == Topic.id)
    last = select(Post.id).where(of_topic).order_by(Post.position.desc()).limit(1).scalar_subquery()
    db.session.execute(update(Topic).values(
        reply_count=select(func.count(Post.id)).where(of_topic, Post.position > 1).scalar_subquery(),
        last_position=func.coalesce(select(func.max(Post.position)).where(Post.topic_id == Topic.id)
                                    .scalar_subquery(), 0),
        last_post_id=last,
        last_post_at=func.coalesce(select(Post.created_at).where(of_topic).order_by(Post.position.desc()).limit(1)
                                   .scalar_subquery(), Topic.created_at)).execution_options(synchronize_session=False))
    shown = and_(Topic.forum_id == Forum.id, Topic.hidden.is_(False))
    db.session.execute(update(Forum).values(
        topic_count=select(func.count(Topic.id)).where(shown).scalar_subquery(),
        post_count=select(func.count(Post.id)).join(Topic, Post.topic_id == Topic.id).where(shown, visible)
        .scalar_subquery(),
        last_post_id=select(func.max(Post.id)).join(Topic, Post.topic_id == Topic.id).where(shown, visible)
        .scalar_subquery()).execution_options(synchronize_session=False))
    db.session.expire_all()


def delete_post(post: Post) -> None:
    """The post stays in its place as "post deleted"; counters drop it."""
    if post.deleted_at is not None:
        return
    post.deleted_at = utcnow()
    topic = post.topic
    if topic.accepted_post_id == post.id:
        topic.accepted_post_id = None
    db.session.flush()
    recount(topic)


def toggle_helpful(post: Post, user: User) -> bool:
    """One mark per member; a second click takes it back. Returns the new state."""
    mark = db.session.scalar(select(HelpfulMark).where(HelpfulMark.post_id == post.id,
                                                       HelpfulMark.user_id == user.id))
    if mark is not None:
        db.session.delete(mark)
        delta = -1
    else:
        try:
            with db.session.begin_nested():
                db.session.add(HelpfulMark(post_id=post.id, user_id=user.id))
        except IntegrityError:  # a double click landed first
            return True
        delta = 1
    db.session.execute(update(Post).where(Post.id == post.id).values(helpful_count=Post.helpful_count + delta)
                       .execution_options(synchronize_session=False))
    db.session.expire(post, ["helpful_count"])
    return delta > 0


def toggle_accepted(post: Post) -> bool:
    topic = post.topic
    if topic.accepted_post_id == post.id:
        topic.accepted_post_id = None
        return False
    topic.accepted_post_id = post.id
    return True


def default_language(user) -> str:
    language = getattr(user, "language", None) or "en"
    return language if language in LANGUAGE_NAMES else "en"


# -- what other features ask ---------------------------------------------------------

def _course_posts(course_id: int):
    return (select(Post.user_id, func.count(Post.id)).join(Topic, Post.topic_id == Topic.id)
            .join(Forum, Topic.forum_id == Forum.id)
            .where(Forum.course_id == course_id, Post.deleted_at.is_(None), Post.hidden_at.is_(None),
                   Topic.hidden.is_(False)))


def count_posts_in_course(user_id: int, course_id: int) -> int:
    """Visible, not deleted posts ``user_id`` wrote in the course's forum."""
    stmt = _course_posts(course_id).where(Post.user_id == user_id).group_by(Post.user_id)
    row = db.session.execute(stmt).first()
    return int(row[1]) if row else 0


def count_posts_in_course_for_users(user_ids, course_id: int) -> dict[int, int]:
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    counts = dict(db.session.execute(_course_posts(course_id).where(Post.user_id.in_(user_ids))
                                     .group_by(Post.user_id)).all())
    return {uid: int(counts.get(uid, 0)) for uid in user_ids}


def count_posts_of_user_in_courses(user_id: int, course_ids) -> dict[int, int]:
    """{course id: visible posts ``user_id`` wrote in that course's forum}, one query."""
    course_ids = list(course_ids)
    if not course_ids:
        return {}
    stmt = (select(Forum.course_id, func.count(Post.id)).join(Topic, Post.topic_id == Topic.id)
            .join(Forum, Topic.forum_id == Forum.id)
            .where(Forum.course_id.in_(course_ids), Post.user_id == user_id, Post.deleted_at.is_(None),
                   Post.hidden_at.is_(None), Topic.hidden.is_(False)).group_by(Forum.course_id))
    counts = dict(db.session.execute(stmt).all())
    return {cid: int(counts.get(cid, 0)) for cid in course_ids}


def course_of_post(post: Post):
    """The course whose forum holds ``post``, or None for site-wide forums."""
    topic = post.topic or db.session.get(Topic, post.topic_id)
    assert topic is not None  # post.topic_id is a non-null foreign key
    return topic.forum.course
