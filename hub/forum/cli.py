"""``hub forum seed`` and ``hub forum send-digests`` (run daily, e.g. from cron)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db

forum_cli = AppGroup("forum", help="Forum: default forums, mail digests.")


@forum_cli.command("seed")
def seed_command() -> None:
    """Create the default categories and forums that are missing (safe to repeat)."""
    from . import structure

    if not structure.tables_exist():
        raise click.ClickException("The forum tables do not exist yet: run `hub setup` first.")
    created = structure.seed_defaults()
    db.session.commit()
    click.echo(f"Forum: {created} default forums created." if created else "Forum: default forums already exist.")


@forum_cli.command("send-digests")
def send_digests_command() -> None:
    """Mail each member one digest of the forum notifications waiting for it."""
    from ..mail import deliver_pending
    from .notifications import send_digests

    mails, items = send_digests()
    db.session.commit()
    deliver_pending()
    click.echo(f"Forum digests: {mails} mails queued covering {items} posts.")
