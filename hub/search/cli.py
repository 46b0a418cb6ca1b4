"""``hub search ...`` commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="Maintain the search index.")


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the whole index from the database."""
    from .indexer import rebuild

    click.echo(f"Indexed {rebuild()} documents.")
