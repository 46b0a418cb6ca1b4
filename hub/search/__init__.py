"""Full-text search with Whoosh. The database is the source of truth; the index can
always be rebuilt from it."""

from flask import Flask


def init_app(app: Flask) -> None:
    """``hub search``."""
    from .cli import search_cli
    app.cli.add_command(search_cli)
