"""Quiz lookups, permissions, the grade that counts, and the course-outline entry.

Other features use :func:`quiz_for_slug`, :func:`final_grade` and :func:`passed_quiz`
(progress and completion) and listen to ``hub.signals.quiz_attempt_graded``.

Nothing here registers itself on import: ``hub.quizzes.init_app`` registers the
the content loader and :func:`quiz_outline` as an outline provider; the ``quiz.*``
permission rules are declared with ``@rule`` where they are defined."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select, select

from ..courses import hooks
from ..courses import models as course_models
from ..courses.models import Course
from ..courses.services import can_view_course, course_translation, is_course_trainer
from ..extensions import db
from ..permissions import is_member, rule
from ..templating import format_percent_sign
from . import grading
from .models import Attempt, Quiz


class QuizError(ValueError):
    """A quiz action cannot be done; the message is meant for the user."""


# --- lookups ----------------------------------------------------------------------------

def quizzes_of(course: Course, include_unpublished: bool = False) -> list[Quiz]:
    stmt = select(Quiz).where(Quiz.course_id == course.id, Quiz.archived_at.is_(None))
    if not include_unpublished:
        stmt = stmt.where(Quiz.published.is_(True))
    return list(db.session.scalars(stmt.order_by(Quiz.position, Quiz.id)))


def quiz_for_slug(course: Course, slug: str) -> Quiz | None:
    """The course's quiz with ``slug`` (archived ones included: history stays reachable)."""
    return db.session.scalar(select(Quiz).where(Quiz.course_id == course.id, Quiz.slug == slug))


def is_enrolled(user, course: Course) -> bool:
    """An active enrolment of a member (visitors are never enrolled)."""
    return is_member(user) and course_models.is_enrolled(user.id, course.id)


def _counted(quiz: Quiz, *columns) -> Select:
    """Counted attempts (finished, not a trainer's preview) per learner in the order taken."""
    return (select(*(columns or (Attempt,))).where(Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False),
                                                   Attempt.state == "finished")
            .order_by(Attempt.user_id, Attempt.number))


def finished_attempts(user, quiz: Quiz) -> list[Attempt]:
    """The learner's counted (non-preview) finished attempts, oldest first."""
    if not is_member(user):
        return []
    return list(db.session.scalars(_counted(quiz).where(Attempt.user_id == user.id)))


@dataclass
class QuizResult:
    """Where a learner stands on a quiz: the grade that counts and whether it passes."""

    passed: bool
    grade: float | None = None  # percent, 0-100
    graded_at: datetime | None = None


def _result(quiz: Quiz, grades: list, graded_at: datetime | None = None) -> QuizResult:
    """THE rule: the quiz's grading method over its counted attempts, against its pass grade."""
    final = grading.final_grade(grades, quiz.grading_method)
    return QuizResult(passed=grading.passes(final, quiz.pass_grade), grade=final, graded_at=graded_at)


def results_for(quiz: Quiz, user_ids: Iterable[int]) -> dict[int, QuizResult]:
    """{user_id: QuizResult} for every listed learner with a counted attempt, in one
    query however many learners (reports and completion use it)."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    stmt = _counted(quiz, Attempt.user_id, Attempt.grade, Attempt.finished_at)
    if len(wanted) <= 500:
        stmt = stmt.where(Attempt.user_id.in_(wanted))
    grades, finished = _grades_by_key((uid, grade, at) for uid, grade, at in db.session.execute(stmt)
                                      if uid in wanted)
    return {uid: _result(quiz, values, finished.get(uid)) for uid, values in grades.items()}


def _grades_by_key(rows) -> tuple[dict[int, list], dict[int, datetime]]:
    """(key, grade, finished at) rows → grades per key in the order taken, and the
    latest finish per key."""
    grades: dict[int, list] = {}
    finished: dict[int, datetime] = {}
    for key, grade, finished_at in rows:
        grades.setdefault(key, []).append(grade)
        if finished_at is not None and (key not in finished or finished_at > finished[key]):
            finished[key] = finished_at
    return grades, finished


def quizzes_by_course(course_ids) -> dict[int, dict[str, Quiz]]:
    """{course id: {slug: quiz}} for many courses in one query (archived ones included,
    as ``quiz_for_slug`` finds them)."""
    found: dict[int, dict[str, Quiz]] = {cid: {} for cid in course_ids}
    if found:
        for quiz in db.session.scalars(select(Quiz).where(Quiz.course_id.in_(list(found)))):
            found[quiz.course_id][quiz.slug] = quiz
    return found


def results_of_learner(quizzes: Iterable[Quiz], user_id: int) -> dict[int, QuizResult]:
    """{quiz id: QuizResult} of one learner on many quizzes, in one query (dashboard)."""
    by_id = {q.id: q for q in quizzes}
    if not by_id:
        return {}
    grades, finished = _grades_by_key(db.session.execute(
        select(Attempt.quiz_id, Attempt.grade, Attempt.finished_at)
        .where(Attempt.quiz_id.in_(list(by_id)), Attempt.user_id == user_id, Attempt.is_preview.is_(False),
               Attempt.state == "finished").order_by(Attempt.quiz_id, Attempt.number)))
    return {qid: _result(by_id[qid], values, finished.get(qid)) for qid, values in grades.items()}


def final_grade(user, quiz: Quiz) -> float | None:
    """The grade that counts (percent), by the quiz's grading method; None without one."""
    return _result(quiz, [a.grade for a in finished_attempts(user, quiz)]).grade


def passed_quiz(user, quiz: Quiz) -> bool:
    return _result(quiz, [a.grade for a in finished_attempts(user, quiz)]).passed


def counting_attempt(attempts: list[Attempt], method: str) -> Attempt | None:
    """The attempt whose grade is the final grade (None for the average method)."""
    if not attempts or method == "average":
        return None
    if method == "first":
        return attempts[0]
    if method == "last":
        return attempts[-1]
    graded = [a for a in attempts if a.grade is not None]
    return max(graded, key=lambda a: (a.grade, -a.number)) if graded else None


# --- permissions --------------------------------------------------------------------------

@rule("quiz.view")
def can_view_quiz(user, quiz: Quiz) -> bool:
    if quiz is None or not can_view_course(user, quiz.course):
        return False
    if quiz.archived_at is not None or not quiz.published:
        return is_course_trainer(user, quiz.course)
    return True


@rule("quiz.attempt")
def can_attempt(user, quiz: Quiz) -> bool:
    """Enrolled learners attempt published quizzes of published courses."""
    if not is_member(user) or quiz is None or quiz.archived_at is not None or not quiz.published:
        return False
    if not quiz.course.published or quiz.course.archived_at is not None:
        return False
    return is_enrolled(user, quiz.course)


@rule("quiz.manage")
def can_manage(user, obj) -> bool:
    """Trainers of the course (and administrators) edit its bank and quizzes, preview,
    see results and grade essays. ``obj`` is a Course or a Quiz."""
    course = obj.course if isinstance(obj, Quiz) else obj
    return course is not None and is_member(user) and is_course_trainer(user, course)


@rule("quiz.review_attempt")
def can_review_attempt(user, attempt: Attempt) -> bool:
    if attempt is None or not is_member(user):
        return False
    return attempt.user_id == user.id or is_course_trainer(user, attempt.quiz.course)




# --- course outline -------------------------------------------------------------------------

_DETAIL = {
    "highest": lambda grade: _("Best grade %(grade)s", grade=format_percent_sign(grade)),
    "average": lambda grade: _("Average grade %(grade)s", grade=format_percent_sign(grade)),
    "first": lambda grade: _("First attempt %(grade)s", grade=format_percent_sign(grade)),
    "last": lambda grade: _("Last attempt %(grade)s", grade=format_percent_sign(grade)),
}


def quiz_title(quiz: Quiz, language: str | None = None) -> str:
    """The quiz's title in the reader's language when the course translation names it
    (``quizzes:`` in course.<lang>.md); the ``quiz_title`` filter."""
    from flask_babel import get_locale
    translation = course_translation(quiz.course, language or str(get_locale() or ""))
    return (translation and (translation.quiz_titles or {}).get(quiz.slug)) or quiz.title


def format_percent(value: float | None) -> str:
    """The number alone, for form fields and CSV (pages use the ``percent`` filter)."""
    if value is None:
        return "–"
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


OUTLINE_OFFSET = 100_000  # quizzes come after the lessons of their section


def quiz_outline(course: Course, user) -> list[hooks.OutlineItem]:
    """One item per published quiz; trainers also see unpublished ones, marked so."""
    trainer = is_member(user) and is_course_trainer(user, course)
    required = set((course.completion_rules or {}).get("quizzes") or [])
    enrolled = is_enrolled(user, course)
    items = []
    for quiz in quizzes_of(course, include_unpublished=trainer):
        done, detail = None, ""
        if enrolled:
            grade = final_grade(user, quiz)
            done = grading.passes(grade, quiz.pass_grade)
            if grade is not None:
                detail = _DETAIL.get(quiz.grading_method, _DETAIL["highest"])(grade)
            elif finished_attempts(user, quiz):
                detail = _("Waiting for grading")
        if not quiz.published:
            detail = _("Not published")
        items.append(hooks.OutlineItem(
            kind="quiz", section_id=quiz.section_id, position=OUTLINE_OFFSET + quiz.position, title=quiz_title(quiz),
            url=url_for("quizzes.quiz", course_slug=course.slug, quiz_slug=quiz.slug),
            done=done, required=quiz.slug in required, detail=detail, obj=quiz))
    return items
