"""Courses: catalogue, enrolment, lessons, authoring and the content on disk."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Catalogue, lessons and authoring pages; ``hub content``; importing ``services``
    declares the ``course.*`` permission rules. Safe to run for every app a process builds."""
    from . import services, views, views_authoring, views_images, views_moodle  # noqa: F401  (views: their routes attach to bp)
    from .blueprint import bp
    from .cli import content_cli
    from .search import register as register_search

    app.register_blueprint(bp)
    app.add_template_filter(services.title_in, "course_title")
    app.add_template_global(views.cover_url, "course_cover_url")
    app.cli.add_command(content_cli)
    register_search()  # what the search index takes from this feature (idempotent)
