"""Courses: catalogue, enrolment, lessons, authoring and the content on disk."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Catalogue, lessons and authoring pages; the ``course.*`` permission rules;
    ``hub content``. Safe to run for every app a process builds."""
    from ..permissions import rule
    from . import services, views, views_authoring  # noqa: F401  (views: their routes attach to bp)
    from .blueprint import bp
    from .cli import content_cli

    for action, decide in services.PERMISSION_RULES.items():
        rule(action)(decide)  # the same function again is a no-op
    app.register_blueprint(bp)
    app.cli.add_command(content_cli)
