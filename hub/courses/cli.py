"""``hub content import [PATH]`` and ``hub content export COURSE PATH``."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

content_cli = AppGroup("content", help="Import and export course content.")


@content_cli.command("import")
@click.argument("path", required=False, type=click.Path(exists=True))
def import_command(path: str | None) -> None:
    """Import course folders from PATH: a course folder, a folder of course folders,
    or a .zip (default: the shipped content). Safe to repeat: learners keep their
    enrolments and progress; lessons removed from disk are archived."""
    from ..extensions import db
    from .content import ContentError, ImportFailed, import_path

    try:
        report = import_path(path or current_app.config["CONTENT_PATH"])
    except ImportFailed as error:  # the good courses are in: keep them
        db.session.commit()
        if error.report.courses:
            click.echo(f"Imported {error.report.summary()}.")
        raise click.ClickException(f"{error}\nNothing of the courses with problems was changed.") from None
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if not report.courses:
        click.echo("No course folders found (a course folder contains course.md).")
        return
    click.echo(f"Imported {report.summary()}.")


@content_cli.command("export")
@click.argument("course")
@click.argument("path", type=click.Path())
@click.option("--replace", is_flag=True, help="Overwrite an existing course folder or .zip file.")
def export_command(course: str, path: str, replace: bool) -> None:
    """Write COURSE (its slug) to PATH: a new folder, or a file ending in .zip."""
    from .content import ContentError
    from .content_export import export_to_path
    from .services import get_by_slug

    found = get_by_slug(course)
    if found is None:
        raise click.ClickException(f"No course with the slug {course!r}.")
    try:
        target = export_to_path(found, path, replace=replace)
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Exported {found.slug} to {target}.")
