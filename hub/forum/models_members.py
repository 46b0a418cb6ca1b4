"""What the forum keeps per member: subscriptions, notifications, read positions,
mail preferences and drafts rescued from an expired login."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User
    from .models import Forum, Post, Topic

EMAIL_OFF, EMAIL_IMMEDIATE, EMAIL_DIGEST = "off", "immediate", "digest"
EMAIL_MODES = (EMAIL_OFF, EMAIL_IMMEDIATE, EMAIL_DIGEST)


class Subscription(Model):
    """To a forum (every new post) or a topic (every reply). In announcement forums
    every member is subscribed without a row; a row with ``muted`` opts out."""

    __tablename__ = "forum_subscription"
    __table_args__ = (UniqueConstraint("user_id", "forum_id"), UniqueConstraint("user_id", "topic_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("forum_topic.id", ondelete="CASCADE"), index=True)
    email_mode: Mapped[str] = mapped_column(String(10), default=EMAIL_DIGEST)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    forum: Mapped["Forum | None"] = relationship("Forum")
    topic: Mapped["Topic | None"] = relationship("Topic")


class Notification(Model):
    """One in-app notification; ``email_state`` says whether it still waits for a
    digest ("digest"), was mailed ("sent") or needs no mail ("")."""

    __tablename__ = "forum_notification"
    __table_args__ = (Index("ix_forum_notification_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # reply | new_post | new_topic | mention | site
    # "site" notes come from other features (a practice published...): their line of
    # text, already in the recipient's language, and the local path they lead to.
    text: Mapped[str] = mapped_column(String(300), default="", server_default="")
    url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("forum_topic.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_state: Mapped[str] = mapped_column(String(10), default="", index=True)

    post: Mapped["Post | None"] = relationship("Post")
    topic: Mapped["Topic | None"] = relationship("Topic")
    actor: Mapped["User | None"] = relationship("User", foreign_keys=[actor_id])


class ReadState(Model):
    """The highest post position a member has seen in a topic."""

    __tablename__ = "forum_read_state"
    __table_args__ = (UniqueConstraint("user_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topic.id", ondelete="CASCADE"), index=True)
    last_position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MemberSettings(Model):
    """Forum mail preferences; members without a row get the defaults."""

    __tablename__ = "forum_member_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)  # the one-click "stop all forum mail"
    email_mode: Mapped[str] = mapped_column(String(10), default=EMAIL_DIGEST)  # mentions, new subscriptions
    auto_subscribe: Mapped[bool] = mapped_column(Boolean, default=True)  # follow topics I write in


class Draft(Model):
    """Text sent after the login had expired, kept until the member logs in again.
    The key is random and only travels in the ``next`` link of the login page."""

    __tablename__ = "forum_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # title, body, language
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
