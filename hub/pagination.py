"""Page through a select statement with ``?page=N``; one helper for every list."""
from __future__ import annotations

from flask import abort, request

from .extensions import db


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        abort(404)
    return int(raw)


def paginate(stmt, per_page: int = 20, page: int | None = None):
    """Flask-SQLAlchemy's pagination; a page past the end is a 404."""
    return db.paginate(stmt, page=page or page_number(), per_page=per_page, error_out=True, count=True)
