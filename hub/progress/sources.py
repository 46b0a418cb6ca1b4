"""What progress needs from quizzes and the forum, looked up lazily.

Progress must work while those features are absent (or disabled on a site), so
every lookup imports its service inside the function and falls back to "nothing
to count". Bulk variants are used when the feature offers them, so reports stay
at a fixed number of queries however many learners a course has."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, Iterable


def _service(module: str, name: str):
    try:
        return getattr(import_module(module), name, None)
    except ImportError:
        return None


@dataclass
class QuizResult:
    passed: bool
    grade: float | None = None  # percent, 0-100
    graded_at: Any = None


def quiz_for_slug(course, slug: str):
    lookup = _service("hub.quizzes.services", "quiz_for_slug")
    return lookup(course, slug) if lookup else None


def course_quizzes(course) -> list:
    """All quizzes of a course (for the rules editor's choices)."""
    lookup = _service("hub.quizzes.services", "quizzes_of")
    return list(lookup(course, include_unpublished=True)) if lookup else []


def quiz_title(quiz) -> str:
    return getattr(quiz, "title", None) or getattr(quiz, "slug", "")


def quiz_url(quiz) -> str | None:
    from flask import url_for
    from werkzeug.routing import BuildError

    try:
        return url_for("quizzes.quiz", course_slug=quiz.course.slug, quiz_slug=quiz.slug)
    except BuildError:  # the quizzes blueprint is not registered
        return None


def quiz_results(quiz, user_ids: Iterable[int]) -> dict[int, QuizResult]:
    """{user_id: QuizResult} for every user with a finished attempt."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    bulk = _service("hub.quizzes.services", "results_for_users")
    if bulk:
        return {uid: _as_result(value) for uid, value in bulk(quiz, user_ids).items()}
    try:
        return _bulk_from_attempts(quiz, user_ids)
    except ImportError:
        pass
    passed = _service("hub.quizzes.services", "passed_quiz")
    grade = _service("hub.quizzes.services", "final_grade")
    if not passed:
        return {}
    from ..accounts.models import User
    from ..extensions import db

    results = {}
    for user in db.session.scalars(db.select(User).where(User.id.in_(user_ids))):
        value = grade(user, quiz) if grade else None
        ok = bool(passed(user, quiz))
        if ok or value is not None:
            results[user.id] = QuizResult(passed=ok, grade=_grade_number(value))
    return results


def _bulk_from_attempts(quiz, user_ids: list[int]) -> dict[int, QuizResult]:
    """One query for all learners, graded with the quizzes feature's own pure
    functions (the same rule as ``final_grade``/``passed_quiz``: counted, finished,
    non-preview attempts in the order taken)."""
    from ..extensions import db
    from ..quizzes import grading
    from ..quizzes.models import Attempt

    stmt = (db.select(Attempt.user_id, Attempt.grade, Attempt.finished_at)
            .where(Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False), Attempt.state == "finished")
            .order_by(Attempt.user_id, Attempt.number))
    if len(user_ids) <= 500:
        stmt = stmt.where(Attempt.user_id.in_(user_ids))
    wanted = set(user_ids)
    grades: dict[int, list] = {}
    finished: dict[int, Any] = {}
    for uid, value, finished_at in db.session.execute(stmt):
        if uid not in wanted:
            continue
        grades.setdefault(uid, []).append(value)
        if finished_at is not None and (finished.get(uid) is None or finished_at > finished[uid]):
            finished[uid] = finished_at
    results = {}
    for uid, values in grades.items():
        final = grading.final_grade(values, quiz.grading_method)
        results[uid] = QuizResult(passed=grading.passes(final, quiz.pass_grade), grade=final,
                                  graded_at=finished.get(uid))
    return results


def _grade_number(value):
    if value is None:
        return None
    for attr in ("percent", "grade", "score"):
        if hasattr(value, attr):
            value = getattr(value, attr)
            break
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _as_result(value) -> QuizResult:
    if isinstance(value, QuizResult):
        return value
    if isinstance(value, dict):
        return QuizResult(passed=bool(value.get("passed")), grade=_grade_number(value.get("grade")),
                          graded_at=value.get("graded_at"))
    if isinstance(value, tuple):
        return QuizResult(passed=bool(value[0]), grade=_grade_number(value[1] if len(value) > 1 else None),
                          graded_at=value[2] if len(value) > 2 else None)
    return QuizResult(passed=bool(getattr(value, "passed", False)), grade=_grade_number(getattr(value, "grade", None)),
                      graded_at=getattr(value, "graded_at", None))


def forum_post_counts(course, user_ids: Iterable[int]) -> dict[int, int]:
    """{user_id: posts written in the course's forum(s)}."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    bulk = _service("hub.forum.services", "count_posts_in_course_for_users")
    if bulk:
        return dict(bulk(user_ids, course.id))
    single = _service("hub.forum.services", "count_posts_in_course")
    if not single:
        return {}
    return {uid: int(single(uid, course.id) or 0) for uid in user_ids}


def forum_url(course) -> str | None:
    from flask import url_for
    from werkzeug.routing import BuildError

    for endpoint, values in (("forum.course_forum", {"slug": course.slug}),
                             ("forum.course", {"slug": course.slug}),
                             ("forum.index", {})):
        try:
            return url_for(endpoint, **values)
        except (BuildError, ValueError):
            continue
    return None


def course_of_attempt(attempt):
    quiz = getattr(attempt, "quiz", None)
    return getattr(quiz, "course", None) or getattr(attempt, "course", None)


def course_of_post(post):
    """The course whose forum holds ``post``, or None for general forums."""
    finder = _service("hub.forum.services", "course_of_post")
    if finder:
        return finder(post)
    topic = getattr(post, "topic", None)
    forum = getattr(topic, "forum", None) or getattr(post, "forum", None)
    course = getattr(forum, "course", None)
    if course is not None:
        return course
    course_id = getattr(forum, "course_id", None)
    if course_id:
        from ..courses.models import Course
        from ..extensions import db
        return db.session.get(Course, course_id)
    return None
