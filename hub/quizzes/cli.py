"""``hub quizzes ...`` commands."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

quizzes_cli = AppGroup("quizzes", help="Quiz attempts and question files.")


@quizzes_cli.command("close-overdue")
def close_overdue_command() -> None:
    """Close and grade attempts whose time ran out (run it from cron every few minutes)."""
    from ..extensions import db
    from .attempts import close_overdue

    closed = close_overdue()
    db.session.commit()
    click.echo(f"Closed {closed} overdue attempt{'s' if closed != 1 else ''}.")


@quizzes_cli.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(files: tuple[Path, ...]) -> None:
    """Check GIFT or Moodle XML files: errors with line numbers, warnings, counts per type."""
    from .bank import read_file

    failed = False
    for path in files:
        result = read_file(path.name, path.read_bytes())
        counts = ", ".join(f"{n} {key}" for key, n in result.counts().items()) or "no questions"
        click.echo(f"{path}: {len(result.questions)} questions ({counts})")
        for problem in result.errors:
            click.echo(f"  error   {problem}")
        for problem in result.warnings:
            click.echo(f"  warning {problem}")
        failed = failed or bool(result.errors)
    if failed:
        raise click.ClickException("some files have errors")
