"""Accounts: registration, login sessions, password reset, profiles, user admin."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Account pages."""
    from .views import bp
    app.register_blueprint(bp)
