"""Template globals and filters: the permission check, languages, dates, forms."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.units import format_unit
from flask import Flask, request
from flask_babel import format_date, format_number, format_time, get_locale
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

    app.jinja_env.filters["date"] = format_day
    app.jinja_env.filters["datetime"] = format_moment
    app.jinja_env.filters["percent"] = format_percent_sign
    app.jinja_env.filters["filesize"] = format_file_size
    app.jinja_env.filters["language_name"] = lambda code: LANGUAGE_NAMES.get(code, code)
    app.jinja_env.filters["format_number"] = format_number
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def format_day(value, fmt: str = "medium") -> str:
    """One way to write a date on every page: "Dec 3, 2026" / "3. dec. 2026" (the
    locale's medium form; "long" spells the month out). Numeric short dates such as
    12/3/26 read differently from country to country, so there is no short form."""
    return format_date(value, "long" if fmt == "long" else "medium") if value else ""


def format_moment(value) -> str:
    """A date with its time of day, in the reader's locale and time zone."""
    return f"{format_date(value, 'medium')}, {format_time(value, 'short')}" if value else ""


def format_percent_sign(value, decimals: int = 1) -> str:
    """A percentage the reader's way: "70%" in English, "70 %" in Danish, "70,5 %" in
    Spanish; at most ``decimals`` decimals, none when they are zero. "–" for no value."""
    if value is None:
        return "–"
    number = Decimal(str(round(float(value), decimals))) / 100
    locale, pattern = _percent_pattern(str(get_locale() or "en"))
    return pattern.apply(number, locale, decimal_quantization=False)


@lru_cache(maxsize=64)
def _percent_pattern(language: str):
    """The locale's percent pattern, parsed once (Babel parses it on every call)."""
    locale = Locale.parse(language)
    return locale, locale.percent_formats[None]


def format_file_size(size: int | float) -> str:
    """A file's size in the reader's locale: "12 kB", "1,5 MB" (CLDR's short units)."""
    kilobytes = float(size or 0) / 1024
    if kilobytes >= 1024:
        return format_unit(round(kilobytes / 1024, 1), "digital-megabyte", length="short",
                           locale=str(get_locale() or "en"))
    return format_unit(max(1, round(kilobytes)), "digital-kilobyte", length="short", locale=str(get_locale() or "en"))
