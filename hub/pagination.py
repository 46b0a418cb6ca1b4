"""Page through a select statement with ``?page=N``; one helper for every list."""
from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter

from .extensions import db

# The largest id or page an id column holds on every database (INTEGER: 32 bits on
# PostgreSQL, 64 on SQLite): anything larger names nothing, and passing it on would
# overflow in the driver or the database.
MAX_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in every route: 1 to MAX_ID, so a huge id is a 404, not a 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def id_arg(name: str) -> int | None:
    """An id from the query string, or None when absent or not an id any row can have
    (``request.args.get(name, type=int)`` passed 10**30 on to the database)."""
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID else None


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
        abort(404)
    return int(raw)


def paginate(stmt, per_page: int = 20, page: int | None = None):
    """Flask-SQLAlchemy's pagination; a page past the end is a 404."""
    return db.paginate(stmt, page=page or page_number(), per_page=per_page, error_out=True, count=True)
