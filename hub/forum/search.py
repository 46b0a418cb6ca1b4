"""What search indexes of the forum, and who may find it (the rules of
``permissions``, written as index terms):

- visible posts of visible topics: never hidden, deleted or hidden-topic posts;
- site-wide forums are for members (scope "members"); a course forum for the course's
  participants (scope "course-forum:<course id>": learners, its trainers, moderators);
- in a Q&A forum that asks learners to answer first, replies carry the gate
  "qa:<topic id>": a learner passes it once they started or replied to the topic;
  forum staff (moderators, trainers of the forum's audience) pass every gate.
Changing a topic or a forum re-indexes its posts (``dependents``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..courses.models import Enrolment, active_enrolments
from ..courses.services import trained_course_ids
from ..extensions import db
from ..markdown import plain_text
from ..permissions import TRAINER, has_role, is_member
from ..search.registry import Access, Source, register_access, register_doc_type, register_source, watch
from .models import QA, Forum, Post, Topic
from .permissions import is_moderator

COURSE_FORUM = "course-forum:"  # + course id


def _visible(stmt):
    return stmt.where(Post.hidden_at.is_(None), Post.deleted_at.is_(None), Topic.hidden.is_(False))


def document(post: Post) -> dict:
    topic, forum = post.topic, post.topic.forum
    gated = forum.is_qa and forum.qa_post_first and post.position > 1
    return dict(entity=f"post:{post.id}", key=f"post:{post.id}", doc_type="forum_post", language=post.language,
                course=forum.course.slug if forum.course is not None else "",
                scope=f"{COURSE_FORUM}{forum.course_id}" if forum.course_id is not None else "members",
                gate=f"qa:{topic.id}" if gated else "open",
                countries=[post.author.country] if post.author.country else [],
                title=topic.title, body=plain_text(post.body_html), date=post.created_at,
                endpoint="forum.permalink", url_args={"post_id": post.id})


def post_documents(ids: list[int]):
    stmt = (_visible(select(Post).join(Topic, Post.topic_id == Topic.id)).where(Post.id.in_(ids))
            .options(joinedload(Post.author), joinedload(Post.topic).joinedload(Topic.forum).joinedload(Forum.course)))
    for post in db.session.scalars(stmt):
        yield document(post)


def post_ids():
    return db.session.scalars(_visible(select(Post.id).join(Topic, Post.topic_id == Topic.id)))


def topic_posts(ids: list[int]) -> dict[str, list[int]]:
    return {"post": list(db.session.scalars(select(Post.id).where(Post.topic_id.in_(ids))))}


def forum_topics(ids: list[int]) -> dict[str, list[int]]:
    return {"topic": list(db.session.scalars(select(Topic.id).where(Topic.forum_id.in_(ids))))}


def access(user) -> Access:
    from ..search.query import prefix, term

    if not is_member(user):
        return Access(gates=[])
    if is_moderator(user):
        return Access(scopes=[term("scope", "members"), prefix("scope", COURSE_FORUM)], gates=None)
    trained = trained_course_ids(user)
    if trained is None:
        return Access(scopes=[term("scope", "members"), prefix("scope", COURSE_FORUM)], gates=None)
    courses = set(db.session.scalars(active_enrolments(Enrolment.course_id, user_id=user.id))) | trained
    scopes = [term("scope", "members")] + [term("scope", f"{COURSE_FORUM}{cid}") for cid in sorted(courses)]
    replied = select(Post.id).where(Post.topic_id == Topic.id, Post.user_id == user.id, Post.deleted_at.is_(None))
    answered = db.session.scalars(  # driven by the (few) Q&A topics, not by the member's posts
        select(Topic.id).join(Forum, Topic.forum_id == Forum.id).where(
            Forum.kind == QA, Forum.qa_post_first.is_(True), or_(Topic.user_id == user.id, replied.exists())))
    gates = [term("gate", f"qa:{topic_id}") for topic_id in answered]
    if has_role(user, TRAINER):
        gates.append(term("scope", "members"))  # trainers are the staff of site-wide forums
    gates += [term("scope", f"{COURSE_FORUM}{cid}") for cid in sorted(trained)]
    return Access(scopes=scopes, gates=gates)


def register() -> None:
    register_doc_type("forum_post", _l("Forum posts"))
    register_source(Source("post", post_documents, post_ids))
    register_source(Source("topic", lambda ids: (), lambda: (), topic_posts))
    register_source(Source("forum", lambda ids: (), lambda: (), forum_topics))
    watch(Post, "post", ("body_html", "language", "hidden_at", "deleted_at", "topic_id"))
    watch(Topic, "topic", ("title", "hidden", "forum_id"))
    watch(Forum, "forum", ("course_id", "kind", "qa_post_first"))
    register_access(access)

