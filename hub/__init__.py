"""Inclusion Hub: an e-learning hub and learning forum for professionals who help
marginalised people into society and work."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from . import (
    accounts,
    admin,
    certificates,
    commands,
    courses,
    errors,
    forum,
    main,
    page_cache,
    practices,
    progress,
    quizzes,
    search,
    security,
    sitegen,
    static_files,
    templating,
)
from .config import MIGRATIONS_DIR, TRANSLATIONS_DIR
from .pagination import DatabaseIdConverter

__all__ = ["MIGRATIONS_DIR", "TRANSLATIONS_DIR", "create_app"]

# Each feature's init_app registers its blueprint, receivers, hooks and commands, in
# this order (blueprints are matched in registration order).
FEATURES = (main, accounts, admin, courses, progress, certificates, quizzes, forum, practices, search)


def create_app(config: dict | None = None) -> Flask:
    """Build the app. No side effects beyond the instance folder: schema upgrades,
    content import and index builds happen in ``hub serve`` / ``hub setup``."""
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("HUB_INSTANCE_PATH")
    app = Flask(__name__, instance_path=str(Path(instance_path).resolve()) if instance_path else None,
                instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    configure(app, config)
    init_extensions(app)
    for feature in FEATURES:
        feature.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    commands.init_app(app)
    sitegen.init_app(app)
    static_files.init_app(app)
    page_cache.init_app(app)  # last: its before_request runs after the others'
    return app


def configure(app: Flask, config: dict | None) -> None:
    from .config import load_config
    load_config(app, config)


def init_extensions(app: Flask) -> None:
    from . import (  # noqa: F401  (ratelimit: the hub-database:// store, before the limiter starts)
        database,  # noqa: F401  (SQLite connection settings)
        mail,
        query_counter,
        ratelimit,
        site_address,
    )
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
    mail.init_app(app)
    site_address.init_app(app)
    query_counter.init_app(app)
    import_models()


def import_models() -> None:
    """Every model module, so metadata (and Alembic) sees all tables."""
    from . import mail, ratelimit  # noqa: F401
    from .accounts import models as _accounts  # noqa: F401
    from .certificates import models as _certificates  # noqa: F401
    from .courses import models as _courses  # noqa: F401
    from .forum import models as _forum  # noqa: F401
    from .practices import models as _practices  # noqa: F401
    from .practices import models_library as _practices_library  # noqa: F401
    from .quizzes import models as _quizzes  # noqa: F401
    from .search import models as _search  # noqa: F401
