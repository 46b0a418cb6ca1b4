"""Small course/quiz/forum data for the progress and certificate tests, built
through the features' models and services (no HTTP), committed like a request."""
from __future__ import annotations

from hub.courses import enrolment as enrolments
from hub.courses.models import Course, Lesson
from hub.database import utcnow
from hub.extensions import db

# The quiz tables must be in the metadata before the test database is created
# (imported at collection time, also while hub.import_models does not list them).
from hub.quizzes import models as _quiz_models  # noqa: E402,F401
from tests import factories


def make_course(slug: str | None = None, *, lessons: int = 2, rules: dict | None = None, hours: float = 3,
                summary: str = "A short course.", **fields) -> Course:
    """Published, open, two lessons, every lesson required: what most progress tests need."""
    return factories.make_course(slug, lessons=lessons, hours=hours, summary=summary,
                                 rules=rules if rules is not None else {"lessons": "all", "quizzes": [], "forum_posts": 0},
                                 **fields)


def enrol(user, course: Course):
    row = enrolments.enrol(user, course)
    db.session.commit()
    return row


def complete_lesson(user, lesson: Lesson) -> None:
    enrolments.complete_lesson(user, lesson)
    db.session.commit()


def complete_all_lessons(user, course: Course) -> None:
    for lesson in course.lessons:
        complete_lesson(user, lesson)


def make_quiz(course: Course, slug: str = "final-quiz", pass_grade: float = 70, grading_method: str = "highest"):
    from hub.quizzes.models import Quiz

    quiz = Quiz(course_id=course.id, slug=slug, title=f"Quiz {slug}", pass_grade=pass_grade,
                grading_method=grading_method, published=True)
    db.session.add(quiz)
    db.session.commit()
    return quiz


def grade_attempt(user, quiz, grade: float):
    """A finished, graded attempt, announced as the quizzes feature does."""
    from flask import current_app
    from sqlalchemy import func, select

    from hub import signals
    from hub.quizzes.models import Attempt

    number = (db.session.scalar(select(func.max(Attempt.number)).where(Attempt.quiz_id == quiz.id,
                                                                        Attempt.user_id == user.id)) or 0) + 1
    attempt = Attempt(quiz_id=quiz.id, user_id=user.id, number=number, state="finished", started_at=utcnow(),
                      finished_at=utcnow(), marks=grade, max_marks=100, grade=grade, secret=f"s{number}-{user.id}")
    db.session.add(attempt)
    db.session.flush()
    signals.quiz_attempt_graded.send(current_app._get_current_object(), user=user, attempt=attempt)
    db.session.commit()
    return attempt
