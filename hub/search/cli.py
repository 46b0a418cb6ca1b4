"""``hub search ...``: rebuild, drain, check and status."""
from __future__ import annotations

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="Maintain the search index.")


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the whole index from the database (the site keeps searching the old
    one until the new one is swapped in)."""
    from .indexer import count_entities, rebuild

    with click.progressbar(length=count_entities(), label="Indexing", show_pos=True) as bar:
        count = rebuild(progress=bar.update)
    click.echo(f"Indexed {count} documents.")


@search_cli.command("drain")
def drain_command() -> None:
    """Apply the changes waiting in the outbox (servers do this on their own)."""
    from .indexer import drain

    click.echo(f"Applied {drain(lock_timeout=30.0, max_seconds=3600)} changes.")


@search_cli.command("follow")
@click.option("--parent", type=int, default=None, help="Stop when this process (the server) is gone.")
def follow_command(parent: int | None) -> None:
    """Keep the index current: apply outbox changes as servers report them (``hub serve``
    runs one beside its workers). One per site and host."""
    from flask import current_app

    from .worker import follow

    try:
        follow(current_app._get_current_object(), parent)  # type: ignore[attr-defined]
    except OSError as error:
        raise click.ClickException(f"another search follower serves this site already ({error})") from error
    except KeyboardInterrupt:
        pass


@search_cli.command("check")
@click.option("--repair", is_flag=True, help="Re-index every entity that differs.")
def check_command(repair: bool) -> None:
    """Compare the index with the database; exit status 1 when they differ and were
    not repaired."""
    from .indexer import check

    report = check(repair=repair)
    for entity in report.missing[:50]:
        click.echo(f"missing: {entity}")
    for entity in report.extra[:50]:
        click.echo(f"stale:   {entity}")
    if report.consistent:
        click.echo("The index matches the database.")
        return
    click.echo(f"{len(report.missing)} missing, {len(report.extra)} stale"
               + (": repaired." if report.repaired else ". Run `hub search check --repair`."))
    if not report.repaired:
        raise SystemExit(1)


@search_cli.command("status")
def status_command() -> None:
    """Documents in the index, its mark and the outbox rows still to apply."""
    from sqlalchemy import func, select

    from ..extensions import db
    from .models import SearchOutbox
    from .store import IndexUnavailable, open_index, read_meta

    try:
        ix = open_index()
    except IndexUnavailable as problem:
        raise click.ClickException(f"The index cannot be used ({problem}); run `hub search rebuild`.") from None
    with ix.searcher() as searcher:
        mark = int(read_meta(searcher).get("mark", 0))
        documents = searcher.doc_count() - 1
    pending = db.session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.id > mark))
    click.echo(f"{documents} documents; applied the outbox up to row {mark}; {pending} rows waiting.")
