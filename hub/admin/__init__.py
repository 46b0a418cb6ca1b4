"""Administration pages that tie the areas together."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Administration pages."""
    from .views import bp
    app.register_blueprint(bp)
