"""Template globals and filters: the permission check, languages, dates, forms."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import format_date, format_datetime, format_number, get_locale
from flask_login import current_user

from .forms import EmptyForm
from .i18n import LANGUAGE_NAMES, country_name
from .permissions import can


def init_app(app: Flask) -> None:
    @app.context_processor
    def globals_for_templates():
        from .accounts.forms import LanguageForm
        return {
            "can": lambda action, obj=None: can(current_user, action, obj),
            # formdata=None: these only render tokens. Reading the request body here made
            # the 413 page itself fail (the oversized body was read again).
            "language_form": LanguageForm(formdata=None),
            "empty_form": EmptyForm(formdata=None),
            "current_locale": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "country_name": country_name,
            "site_name": app.config["SITE_NAME"],
            "current_path": request.full_path.rstrip("?") if request else "/",
            "blueprints": app.blueprints,
        }

    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    app.jinja_env.filters["language_name"] = lambda code: LANGUAGE_NAMES.get(code, code)
    app.jinja_env.filters["format_number"] = format_number
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
