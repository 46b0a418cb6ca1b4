"""The ``quizzes`` blueprint. Learner pages live in views_learner.py, trainer pages in
views_trainer.py; both add their routes to this blueprint."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("quizzes", __name__)

from . import loader  # noqa: E402,F401  (registers the content loader)
from . import services  # noqa: E402,F401  (registers rules and the outline provider)
from . import views_learner  # noqa: E402,F401
from . import views_trainer  # noqa: E402,F401
from . import views_bank  # noqa: E402,F401
