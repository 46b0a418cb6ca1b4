"""Home page and site-wide pages."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Home page and health check."""
    from .views import bp
    app.register_blueprint(bp)
