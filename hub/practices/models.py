"""Good-practice records (one template), their facets for filtering, reviewers'
indicator scores, and the indicators' weights."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User

DRAFT, SUBMITTED, IN_REVIEW, PUBLISHED, RETURNED = "draft", "submitted", "in_review", "published", "returned"
STATUSES = (DRAFT, SUBMITTED, IN_REVIEW, PUBLISHED, RETURNED)

# Facet kinds: the list fields a reader filters by, one row per value.
TARGET_GROUP, ZONE, TAG, LANGUAGE = "target_group", "zone", "tag", "language"
FACET_KINDS = (TARGET_GROUP, ZONE, TAG, LANGUAGE)

# The long Markdown parts of the template, in page order: field stem -> heading in content files.
SECTIONS = {
    "description": "Description",
    "results": "Results",
    "success_factors": "Success factors",
    "challenges": "Challenges and lessons learnt",
    "transferability": "Transferability",
}


class Practice(Model):
    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    motto: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(String(300), default="")
    country: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str] = mapped_column(String(120), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    organisation_type: Mapped[str] = mapped_column(String(40), default="ngo")
    partners: Mapped[list] = mapped_column(JSON, default=list)
    sector: Mapped[str] = mapped_column(String(200), default="")
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    ongoing: Mapped[bool] = mapped_column(Boolean, default=False)
    funding: Mapped[str] = mapped_column(String(300), default="")
    participants_per_year: Mapped[str] = mapped_column(String(120), default="")
    evaluation: Mapped[str] = mapped_column(String(20), default="none")
    source_project: Mapped[str] = mapped_column(String(120), default="")
    sources: Mapped[list] = mapped_column(JSON, default=list)  # [{"title", "url"}]
    links: Mapped[list] = mapped_column(JSON, default=list)  # [{"title", "url"}]
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False)  # shown only with consent
    last_reviewed: Mapped[date | None] = mapped_column(Date)

    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    results_md: Mapped[str] = mapped_column(Text, default="")
    results_html: Mapped[str] = mapped_column(Text, default="")
    success_factors_md: Mapped[str] = mapped_column(Text, default="")
    success_factors_html: Mapped[str] = mapped_column(Text, default="")
    challenges_md: Mapped[str] = mapped_column(Text, default="")
    challenges_html: Mapped[str] = mapped_column(Text, default="")
    transferability_md: Mapped[str] = mapped_column(Text, default="")
    transferability_html: Mapped[str] = mapped_column(Text, default="")

    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    shipped: Mapped[bool] = mapped_column(Boolean, default=False)  # imported from content/practices
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str] = mapped_column(Text, default="")  # why it was returned, for the owner
    # Cached from the scores by services.rescore(), so the list sorts and filters in SQL.
    score_percent: Mapped[float | None] = mapped_column(Float, index=True)
    score_label: Mapped[str | None] = mapped_column(String(12), index=True)

    owner: Mapped["User | None"] = relationship()
    facets: Mapped[list["PracticeFacet"]] = relationship(back_populates="practice", cascade="all, delete-orphan",
                                                         order_by="PracticeFacet.position")
    scores: Mapped[list["PracticeScore"]] = relationship(back_populates="practice", cascade="all, delete-orphan")
    documents: Mapped[list["PracticeDocument"]] = relationship(back_populates="practice", cascade="all, delete-orphan",
                                                               order_by="PracticeDocument.id")
    revisions: Mapped[list["PracticeRevision"]] = relationship(back_populates="practice", cascade="all, delete-orphan",
                                                               order_by="PracticeRevision.number")

    def facet_values(self, kind: str) -> list[str]:
        return [f.value for f in self.facets if f.kind == kind]

    @property
    def target_groups(self) -> list[str]:
        return self.facet_values(TARGET_GROUP)

    @property
    def zones(self) -> list[str]:
        return self.facet_values(ZONE)

    @property
    def tags(self) -> list[str]:
        return self.facet_values(TAG)

    @property
    def languages(self) -> list[str]:
        return self.facet_values(LANGUAGE)


class PracticeFacet(Model):
    """One value of a list field (target group, zone, tag, language) of a practice."""

    __tablename__ = "practice_facet"
    __table_args__ = (UniqueConstraint("practice_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(60), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    practice: Mapped[Practice] = relationship(back_populates="facets")


class PracticeScore(Model):
    """One reviewer's score (0-3) of one indicator, with the reason for it."""

    __tablename__ = "practice_score"
    __table_args__ = (UniqueConstraint("practice_id", "reviewer_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(40))
    score: Mapped[int] = mapped_column(Integer)
    justification: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="scores")
    reviewer: Mapped["User"] = relationship()


class PracticeIndicator(Model):
    """An indicator's weight in the total (administrators change it)."""

    __tablename__ = "practice_indicator"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    position: Mapped[int] = mapped_column(Integer, default=0)


class PracticeRevision(Model):
    """The record as it was after one change (edit, submission, review step), with who
    made it and when: the history, and what two versions are compared from."""

    __tablename__ = "practice_revision"
    __table_args__ = (UniqueConstraint("practice_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(20))  # created | edited | submitted | ... | imported
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # services.as_record() of that moment

    practice: Mapped[Practice] = relationship(back_populates="revisions")
    author: Mapped["User | None"] = relationship()


class PracticeDocument(Model):
    """A tool or document of the practice (PDF or image), stored under a random name."""

    __tablename__ = "practice_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str] = mapped_column(String(120))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="documents")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
