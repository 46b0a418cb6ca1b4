"""Courses, their sections and lessons (with translations), enrolments and lesson
progress. Rows are keyed by stable slugs so re-importing content keeps history."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Select, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model, db

if TYPE_CHECKING:
    from ..accounts.models import User

KINDS = ("introduction", "zone", "guideline")
ENROLMENT_MODES = ("open", "key", "closed")
CERTIFICATE_MODES = ("auto", "manual", "none")


class Course(Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="zone")
    zone: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8), default="en")
    position: Mapped[int] = mapped_column(Integer, default=0)
    estimated_hours: Mapped[float] = mapped_column(default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    enrolment_mode: Mapped[str] = mapped_column(String(10), default="open")
    enrolment_key: Mapped[str | None] = mapped_column(String(100))
    enrol_opens: Mapped[date | None] = mapped_column(Date)
    enrol_closes: Mapped[date | None] = mapped_column(Date)
    capacity: Mapped[int | None] = mapped_column(Integer)
    # {"lessons": "all"|"none", "quizzes": [slug...], "forum_posts": int}
    completion_rules: Mapped[dict] = mapped_column(JSON, default=dict)
    certificate_mode: Mapped[str] = mapped_column(String(10), default="auto")
    prerequisite_slugs: Mapped[list] = mapped_column(JSON, default=list)
    source_path: Mapped[str | None] = mapped_column(String(300))  # folder it was imported from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sections: Mapped[list["Section"]] = relationship(back_populates="course", order_by="Section.position",
                                                     cascade="all, delete-orphan")
    lessons: Mapped[list["Lesson"]] = relationship(back_populates="course", order_by="Lesson.position",
                                                   cascade="all, delete-orphan")
    translations: Mapped[list["CourseTranslation"]] = relationship(back_populates="course",
                                                                   cascade="all, delete-orphan")
    trainers: Mapped[list["CourseTrainer"]] = relationship(back_populates="course", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class CourseTranslation(Model):
    __tablename__ = "course_translation"
    __table_args__ = (UniqueConstraint("course_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    # {section slug: translated title}; sections without one show the course's title
    section_titles: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    quiz_titles: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")  # {quiz slug: title}

    course: Mapped[Course] = relationship(back_populates="translations")


class CourseTrainer(Model):
    __tablename__ = "course_trainer"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    course: Mapped[Course] = relationship(back_populates="trainers")
    user: Mapped["User"] = relationship()


class Section(Model):
    __tablename__ = "course_section"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(back_populates="sections")
    lessons: Mapped[list["Lesson"]] = relationship(back_populates="section", order_by="Lesson.position")


class Lesson(Model):
    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("course_section.id", ondelete="SET NULL"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    source_file: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # removed from disk; history kept
    reviewed_on: Mapped[date | None] = mapped_column(Date)  # facts last checked (front matter `reviewed:`)

    course: Mapped[Course] = relationship(back_populates="lessons")
    section: Mapped[Section | None] = relationship(back_populates="lessons")
    translations: Mapped[list["LessonTranslation"]] = relationship(back_populates="lesson",
                                                                   cascade="all, delete-orphan")


class LessonTranslation(Model):
    __tablename__ = "lesson_translation"
    __table_args__ = (UniqueConstraint("lesson_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    reviewed_on: Mapped[date | None] = mapped_column(Date)  # a translation is checked on its own

    lesson: Mapped[Lesson] = relationship(back_populates="translations")


ENROLMENT_ACTIVE = "active"
ENROLMENT_UNENROLLED = "unenrolled"


class Enrolment(Model):
    """Unenrolling sets ``status`` and keeps the row, so history survives."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ENROLMENT_ACTIVE)  # or ENROLMENT_UNENROLLED
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    unenrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship()
    course: Mapped[Course] = relationship()


def active_enrolments(*columns, user_id: int | None = None, course_id: int | None = None) -> Select:
    """``SELECT columns`` (default: the rows) of active enrolments, optionally of one
    member and/or one course: the one definition of "enrolled" every feature uses."""
    stmt = select(*(columns or (Enrolment,))).where(Enrolment.status == ENROLMENT_ACTIVE)
    if user_id is not None:
        stmt = stmt.where(Enrolment.user_id == user_id)
    if course_id is not None:
        stmt = stmt.where(Enrolment.course_id == course_id)
    return stmt


def is_enrolled(user_id: int, course_id: int) -> bool:
    return db.session.scalar(active_enrolments(Enrolment.id, user_id=user_id, course_id=course_id)) is not None


class LessonProgress(Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    first_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
