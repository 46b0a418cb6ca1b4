"""Accounts: registration, login sessions, password reset, profiles, user admin."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Account pages."""
    from . import (
        avatars,
        two_step_views,  # noqa: F401  (its routes join the accounts blueprint)
    )
    from .views import bp
    app.register_blueprint(bp)
    app.add_template_global(avatars.version, "avatar_version")
    app.add_template_global(avatars.colour, "avatar_colour")
    app.add_template_filter(avatars.initials, "initials")
