"""Quizzes, the per-course question bank, and attempts.

Moodle's model in miniature: questions live in a course's bank (categories, tags),
a quiz is an ordered list of slots pointing at a question or drawing one at random
from a category, and an attempt freezes what the learner got (question order, answer
order, a snapshot of each question's answer data) so grading and review stay stable
even when the bank is edited or re-imported later."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model, db

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..courses.models import Course, Section

GRADING_METHODS = ("highest", "average", "first", "last")
QUESTION_TYPES = ("multichoice", "truefalse", "shortanswer", "numerical", "match", "essay",
                  "multianswer", "description")
ATTEMPT_STATES = ("inprogress", "finished")
REVIEW_KEYS = ("score", "correctness", "correct_answers", "feedback")


def default_review() -> dict:
    return {key: True for key in REVIEW_KEYS}


class Quiz(Model):
    __tablename__ = "quiz"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("course_section.id", ondelete="SET NULL"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    intro_md: Mapped[str] = mapped_column(Text, default="")
    intro_html: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=0)  # 0 = unlimited
    grading_method: Mapped[str] = mapped_column(String(10), default="highest")
    pass_grade: Mapped[float] = mapped_column(Float, default=0)  # percent
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_answers: Mapped[bool] = mapped_column(Boolean, default=True)
    questions_per_page: Mapped[int] = mapped_column(Integer, default=0)  # 0 = all on one page
    # {"score": bool, "correctness": bool, "correct_answers": bool, "feedback": bool}
    review_after_submit: Mapped[dict] = mapped_column(JSON, default=default_review)
    review_after_close: Mapped[dict] = mapped_column(JSON, default=default_review)
    # [{"min": 80.0, "text_md": "...", "text_html": "..."}], highest band first
    feedback_bands: Mapped[list] = mapped_column(JSON, default=list)
    source_file: Mapped[str | None] = mapped_column(String(200))  # file it was imported from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped["Course"] = relationship()
    section: Mapped["Section | None"] = relationship()
    slots: Mapped[list["QuizSlot"]] = relationship(back_populates="quiz", order_by="QuizSlot.position",
                                                   cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Quiz {self.slug}>"


class QuestionCategory(Model):
    """A folder of the course's question bank; ``path`` is "Parent/Child" (Moodle's
    ``$CATEGORY:`` notation without the ``$course$/top`` prefix)."""

    __tablename__ = "question_category"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    info: Mapped[str] = mapped_column(Text, default="")
    # Kept from Moodle XML so an export gives Moodle the category back as it was.
    info_format: Mapped[str] = mapped_column(String(10), default="moodle")  # markdown|html|plain|moodle
    idnumber: Mapped[str | None] = mapped_column(String(100))

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def depth(self) -> int:
        return self.path.count("/")

    def __repr__(self) -> str:
        return f"<QuestionCategory {self.path}>"


question_tag_link = Table(
    "question_tag_link", db.metadata,
    Column("question_id", ForeignKey("question.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("question_tag.id", ondelete="CASCADE"), primary_key=True),
)


class QuestionTag(Model):
    __tablename__ = "question_tag"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Question(Model):
    """One question of a course bank. ``data`` holds the type's answers in the shape
    :mod:`hub.quizzes.grading` reads (with rendered HTML next to each text)."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("question_category.id", ondelete="CASCADE"), index=True)
    qtype: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))
    idnumber: Mapped[str | None] = mapped_column(String(100))
    text_md: Mapped[str] = mapped_column(Text, default="")
    text_format: Mapped[str] = mapped_column(String(10), default="markdown")  # markdown|html|plain|moodle
    text_html: Mapped[str] = mapped_column(Text, default="")
    general_feedback_md: Mapped[str] = mapped_column(Text, default="")
    general_feedback_html: Mapped[str] = mapped_column(Text, default="")
    default_mark: Mapped[float] = mapped_column(Float, default=1.0)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[QuestionCategory] = relationship()
    tags: Mapped[list[QuestionTag]] = relationship(secondary=question_tag_link, order_by="QuestionTag.name")

    @property
    def tag_names(self) -> list[str]:
        return [t.name for t in self.tags]

    translations: Mapped[list["QuestionTranslation"]] = relationship(back_populates="question",
                                                                     cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.qtype} {self.name!r}>"


class QuestionTranslation(Model):
    """A question in another language (``quiz.<lang>.gift`` next to the quiz file):
    the same answers in the same order with the same weights, other words. Pages show
    it to readers of that language; grading never looks at the words of a choice, so
    a grade does not depend on the language it was earned in (short answers accept
    every language's answers)."""

    __tablename__ = "question_translation"
    __table_args__ = (UniqueConstraint("question_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    text_format: Mapped[str] = mapped_column(String(10), default="markdown")
    text_md: Mapped[str] = mapped_column(Text, default="")
    text_html: Mapped[str] = mapped_column(Text, default="")
    general_feedback_md: Mapped[str] = mapped_column(Text, default="")
    general_feedback_html: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # the question's data shape, translated, with *_html

    question: Mapped[Question] = relationship(back_populates="translations")


class QuizSlot(Model):
    """A place in a quiz: a fixed question, or a random draw from a category."""

    __tablename__ = "quiz_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    random_category_id: Mapped[int | None] = mapped_column(ForeignKey("question_category.id", ondelete="CASCADE"))
    random_include_subcategories: Mapped[bool] = mapped_column(Boolean, default=False)
    mark: Mapped[float | None] = mapped_column(Float)  # None: the question's default mark

    quiz: Mapped[Quiz] = relationship(back_populates="slots")
    question: Mapped[Question | None] = relationship()
    random_category: Mapped[QuestionCategory | None] = relationship()

    @property
    def is_random(self) -> bool:
        return self.question_id is None

    @property
    def max_mark(self) -> float:
        if self.mark is not None:
            return self.mark
        return self.question.default_mark if self.question is not None else 1.0


class Attempt(Model):
    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("quiz_id", "user_id", "is_preview", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    is_preview: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(12), default="inprogress", index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    last_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    current_page: Mapped[int] = mapped_column(Integer, default=0)
    marks: Mapped[float | None] = mapped_column(Float)  # sum of marks; None while essays wait
    max_marks: Mapped[float] = mapped_column(Float, default=0)
    grade: Mapped[float | None] = mapped_column(Float)  # percent; None while essays wait
    needs_grading: Mapped[bool] = mapped_column(Boolean, default=False)
    secret: Mapped[str] = mapped_column(String(64))  # per-attempt form token (see attempts.py)

    quiz: Mapped[Quiz] = relationship()
    user: Mapped["User"] = relationship()
    responses: Mapped[list["Response"]] = relationship(back_populates="attempt", order_by="Response.position",
                                                       cascade="all, delete-orphan")

    @property
    def is_finished(self) -> bool:
        return self.state == "finished"

    def __repr__(self) -> str:
        return f"<Attempt {self.id} quiz={self.quiz_id} user={self.user_id} {self.state}>"


class Response(Model):
    """One question of one attempt: what was shown (snapshot, answer order) and what
    the learner answered, with its grade."""

    __tablename__ = "quiz_response"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer, default=0)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_slot.id", ondelete="SET NULL"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    qtype: Mapped[str] = mapped_column(String(20))
    max_mark: Mapped[float] = mapped_column(Float, default=1.0)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)  # question data when the attempt started
    order: Mapped[dict] = mapped_column(JSON, default=dict)  # shuffled answer order, stable in the attempt
    answer: Mapped[dict | None] = mapped_column(JSON)  # the learner's response; None = not answered
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fraction: Mapped[float | None] = mapped_column(Float)
    mark: Mapped[float | None] = mapped_column(Float)
    # todo | answered | correct | partial | incorrect | gaveup | needsgrading | complete
    state: Mapped[str] = mapped_column(String(16), default="todo")
    comment_md: Mapped[str] = mapped_column(Text, default="")
    comment_html: Mapped[str] = mapped_column(Text, default="")
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attempt: Mapped[Attempt] = relationship(back_populates="responses")
    question: Mapped[Question] = relationship()
    slot: Mapped[QuizSlot | None] = relationship()
    graded_by: Mapped["User | None"] = relationship(foreign_keys=[graded_by_id])
