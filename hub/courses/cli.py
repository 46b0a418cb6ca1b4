"""``hub content ...`` commands."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

content_cli = AppGroup("content", help="Import and export course content.")


@content_cli.command("import")
@click.argument("path", required=False)
def import_command(path: str | None) -> None:
    """Import course folders from PATH (default: the shipped content)."""
    from .content import ContentError, import_path

    try:
        report = import_path(path or current_app.config["CONTENT_PATH"])
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Imported {report.summary()}.")
