"""The practices blueprint and the lookup its views share."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from ..permissions import can
from . import services
from .models import Practice

bp = Blueprint("practices", __name__, url_prefix="/practices")


def practice_or_404(slug: str) -> Practice:
    """The practice if the viewer may see it; drafts of others are 404."""
    practice = services.get_by_slug(slug)
    if practice is None or not can(current_user, "practice.view", practice):
        abort(404)
    return practice
