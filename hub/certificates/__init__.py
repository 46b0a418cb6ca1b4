"""Certificates of completion: issue, revoke, PDF, public verification, Open Badges."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Certificate pages, verification and badges; automatic issue on completion."""
    from .. import signals
    from . import services
    from .views import bp

    app.register_blueprint(bp)
    signals.course_completed.connect(services.on_course_completed)
