"""Dates, times and numbers are written one way per locale on every page."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hub.templating import format_day, format_moment

ROOT = Path(__file__).resolve().parents[2]
MOMENT = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize("lang, day, moment", [
    ("en", "Dec 3, 2026", "Dec 3, 2026, 2:05\u202fPM"),
    ("da", "3. dec. 2026", "3. dec. 2026, 14.05"),
    ("es", "3 dic 2026", "3 dic 2026, 14:05"),
])
def test_dates_and_times_in_the_readers_locale(app, lang, day, moment):
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert format_day(date(2026, 12, 3)) == day
        assert format_day(MOMENT, "short") == day  # no ambiguous 12/3/26 anywhere
        assert format_moment(MOMENT) == moment


def test_templates_use_the_one_date_style():
    """A page once showed "12/3/26" next to "Dec 3, 2026"."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "hub" / "templates").rglob("*.html")
                 if "date('short')" in p.read_text(encoding="utf-8") or "datetime('short')" in p.read_text(
                     encoding="utf-8")]
    assert offenders == []


INTERFACE = {  # the language's own word for "Courses" in the main navigation
    "en": "Courses", "es": "Cursos", "da": "Kurser", "it": "Corsi", "el": "Μαθήματα", "fr": "Cours",
    "de": "Kurse", "pt": "Disciplinas", "nl": "Cursussen", "cs": "Kurzy",
}


@pytest.mark.parametrize("lang", sorted(INTERFACE))
def test_every_partner_language_serves_the_interface(app, client, lang):
    assert lang in app.config["LANGUAGES"]
    page = client.get("/", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert f'<html lang="{lang}"' in page
    assert f">{INTERFACE[lang]}<" in page


@pytest.mark.parametrize("lang, word", [("el", "Πιστοποιητικό ολοκλήρωσης"), ("cs", "Certifikát o absolvování")])
def test_greek_and_czech_certificates_print_their_own_script(app, client, auth, make_user, lang, word):
    from tests.web.test_certificates_pdf_badges import issued, pdf_text

    cert = issued(make_user, "Ελένη Dvořák", language=lang)
    auth.login(cert.user)
    text = pdf_text(client.get(f"/certificates/{cert.id}/certificate.pdf").data)
    assert word in text and "Ελένη Dvořák" in text, text


@pytest.mark.parametrize("lang, whole, decimal", [
    ("en", "70%", "70.5%"), ("da", "70\u00a0%", "70,5\u00a0%"), ("es", "70\u00a0%", "70,5\u00a0%"),
    ("de", "70\u00a0%", "70,5\u00a0%"),
])
def test_percentages_in_the_readers_locale(app, lang, whole, decimal):
    from hub.templating import format_percent_sign

    with app.test_request_context(headers={"Accept-Language": lang}):
        assert format_percent_sign(70) == whole
        assert format_percent_sign(70.5) == decimal
        assert format_percent_sign(70.54) == decimal
        assert format_percent_sign(None) == "–"


def test_no_page_writes_a_percent_sign_by_hand():
    """"100%" stood next to "70 %" on one page: every percentage goes through |percent."""
    import re

    pattern = re.compile(r"\}\}\s?%|%\(\w+\)[sd]\s?%%")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "hub" / "templates").rglob("*.html")
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def _english_left(lang: str) -> set[str]:
    """Interface sentences of three words or more whose translation differs from the English."""
    from babel.messages.pofile import read_po

    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalogue = read_po(fh, locale=lang)
    return {m.id for m in catalogue if isinstance(m.id, str) and isinstance(m.string, str) and m.string != m.id
            and "%" not in m.id and len(m.id.split()) >= 3 and "<" not in m.id}


MAIN_PAGES = ["/", "/courses/", "/forum/", "/practices/", "/practices/glossary/", "/practices/toolbox/",
              "/search?q=work", "/login", "/register", "/account", "/dashboard", "/certificates/",
              "/forum/notifications", "/forum/settings", "/account/two-step"]


@pytest.mark.parametrize("lang", [code for code in INTERFACE if code != "en"])
def test_main_pages_hold_no_english_where_a_translation_exists(app, client, login, lang):
    import html
    import re

    login(language=lang)
    english = _english_left(lang)
    leaks = {}
    for path in MAIN_PAGES:
        page = client.get(path, headers={"Accept-Language": lang}).get_data(as_text=True)
        text = html.unescape(re.sub(r"<[^>]+>", "\n", re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)))
        text = " ".join(text.split())
        found = sorted(e for e in english if e in text)
        if found:
            leaks[path] = found
    assert leaks == {}
