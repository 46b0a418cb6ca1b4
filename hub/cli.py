"""The ``hub`` command line: Flask's command group over ``create_app``, plus ``serve``.

Site commands (``setup``, ``create-admin``) live in ``hub.commands`` and each feature's
own ``cli.py``; the app registers them, so ``hub`` lists them all."""
from __future__ import annotations

import os
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app(*_args, **_kwargs) -> Flask:
    from . import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Inclusion Hub: e-learning hub and learning forum."""


@main.command("serve", with_appcontext=False)
@click.option("--host", default=lambda: os.environ.get("HUB_HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("HUB_PORT", "8000")), type=int, show_default="8000")
@click.option("--workers", default=lambda: int(os.environ.get("HUB_WORKERS", "2")), type=int, show_default="2")
def serve_command(host: str, port: int, workers: int) -> None:
    """Prepare the site, then serve it with gunicorn.

    Registered on the ``hub`` group itself, not on ``app.cli``: Flask pushes an
    application context around every app command, and gunicorn started inside one
    would share it (and its user, session and transaction) between all visitors."""
    from .server import serve

    serve(host, port, workers)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
