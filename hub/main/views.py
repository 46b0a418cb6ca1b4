from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..courses import catalogue
from ..page_cache import public_page

bp = Blueprint("main", __name__)
HOME_COURSES = 9  # the shipped introduction, six zones and two guidelines; the rest is one click away


@bp.route("/")
@public_page
def index():
    return render_template("main/index.html", courses=catalogue.first(current_user, HOME_COURSES))


@bp.route("/healthz")
def health():
    return {"status": "ok"}
