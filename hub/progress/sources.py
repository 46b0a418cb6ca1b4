"""What progress needs from quizzes and the forum, in one place: their services,
imported plainly (progress depends on both; neither depends on progress). Results for
many learners come in one query each, so reports stay at a fixed number of queries
however many learners a course has."""
from __future__ import annotations

from typing import Iterable

from flask import url_for

from ..forum import services as forum
from ..quizzes import services as quizzes
from ..quizzes.services import QuizResult

__all__ = ["QuizResult", "course_of_attempt", "course_of_post", "course_quizzes", "forum_post_counts",
           "forum_post_counts_in_courses", "forum_url", "quiz_for_slug", "quiz_results", "quiz_results_of_learner",
           "quiz_title", "quiz_url", "quizzes_by_course"]


def quiz_for_slug(course, slug: str):
    return quizzes.quiz_for_slug(course, slug)


def course_quizzes(course) -> list:
    """All quizzes of a course (for the rules editor's choices)."""
    return quizzes.quizzes_of(course, include_unpublished=True)


def quiz_title(quiz) -> str:
    return quiz.title or quiz.slug


def quiz_url(quiz) -> str:
    return url_for("quizzes.quiz", course_slug=quiz.course.slug, quiz_slug=quiz.slug)


def quiz_results(quiz, user_ids: Iterable[int]) -> dict[int, QuizResult]:
    """{user_id: QuizResult}, by the quizzes feature's own rule (``results_for``)."""
    return quizzes.results_for(quiz, user_ids)


def forum_post_counts(course, user_ids: Iterable[int]) -> dict[int, int]:
    """{user_id: posts written in the course's forum(s)}."""
    user_ids = list(user_ids)
    return dict(forum.count_posts_in_course_for_users(user_ids, course.id)) if user_ids else {}


def quizzes_by_course(course_ids) -> dict:
    return quizzes.quizzes_by_course(course_ids)


def quiz_results_of_learner(quiz_list, user_id: int) -> dict[int, QuizResult]:
    """{quiz id: QuizResult} of one learner on many quizzes (dashboard, catalogue)."""
    return quizzes.results_of_learner(quiz_list, user_id)


def forum_post_counts_in_courses(user_id: int, course_ids) -> dict[int, int]:
    return forum.count_posts_of_user_in_courses(user_id, course_ids)


def forum_url(course) -> str:
    return url_for("forum.course_forum", slug=course.slug)


def course_of_attempt(attempt):
    return attempt.quiz.course


def course_of_post(post):
    """The course whose forum holds ``post``, or None for site-wide forums."""
    return forum.course_of_post(post)
