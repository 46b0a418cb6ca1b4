from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..courses import services as courses

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template("main/index.html", courses=courses.catalogue(current_user))


@bp.route("/healthz")
def health():
    return {"status": "ok"}
