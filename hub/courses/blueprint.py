"""The courses blueprint and the helpers both its view modules use: ``views.py``
(learners' pages) and ``views_authoring.py`` (trainers' pages) attach their routes to
``bp``; ``init_app`` imports both and registers it."""
from __future__ import annotations

from flask import Blueprint, abort

from ..forms import EmptyForm

bp = Blueprint("courses", __name__, url_prefix="/courses")


def post_checked() -> None:
    """400 unless the POST carries a valid CSRF token (the button-only forms)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
