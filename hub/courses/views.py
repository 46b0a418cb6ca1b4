"""Catalogue and course pages."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from ..permissions import ensure
from . import services

bp = Blueprint("courses", __name__, url_prefix="/courses")


@bp.route("/")
def catalogue():
    return render_template("courses/catalogue.html", courses=services.catalogue(current_user))


@bp.route("/<slug>")
def course(slug: str):
    course = services.get_by_slug(slug)
    if course is None:
        abort(404)
    ensure("course.view", course)
    return render_template("courses/course.html", course=course)
