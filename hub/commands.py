"""Site commands registered on every app: ``hub setup`` and ``hub create-admin``, and
``prepare_site`` which ``hub setup`` and ``hub serve`` share. Features add their own
command groups in their ``init_app``."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def prepare_site(echo=click.echo) -> None:
    """Create or upgrade the schema, import shipped content into an empty site and
    build the search index when it is missing (or bring it up to date). Safe to run on every start."""
    from flask_migrate import upgrade

    from .config import MIGRATIONS_DIR, TRANSLATIONS_DIR
    from .courses import content
    from .i18n import compile_catalogs
    from .search import indexer

    compile_catalogs(TRANSLATIONS_DIR)
    from .static_files import prepare_static
    prepare_static(current_app)
    upgrade(directory=MIGRATIONS_DIR)
    echo("Database schema is up to date.")
    import_site_content(echo)  # before the courses: their lessons link the glossary's terms
    if content.site_is_empty():
        from .extensions import db
        try:
            report = content.import_path(current_app.config["CONTENT_PATH"])
        except content.ImportFailed as error:  # the good courses are in; say what is wrong with the rest
            report = error.report
            echo(f"Some shipped courses could not be imported:\n{error}")
        db.session.commit()
        echo(f"Imported shipped content: {report.summary()}")
    echo(indexer.bring_up_to_date())
    from .forum import structure as forum_structure
    if forum_structure.needs_seed():
        from .extensions import db
        count = forum_structure.seed_defaults()
        db.session.commit()
        echo(f"Created the default forums ({count}).")


def import_site_content(echo=click.echo) -> None:
    """Shipped content other than courses (practices...), each source when the site has
    none of it yet, so an upgraded site gets what a new release ships."""
    from .courses import hooks
    from .courses.front_matter import ContentError
    from .extensions import db

    for source in hooks.site_content:
        if not source.needs_import():
            continue
        try:
            summary = source.import_all(current_app.config["CONTENT_PATH"])
        except ContentError as error:  # the good part is in; say what is wrong with the rest
            summary = "partly"
            echo(f"Some shipped {source.name} could not be imported:\n{error}")
        db.session.commit()
        echo(f"Imported shipped {source.name}: {summary}")


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Create/upgrade the database, import shipped content, build the index."""
    prepare_site()


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default=None, help="Display name (default: the part before @).")
@click.option("--password", envvar="HUB_ADMIN_PASSWORD", default=None,
              help="Password (default: asked for; or set HUB_ADMIN_PASSWORD).")
@with_appcontext
def create_admin_command(email: str, name: str | None, password: str | None) -> None:
    """Create an administrator, or make an existing account one."""
    from email_validator import EmailNotValidError, validate_email

    from .accounts import services
    from .extensions import db

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.ClickException(f"{email!r} is not a valid email address: {error}") from None
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problems = services.password_problems(password, (email, name or ""))
    if problems:
        raise click.ClickException(f"Password refused: {problems[0]}")
    user = services.create_admin(email, password, name)
    db.session.commit()
    click.echo(f"{user.email} is an administrator.")


def init_app(app: Flask) -> None:
    for command in (setup_command, create_admin_command):
        app.cli.add_command(command)
