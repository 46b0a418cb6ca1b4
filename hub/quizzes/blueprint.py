"""The ``quizzes`` blueprint and the lookups its view modules share.

The pages live in views_learner.py (the quiz page, attempts, review), views_trainer.py
(quiz list, settings, building, results) and views_bank.py (the question bank); each
adds its routes to :data:`bp`. ``hub.quizzes.init_app`` imports them and registers the
blueprint. View modules import this module, never one another."""
from __future__ import annotations

from flask import Blueprint, abort

from ..courses.lookups import managed_course_or_404
from . import services

bp = Blueprint("quizzes", __name__)


def managed_course(course_slug: str):
    """The course for the bank and quiz editor: 404 when missing, 403 unless the viewer
    may manage its quizzes."""
    return managed_course_or_404(course_slug, "quiz.manage")


def managed_quiz(course_slug: str, quiz_slug: str):
    """(course, quiz) for the trainer's pages of one quiz (archived ones included)."""
    course = managed_course(course_slug)
    quiz = services.quiz_for_slug(course, quiz_slug)
    if quiz is None:
        abort(404)
    return course, quiz
