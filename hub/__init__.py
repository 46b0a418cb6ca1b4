"""Inclusion Hub: an e-learning hub and learning forum for professionals who help
marginalised people into society and work."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")
TRANSLATIONS_DIR = str(Path(__file__).resolve().parent.parent / "translations")


def create_app(config: dict | None = None) -> Flask:
    """Build the app. No side effects beyond the instance folder: schema upgrades,
    content import and index builds happen in ``hub serve`` / ``hub setup``."""
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("HUB_INSTANCE_PATH")
    app = Flask(__name__, instance_path=str(Path(instance_path).resolve()) if instance_path else None,
                instance_relative_config=True)
    configure(app, config)
    init_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_pages(app)
    register_cli(app)
    return app


def configure(app: Flask, config: dict | None) -> None:
    from .config import load_config
    load_config(app, config)


def init_extensions(app: Flask) -> None:
    from . import database  # noqa: F401  (SQLite connection settings)
    from . import ratelimit  # noqa: F401  (the hub-database:// store, before the limiter starts)
    from . import security
    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    from flask_babel import lazy_gettext as _l
    login_manager.login_message = _l("Please log in to see this page.")
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=TRANSLATIONS_DIR)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    from . import mail
    mail.init_app(app)
    import_models()


def import_models() -> None:
    """Every model module, so metadata (and Alembic) sees all tables."""
    from . import mail  # noqa: F401
    from . import ratelimit  # noqa: F401  (also registers the hub-database:// limit store)
    from .accounts import models as _accounts  # noqa: F401
    from .courses import models as _courses  # noqa: F401
    from .certificates import models as _certificates  # noqa: F401
    from .quizzes import models as _quizzes  # noqa: F401
    from .forum import models as _forum  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .courses.views import bp as courses_bp
    from .main import bp as main_bp

    for blueprint in (main_bp, accounts_bp, admin_bp, courses_bp):
        app.register_blueprint(blueprint)
    from .certificates.views import bp as certificates_bp
    from .progress.views import bp as progress_bp
    for blueprint in (progress_bp, certificates_bp):
        app.register_blueprint(blueprint)
    from .quizzes.views import bp as quizzes_bp
    app.register_blueprint(quizzes_bp)
    from .forum.views import bp as forum_bp
    app.register_blueprint(forum_bp)


def register_template_helpers(app: Flask) -> None:
    from .templating import init_app
    init_app(app)


def register_error_pages(app: Flask) -> None:
    from .errors import init_app
    init_app(app)


def register_cli(app: Flask) -> None:
    from .cli import init_app
    init_app(app)
