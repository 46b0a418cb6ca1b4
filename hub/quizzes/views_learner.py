"""Learner pages: the quiz page, attempts, summary, review."""
from __future__ import annotations

from flask import abort, render_template

from ..courses.services import get_by_slug
from ..permissions import ensure
from . import services
from .views import bp


def load_quiz(course_slug: str, quiz_slug: str):
    course = get_by_slug(course_slug)
    if course is None:
        abort(404)
    quiz = services.quiz_for_slug(course, quiz_slug)
    if quiz is None:
        abort(404)
    ensure("quiz.view", quiz)
    return course, quiz


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>")
def quiz(course_slug: str, quiz_slug: str):
    course, quiz = load_quiz(course_slug, quiz_slug)
    return render_template("quizzes/quiz.html", course=course, quiz=quiz)
