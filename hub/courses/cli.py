"""``hub content import [PATH]``, ``hub content import-mbz FILE``, ``hub content export
COURSE PATH`` and ``hub content translations [PATH]``."""
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


@content_cli.command("import-mbz")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--slug", help="Short name (slug) of the new course (default: from the Moodle short name).")
def import_mbz_command(file: str, slug: str | None) -> None:
    """Import a Moodle course backup (.mbz) as an unpublished course: pages and books
    become lessons, quizzes keep their questions, slots and marks; what cannot be
    converted (forums, assignments, other question types...) is listed."""
    from ..extensions import db
    from .content import ContentError, ImportFailed
    from .moodle_import import import_backup

    try:
        with open(file, "rb") as fh:
            _report, backup = import_backup(fh, slug=slug)
    except ImportFailed as error:
        raise click.ClickException(f"{error}\nNothing was imported.") from None
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Imported “{backup.title}” as {backup.slug} (unpublished): {len(backup.sections)} section(s), "
               f"{len(backup.lessons)} lesson(s), {len(backup.quizzes)} quiz(zes), {backup.questions} question(s), "
               f"{backup.images} image(s).")
    for line in backup.lines():
        click.echo(f"Not imported: {line}")


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


@content_cli.command("translations")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
def translations_command(path: str | None) -> None:
    """Per course and language: lessons translated, words, course page and quiz; fails
    when a translation's headings, lists, tables or boxes differ from its original."""
    from pathlib import Path

    from .translation_check import check

    report = check(Path(path or current_app.config["CONTENT_PATH"]) / ("" if path else "modules"))
    click.echo(f"{'course':45} lang  lessons      words  page  quiz")
    for row in report.rows:
        total = report.lessons_per_course[row.course]
        click.echo(f"{row.course:45} {row.language:4}  {row.lessons:>2} of {total:<2}  {row.words:>8}  "
                   f"{'yes' if row.course_page else '-':4}  {'yes' if row.quiz else '-'}")
    for problem in report.problems:
        click.echo(problem, err=True)
    if report.problems:
        raise click.ClickException(f"{len(report.problems)} translation(s) differ in shape from their original.")
