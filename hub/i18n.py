"""Locale selection for the UI and language fallback for content."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping, TypeVar

from flask import current_app, has_request_context, request, session
from flask_login import current_user

T = TypeVar("T")

# Names of languages in themselves, for the switcher and content language lists.
LANGUAGE_NAMES = {
    "en": "English", "es": "Español", "da": "Dansk", "it": "Italiano", "fr": "Français",
    "el": "Ελληνικά", "de": "Deutsch", "nl": "Nederlands", "pt": "Português", "cs": "Čeština",
    "mt": "Malti", "hr": "Hrvatski", "ro": "Română", "sl": "Slovenščina", "lt": "Lietuvių",
}


def ui_languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """User setting → session choice → Accept-Language → default."""
    if not has_request_context():  # CLI commands, background threads: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    supported = ui_languages()
    if getattr(current_user, "is_authenticated", False) and current_user.language in supported:
        return current_user.language
    chosen = session.get("lang")
    if chosen in supported:
        return chosen
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def pick_language(available: Iterable[str], preferred: str, fallback: str = "en") -> str | None:
    """The language to show content in: the reader's, else the content's own
    (``fallback``), else English, else any."""
    available = list(available)
    for lang in (preferred, fallback, "en"):
        if lang in available:
            return lang
    return available[0] if available else None


def pick_translation(versions: Mapping[str, T], preferred: str, fallback: str = "en") -> T | None:
    lang = pick_language(versions.keys(), preferred, fallback)
    return versions[lang] if lang else None


def country_name(code: str) -> str:
    """A country's name in the reader's language (CLDR through Babel); the code if unknown."""
    if not code:
        return ""
    from babel import Locale
    from flask_babel import get_locale

    return Locale.parse(str(get_locale() or "en")).territories.get(code, code)


def compile_catalogs(directory: str | Path) -> int:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older; returns how
    many were written. Run by ``hub setup``/``hub serve`` so a fresh checkout needs
    no separate pybabel step."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = 0
    for po_path in Path(directory).glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written += 1
    return written
