"""No user-visible words in a template outside the translation functions: a literal
word would stay English in every language."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Names that are the same in every language.
SAME_EVERYWHERE = {"Inclusion", "Hub", "Moodle", "GIFT", "XML", "CSV", "JSON", "PDF", "Markdown", "Open", "Badges",
                   "QR", "SVG"}
VISIBLE_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')


def visible_words(source: str) -> list[str]:
    text = re.sub(r"\{#.*?#\}|<!--.*?-->", " ", source, flags=re.S)
    attributes = " ".join(re.sub(r"\{\{.*?\}\}", " ", value) for value in VISIBLE_ATTRIBUTES.findall(text))
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style|code|pre)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&[a-z#0-9]+;", " ", text)
    return [word for word in re.findall(r"[^\W\d_]{2,}", text + " " + attributes) if word not in SAME_EVERYWHERE]


def test_templates_say_nothing_outside_the_translation_functions():
    offenders = {str(path.relative_to(ROOT)): words
                 for path in sorted((ROOT / "hub" / "templates").rglob("*.html"))
                 if (words := visible_words(path.read_text(encoding="utf-8")))}
    assert offenders == {}


def test_the_check_finds_a_literal():
    assert visible_words('<p>{{ _("Saved") }} Saved</p><a title="Close">x</a>') == ["Saved", "Close"]
    assert visible_words('<p>{{ _("Saved") }}</p><code>images/a.png</code>') == []


def test_every_form_label_is_translatable(app):
    """A label given as a plain string would stay English in every language."""
    from flask_babel.speaklater import LazyString

    from hub.forms import HubForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    plain = []
    for form in set(subclasses(HubForm)):
        for name in dir(form):
            field = getattr(form, name)
            if hasattr(field, "field_class") and hasattr(field, "args"):
                label = field.args[0] if field.args else field.kwargs.get("label")
                if isinstance(label, str) and label.strip() and not isinstance(label, LazyString):
                    plain.append(f"{form.__name__}.{name}: {label!r}")
    assert len(list(subclasses(HubForm))) > 40 and plain == []


def untranslated_mail_words(source: str) -> list[tuple[int, str]]:
    """Phrases given to queue_mail() as subject or body outside _()/ngettext()."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "queue_mail":
            for argument in node.args[1:3]:
                translated = {id(part) for call in ast.walk(argument) if isinstance(call, ast.Call)
                              and getattr(call.func, "id", "") in {"_", "ngettext", "gettext", "pgettext"}
                              for part in ast.walk(call)}
                found += [(node.lineno, part.value) for part in ast.walk(argument)
                          if isinstance(part, ast.Constant) and isinstance(part.value, str)
                          and re.search(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}", part.value) and id(part) not in translated]
    return found


def test_every_mail_is_written_through_the_translation_functions():
    """A subject or body given as a plain string would go out in English to everyone."""
    offenders = {str(path.relative_to(ROOT)): words for path in sorted((ROOT / "hub").rglob("*.py"))
                 if (words := untranslated_mail_words(path.read_text(encoding="utf-8")))}
    assert offenders == {}


def test_the_mail_check_finds_a_literal():
    assert untranslated_mail_words('queue_mail(to, "Your account", _("Hello %(n)s", n=x))') == [(1, "Your account")]
    assert untranslated_mail_words('queue_mail(to, f"[{site}] " + _("New reply"), body)') == []
