"""Quizzes: Moodle-compatible questions (GIFT and Moodle XML), attempts, grading,
review, the trainer's question bank and quiz editor, results and statistics."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Quiz pages; ``hub quizzes``; the course-outline entry and the course-folder
    loader (importing ``services`` declares the ``quiz.*`` permission rules).

    Runs once per app, and tests build many apps in one process: the registries it
    fills are module-level, so every registration is skipped when already made."""
    from ..courses import hooks
    from . import loader, services, views_bank, views_learner, views_trainer  # noqa: F401  (their routes attach to bp)
    from .blueprint import bp
    from .cli import quizzes_cli

    app.register_blueprint(bp)
    app.add_template_filter(services.quiz_title, "quiz_title")
    app.cli.add_command(quizzes_cli)

    if services.quiz_outline not in hooks.outline_providers:
        hooks.outline_provider(services.quiz_outline)
    if loader.loader not in hooks.content_loaders:
        hooks.content_loaders.append(loader.loader)
