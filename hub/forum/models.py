"""Forum structure and content: categories, forums, topics, posts, their edit
history, attachments and helpful marks.

Counters (topic and post counts, replies, positions) are denormalised so list pages
need no aggregate queries; they are only ever changed with SQL expressions
(``reply_count = reply_count + 1``) so concurrent replies never lose an update.
``last_post_id`` columns are plain integers, not foreign keys: forum → post → topic
→ forum would be a cycle that SQLite cannot create or drop cleanly."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..courses.models import Course
    from .services import Rendered

STANDARD, QA, ANNOUNCEMENTS = "standard", "qa", "announcements"
FORUM_KINDS = (STANDARD, QA, ANNOUNCEMENTS)


class ForumCategory(Model):
    __tablename__ = "forum_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    forums: Mapped[list["Forum"]] = relationship(back_populates="category", order_by="Forum.position")


class Forum(Model):
    """A site-wide forum (in a category) or a course's own forum (``course_id``)."""

    __tablename__ = "forum"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("forum_category.id", ondelete="SET NULL"),
                                                    index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default=STANDARD)
    # Q&A forums: learners see the other replies only after posting their own.
    qa_post_first: Mapped[bool] = mapped_column(Boolean, default=True)
    # Shows the reminder to anonymise clients above the editor and the thread.
    case_discussion: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    topic_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    last_post_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[ForumCategory | None] = relationship(back_populates="forums")
    course: Mapped["Course | None"] = relationship("Course")

    @property
    def is_qa(self) -> bool:
        return self.kind == QA

    @property
    def is_announcements(self) -> bool:
        return self.kind == ANNOUNCEMENTS

    def __repr__(self) -> str:
        return f"<Forum {self.slug}>"


class Topic(Model):
    __tablename__ = "forum_topic"
    __table_args__ = (Index("ix_forum_topic_listing", "forum_id", "pinned", "last_post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="en", index=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # its first post is hidden
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_post_id: Mapped[int | None] = mapped_column(Integer)
    # The position counter: each new post takes last_position + 1, updated atomically.
    last_position: Mapped[int] = mapped_column(Integer, default=0)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)  # visible replies
    accepted_post_id: Mapped[int | None] = mapped_column(Integer)

    forum: Mapped[Forum] = relationship()
    author: Mapped["User"] = relationship()

    def __repr__(self) -> str:
        return f"<Topic {self.id} {self.title!r}>"


class Post(Model):
    __tablename__ = "forum_post"
    # submission_key: the form's one-time key, so a retried submission (the connection
    # dropped after the commit) finds its post instead of storing it twice.
    __table_args__ = (UniqueConstraint("topic_id", "position"), UniqueConstraint("user_id", "submission_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topic.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edit_count: Mapped[int] = mapped_column(Integer, default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    submission_key: Mapped[str | None] = mapped_column(String(32))

    topic: Mapped[Topic] = relationship()
    author: Mapped["User"] = relationship(foreign_keys=[user_id])
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="post", order_by="Attachment.id")

    if TYPE_CHECKING:
        # not a column: set by hub.forum.services on a post it just wrote, for the view's messages
        rendered: Rendered

    @property
    def is_visible(self) -> bool:
        """Counted and shown to everyone: neither hidden nor deleted."""
        return self.hidden_at is None and self.deleted_at is None

    def __repr__(self) -> str:
        return f"<Post {self.id} topic={self.topic_id} #{self.position}>"


class PostRevision(Model):
    """The text a post had before an edit; the newest text stays on the post."""

    __tablename__ = "forum_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when this text was written
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped["User"] = relationship()


class Attachment(Model):
    """An image or PDF stored under the instance upload folder, never under static."""

    __tablename__ = "forum_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[Post] = relationship(back_populates="attachments")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class HelpfulMark(Model):
    __tablename__ = "forum_helpful_mark"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


from .models_members import (  # noqa: E402,F401
    EMAIL_DIGEST,
    EMAIL_IMMEDIATE,
    EMAIL_MODES,
    EMAIL_OFF,
    Draft,
    MemberSettings,
    Notification,
    ReadState,
    Subscription,
)
from .models_moderation import FLAG_REASONS, Flag, ModerationLog  # noqa: E402,F401
