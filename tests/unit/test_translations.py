"""Every UI string is translated in every shipped catalogue, with the same placeholders."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hub import TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
LANGUAGES = sorted(p.name for p in Path(TRANSLATIONS_DIR).iterdir() if (p / "LC_MESSAGES" / "messages.po").exists())


def _catalog(lang):
    with open(Path(TRANSLATIONS_DIR) / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def source_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every UI string: the same text in two contexts is two entries."""
    method_map = [("hub/**.py", "python"), ("hub/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None,
                "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(str(ROOT), method_map, keywords=keywords):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    assert len(found) > 500, "extraction found too few strings: is the method map right?"
    assert any(context for context, _id in found), "no pgettext strings found: are the keywords right?"
    return found


def test_catalogues_exist():
    assert {"es", "da"} <= set(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_source_string_is_in_the_catalogue(lang, source_messages):
    ids = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in _catalog(lang) if m.id}
    missing = sorted(source_messages - ids, key=lambda entry: (entry[0] or "", entry[1]))
    assert not missing, f"run `make translations-update` and translate: {missing[:10]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_with_its_placeholders(lang):
    problems = []
    for message in _catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:  # a fuzzy entry is not compiled: it shows in English
            problems.append(("fuzzy" if message.fuzzy else "untranslated", ids[0]))
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for index, text in enumerate(strings):
            got = set(PLACEHOLDER.findall(text))
            # a singular form may leave the number out ("one post")
            if got != wanted and not (len(strings) > 1 and index == 0 and got <= wanted):
                problems.append(("placeholders", ids[0]))
    assert not problems, problems[:10]
