"""Course lookups for views, one per visibility rule, so every page that takes a
course slug from the URL applies the same rule as its siblings. Each aborts with 404
when the course is not there for this purpose, and 403 through ``ensure`` when the
viewer may not do what the page is for."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..permissions import can, ensure
from . import services
from .models import Course


def course_or_404(slug: str) -> Course:
    """Any course, archived or unpublished included (pages that check a permission of their own)."""
    course = services.get_by_slug(slug)
    if course is None:
        abort(404)
    return course


def viewable_course_or_404(slug: str) -> Course:
    """The course if the viewer may see it; unpublished courses are 404 for learners."""
    course = services.get_by_slug(slug)
    if course is None or not can(current_user, "course.view", course):
        abort(404)
    return course


def managed_course_or_404(slug: str, action: str) -> Course:
    """For trainers' pages: 404 when missing, 403 unless the viewer may ``action`` it
    (``course.author``, ``quiz.manage``...)."""
    course = course_or_404(slug)
    ensure(action, course)
    return course


def certified_course_or_404(slug: str) -> Course:
    """A live course that issues certificates."""
    course = services.get_by_slug(slug)
    if course is None or course.archived_at is not None or course.certificate_mode == "none":
        abort(404)
    return course
