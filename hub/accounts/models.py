"""Members, their roles and their server-side login sessions."""
from __future__ import annotations

import hashlib
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model
from ..permissions import LEARNER

PROFESSIONS = ("counsellor", "social_worker", "job_coach", "trainer", "public_employment_service", "other")


class User(UserMixin, Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    country: Mapped[str] = mapped_column(String(2), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    profession: Mapped[str] = mapped_column(String(40), default="other")
    language: Mapped[str] = mapped_column(String(8), default="en")
    bio: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(20), default=LEARNER, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the member opens the link mailed at registration (or resets the
    # password, which proves the same); an unconfirmed account cannot log in.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-step verification (accounts/twofactor.py): the authenticator app's key, when
    # it was turned on, and the last time step whose code was used (each code works once).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Lockout bookkeeping (see accounts/lockout.py): failures in the current window,
    # when the last one happened, and until when the account refuses logins.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A forum suspension (accounts/suspension.py): the member reads but cannot write
    # before this day (site time zone), and is told why.
    suspended_until: Mapped[date | None] = mapped_column(Date)
    suspension_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")

    sessions: Mapped[list["UserSession"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # The login session this request runs under (set by the user loader).
    current_session_key = None  # type: str | None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active and self.deleted_at is None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def get_id(self) -> str:
        """The session cookie (and remember cookie) carries the user id and the key of
        a server-side session row: deleting the row ends that login everywhere."""
        return f"{self.id}:{self.current_session_key or ''}"

    @property
    def public_name(self) -> str:
        from flask_babel import gettext as _
        return _("Deleted member") if self.is_deleted else self.display_name

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RecoveryCode(Model):
    """A single-use code for logging in without the authenticator app; only its
    keyed hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSession(Model):
    """One row per login; the cookie holds the key, the table holds its hash."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(back_populates="sessions")

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
