"""What progress needs from quizzes and the forum, looked up lazily.

Progress must work while those features are absent (or disabled on a site), so
every lookup imports them inside the function and falls back to "nothing to
count". Results for many learners come in one query each, so reports stay at a
fixed number of queries however many learners a course has."""
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
    return quiz.title or quiz.slug


def quiz_url(quiz) -> str | None:
    from flask import url_for
    from werkzeug.routing import BuildError

    try:
        return url_for("quizzes.quiz", course_slug=quiz.course.slug, quiz_slug=quiz.slug)
    except BuildError:  # the quizzes blueprint is not registered
        return None


def quiz_results(quiz, user_ids: Iterable[int]) -> dict[int, QuizResult]:
    """{user_id: QuizResult} for every listed user with a finished attempt, in one
    query, graded with the quizzes feature's own pure functions: the same rule as
    its ``final_grade``/``passed_quiz`` (counted, finished, non-preview attempts in
    the order taken, the quiz's grading method and pass grade)."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    try:
        from ..quizzes import grading
        from ..quizzes.models import Attempt
    except ImportError:
        return {}
    from ..extensions import db

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

    try:
        return url_for("forum.course_forum", slug=course.slug)
    except BuildError:  # the forum blueprint is not registered
        return None


def course_of_attempt(attempt):
    quiz = getattr(attempt, "quiz", None)
    return getattr(quiz, "course", None)


def course_of_post(post):
    """The course whose forum holds ``post``, or None for site-wide forums."""
    finder = _service("hub.forum.services", "course_of_post")
    return finder(post) if finder else None
