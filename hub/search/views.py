"""The search page. Thin: read and check the arguments, run ``services.run``."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from ..extensions import limiter
from ..pagination import page_number
from . import services
from .registry import DOC_TYPES, ZONES, course_title

bp = Blueprint("search", __name__)
CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_QUERY = 1000  # longer input is cut; the parser reads at most query.MAX_LENGTH as syntax


def _arg(name: str, pattern: re.Pattern | None = None, allowed=None) -> str:
    """A filter argument, or "" when it is not a value the filter knows (no error:
    a stale or hand-edited link still searches)."""
    value = request.args.get(name, "").strip()
    if pattern is not None and not pattern.match(value):
        return ""
    if allowed is not None and value not in allowed:
        return ""
    return value


def search_rate_limit() -> str:
    return str(current_app.config.get("SEARCH_RATE_LIMIT", "120/minute"))


@bp.route("/search")
@limiter.limit(search_rate_limit)
def search():
    query = request.args.get("q", "")[:MAX_QUERY]
    wanted = services.Request(
        q=query, doc_type=_arg("type", allowed=DOC_TYPES), language=_arg("language", CODE),
        country=_arg("country", COUNTRY), zone=_arg("zone", allowed=ZONES), course=_arg("course", SLUG),
        order=_arg("order", allowed=services.ORDERS) or "relevance", page=page_number())
    page = services.run(current_user, wanted)
    return render_template("search/results.html", page=page, doc_types=DOC_TYPES, zones=ZONES,
                           course_title=course_title(wanted.course) if wanted.course else None,
                           orders=services.ORDERS), 503 if page.unavailable else 200
