"""``HUB_QUERY_COUNT_HEADER=true``: every response says how many SQL statements it took
(``X-Query-Count``), so the load benchmark reports queries per step from the very server
it measures. Off by default: nothing is registered and nothing is counted."""
from __future__ import annotations

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

_listening = {"on": False}


def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_app_context() and "hub_query_count" in g:
        g.hub_query_count += 1


def init_app(app: Flask) -> None:
    if not app.config.get("QUERY_COUNT_HEADER"):
        return
    if not _listening["on"]:
        event.listen(Engine, "before_cursor_execute", _count)
        _listening["on"] = True

    @app.before_request
    def start_counting() -> None:
        g.hub_query_count = 0

    @app.after_request
    def report_count(response):
        response.headers["X-Query-Count"] = str(g.get("hub_query_count", 0))
        return response
