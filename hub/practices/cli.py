"""``hub practices import [FOLDER]``: shipped records into the database."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db

practices_cli = AppGroup("practices", help="Good-practice records.")


@practices_cli.command("import")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
def import_command(folder: str | None) -> None:
    """Create or update the practice records of FOLDER (default: content/practices)."""
    from .content import ContentError, import_practices
    from .services import ensure_indicators

    ensure_indicators()
    try:
        created, updated = import_practices(folder or practices_folder())
    except ContentError as error:
        db.session.commit()  # the good records are in; say what is wrong with the rest
        raise click.ClickException(f"some records could not be imported:\n{error}") from None
    db.session.commit()
    click.echo(f"Practices: {created} new, {updated} updated.")


def practices_folder() -> str:
    from pathlib import Path
    return str(Path(current_app.config["CONTENT_PATH"]) / "practices")
