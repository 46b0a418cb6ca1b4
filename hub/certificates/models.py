"""Certificates of completion. A certificate is a record of what was stated at issue
(name, course title, hours, issuer) so later edits never change an issued one."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..courses.models import Course


class Certificate(Model):
    """``live`` is True while the certificate is valid and NULL once revoked. The
    unique constraint on (user, course, live) therefore allows one live certificate
    per learner and course, while revoked ones (NULLs never collide, on SQLite and
    PostgreSQL alike) do not block a reissue."""

    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "live", name="uq_certificate_live"),
        CheckConstraint("(live IS NULL AND revoked_at IS NOT NULL) OR (live IS NOT NULL AND revoked_at IS NULL)",
                        name="live_unless_revoked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    live: Mapped[bool | None] = mapped_column(Boolean)  # set explicitly: True, or NULL once revoked

    learner_name: Mapped[str] = mapped_column(String(120))
    course_title: Mapped[str] = mapped_column(String(200))  # in the learner's language when issued
    # The language the certificate is written in (the learner's when issued): the PDF
    # says everything in it, whoever downloads it and whatever their interface says.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    hours: Mapped[float] = mapped_column(Float, default=0)
    issuer: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Open Badges recipient: sha256(email + salt) of the address at issue.
    recipient_salt: Mapped[str] = mapped_column(String(32))
    recipient_hash: Mapped[str] = mapped_column(String(64))

    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id", ondelete="SET NULL"))

    user: Mapped["User"] = relationship(foreign_keys=[user_id])
    course: Mapped["Course"] = relationship()
    issued_by: Mapped["User | None"] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped["User | None"] = relationship(foreign_keys=[revoked_by_id])
    replaced_by: Mapped["Certificate | None"] = relationship(remote_side=[id], foreign_keys=[replaced_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def display_code(self) -> str:
        """Groups of five for reading aloud and typing: ABCDE-FGHJK-..."""
        return "-".join(self.code[i:i + 5] for i in range(0, len(self.code), 5))

    def __repr__(self) -> str:
        return f"<Certificate {self.code} user={self.user_id} course={self.course_id}>"
