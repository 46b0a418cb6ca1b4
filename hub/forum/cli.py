"""``hub forum seed`` and ``hub forum send-digests`` (the server also sends digests daily by itself)."""
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
    """Mail each member one digest of the forum notifications waiting for it now.

    ``hub serve`` sends the digest daily by itself (HUB_DIGEST_HOUR); this counts as
    today's digest, so the server does not send another one later today."""
    from flask import current_app

    from ..mail import deliver_pending
    from ..site_address import UnknownAddress
    from .digests import send_now

    try:
        mails, items = send_now(current_app)
    except UnknownAddress as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    deliver_pending()
    click.echo(f"Forum digests: {mails} mails queued covering {items} posts.")
