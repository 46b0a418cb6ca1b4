"""Toolbox pages, resources and glossary terms: read from ``content/`` (every problem
named by file and line), written to the database (the caller commits), and looked up
for the pages."""
from __future__ import annotations

import re
import string
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..courses.front_matter import LANGUAGE, ContentError, Fields, Problems, read_front_matter
from ..database import utcnow
from ..extensions import db
from ..markdown import render_markdown
from . import vocab
from .models_library import GlossaryTerm, Resource, ToolboxPage

QUESTIONS = {
    "getting-started": _l("How do I get started?"),
    "which-way": _l("Which way to go?"),
    "what-you-need": _l("What do I need to make it successful?"),
    "right-track": _l("How do I know I am on the right track?"),
}
TWO_LETTERS = LANGUAGE  # language codes, and country codes once lower-cased

RESOURCE_KINDS = {
    "literature": _l("Literature"),
    "research": _l("Research"),
    "organisation": _l("Organisations and contacts"),
    "tool": _l("Tools"),
}


# --- reading ----------------------------------------------------------------------------------

def read_toolbox(folder: Path) -> tuple[list[dict], list[ContentError]]:
    problems = Problems(folder)
    pages = []
    for path in sorted(folder.glob("*.md")):
        before = len(problems.errors)
        fm = read_front_matter(path, problems)
        if fm is None:
            continue
        f = Fields(fm, path, problems, fm.meta)
        f.unknown(("slug", "title", "question", "order", "summary", "zones"))
        page = {"slug": f.slug(), "title": f.text("title", required=True),
                "question": f.choice("question", tuple(QUESTIONS), ""), "position": f.integer("order", 0),
                "summary": f.text("summary", max_length=300), "zones": _zones(f), "body_md": fm.body.strip()}
        if not page["question"] and "question" not in fm.meta:
            f.fail("question", f"missing required field 'question' (one of {', '.join(QUESTIONS)})")
        if not page["body_md"]:
            problems.add(path, fm.body_line, "the page has no text")
        if len(problems.errors) == before:
            pages.append(page)
    return pages, problems.errors


def _zones(f: Fields) -> list[str]:
    zones = f.mapping.get("zones") or []
    if not isinstance(zones, list) or any(z not in vocab.ZONES for z in zones):
        f.fail("zones", f"'zones' must be a list of: {', '.join(vocab.ZONES)}")
        return []
    return list(zones)


def _entries(path: Path, key: str, problems: Problems) -> list[tuple[int, dict]]:
    """(line, mapping) for each entry of the file's top-level list ``key``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        problems.add(path, mark.line + 1 if mark is not None else None, f"not valid YAML: {error}")
        return []
    if node is None or not isinstance(data, dict) or not isinstance(data.get(key), list):
        problems.add(path, 1, f"the file must have a list '{key}:'")
        return []
    value_node = next(v for k, v in node.value if k.value == key)
    entries = []
    for item_node, item in zip(value_node.value, data[key], strict=True):
        line = item_node.start_mark.line + 1
        if not isinstance(item, dict):
            problems.add(path, line, "each entry must be a group of 'field: value' lines")
            continue
        entries.append((line, item))
    return entries


class _EntryProblems(Problems):
    """Problems of one YAML entry: every field's line is the entry's first line."""

    def __init__(self, problems: Problems, line: int):
        super().__init__(problems.root)
        self.errors = problems.errors
        self.line = line

    def add(self, path: Path, line: int | None, problem: str) -> None:
        super().add(path, self.line, problem)


def _entry_fields(path: Path, problems: Problems, line: int, item: dict) -> Fields:
    from ..courses.front_matter import FrontMatter

    return Fields(FrontMatter(meta=item, lines={}, body="", body_line=line), path, _EntryProblems(problems, line), item)


def _codes(f: Fields, key: str, pattern: re.Pattern, upper: bool = False) -> list[str]:
    value = f.mapping.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and pattern.match(v.lower()) for v in value):
        f.fail(key, f"'{key}' must be a list of two-letter codes")
        return []
    return [v.upper() if upper else v.lower() for v in value]


def read_resources(path: Path) -> tuple[list[dict], list[ContentError]]:
    problems = Problems(path.parent)
    resources, seen = [], set()
    for line, item in _entries(path, "resources", problems):
        f = _entry_fields(path, problems, line, item)
        before = len(problems.errors)
        f.unknown(("slug", "title", "type", "publisher", "year", "url", "languages", "countries", "topics",
                   "summary"))
        url = f.text("url", max_length=500)
        resource = {"slug": f.slug(), "title": f.text("title", required=True, max_length=300),
                    "kind": f.choice("type", tuple(RESOURCE_KINDS), ""),
                    "publisher": f.text("publisher", max_length=300), "year": f.integer("year", None, 1900, 2100),
                    "url": url, "languages": _codes(f, "languages", TWO_LETTERS),
                    "countries": _codes(f, "countries", TWO_LETTERS, upper=True),
                    "topics": f.slug_list("topics"), "summary": f.text("summary", required=True, max_length=2000)}
        if not resource["kind"]:
            f.fail("type", f"'type' must be one of {', '.join(RESOURCE_KINDS)}")
        if url and not url.startswith(("https://", "http://")):
            f.fail("url", "'url' must start with https:// or http://")
        if resource["slug"] in seen:
            f.fail("slug", f"slug '{resource['slug']}' is used twice")
        seen.add(resource["slug"])
        if len(problems.errors) == before:
            resources.append(resource)
    return resources, problems.errors


def read_glossary(path: Path) -> tuple[list[dict], list[ContentError]]:
    problems = Problems(path.parent)
    terms, seen = [], set()
    entries = _entries(path, "terms", problems)
    slugs = {str(item.get("slug")) for _line, item in entries}
    for line, item in entries:
        f = _entry_fields(path, problems, line, item)
        before = len(problems.errors)
        f.unknown(("slug", "term", "definition", "variants", "see_also", "source"))
        variants = f.mapping_of("variants")
        if any(not TWO_LETTERS.match(str(k)) or not isinstance(v, str) or not v.strip() for k, v in variants.items()):
            f.fail("variants", "'variants' maps two-letter language codes to the term, like {es: \"...\"}")
            variants = {}
        term = {"slug": f.slug(), "term": f.text("term", required=True),
                "definition": f.text("definition", required=True, max_length=3000),
                "variants": {str(k): v.strip() for k, v in variants.items()},
                "see_also": f.slug_list("see_also"), "source": f.text("source", max_length=500)}
        missing = [s for s in term["see_also"] if s not in slugs]
        if missing:
            f.fail("see_also", f"'see_also' names terms that do not exist: {', '.join(missing)}")
        if term["slug"] in seen:
            f.fail("slug", f"slug '{term['slug']}' is used twice")
        seen.add(term["slug"])
        if len(problems.errors) == before:
            terms.append(term)
    return terms, problems.errors


# --- writing ----------------------------------------------------------------------------------

def _upsert(model, rows: list[dict], prepare=None) -> int:
    """Create or update rows by slug; returns how many are new."""
    created = 0
    for row in rows:
        obj = db.session.scalar(select(model).where(model.slug == row["slug"]))
        if obj is None:
            obj = model(slug=row["slug"])
            db.session.add(obj)
            created += 1
        for key, value in row.items():
            setattr(obj, key, value)
        if prepare:
            prepare(obj)
    db.session.flush()
    return created


def _page_renderer():
    """Renders toolbox pages (in English) with the glossary's terms, looked up once."""
    terms = glossary_links("en")

    def render(page: ToolboxPage) -> None:
        page.body_html = str(render_markdown(page.body_md, terms=terms))
        page.updated_at = utcnow()

    return render


def import_library(root: Path) -> dict[str, int]:
    """Toolbox, resources and glossary under ``root`` (the content folder); returns how
    many of each are new. The good entries are written before problems are raised."""
    errors: list[ContentError] = []
    counts = {}
    # The glossary first: the toolbox pages link its terms.
    sources: tuple = (("glossary", GlossaryTerm, root / "glossary" / "glossary.yaml", read_glossary, None),
               ("resources", Resource, root / "resources" / "resources.yaml", read_resources, None),
               ("toolbox", ToolboxPage, root / "toolbox", read_toolbox, _page_renderer))
    for name, model, path, reader, renderer in sources:
        if not path.exists():
            continue
        rows, problems = reader(path)
        errors.extend(problems)
        counts[name] = _upsert(model, rows, renderer() if renderer else None)  # after the glossary is in
    if errors:
        raise ContentError.collect(errors)
    return counts


class ShippedLibrary:
    """The ``hub.courses.hooks.site_content`` source for toolbox, resources and glossary."""

    name = "toolbox, resources and glossary"

    def needs_import(self) -> bool:
        return all(db.session.scalar(select(model.id).limit(1)) is None
                   for model in (ToolboxPage, Resource, GlossaryTerm))

    def import_all(self, content_root) -> str:
        counts = import_library(Path(content_root))
        return ", ".join(f"{n} {name}" for name, n in counts.items()) or "none"


shipped_library = ShippedLibrary()


# --- glossary links in other texts -----------------------------------------------------------

GLOSSARY_PATH = "/practices/glossary/"


def _plain(word: str) -> str:
    """"Active labour market policy (ALMP)" -> "Active labour market policy"."""
    return re.split(r"\s\(", word, maxsplit=1)[0].strip()


def glossary_links(language: str) -> dict[str, str]:
    """{term in ``language``: address of its definition}; English uses the terms
    themselves, other languages their variants (``hub.courses.hooks.glossary_providers``)."""
    links = {}
    for term in db.session.scalars(select(GlossaryTerm)):
        word = term.term if language == "en" else (term.variants or {}).get(language, "")
        word = _plain(word)
        if word:
            links[word] = f"{GLOSSARY_PATH}#{term.slug}"
    return links


# --- reading for pages -------------------------------------------------------------------------

def toolbox_by_question() -> list[tuple[str, str, list[ToolboxPage]]]:
    pages = db.session.scalars(select(ToolboxPage).order_by(ToolboxPage.position, ToolboxPage.title)).all()
    return [(key, str(label), [p for p in pages if p.question == key]) for key, label in QUESTIONS.items()]


def glossary_by_letter() -> list[tuple[str, list[GlossaryTerm]]]:
    terms = sorted(db.session.scalars(select(GlossaryTerm)), key=lambda t: t.term.casefold())
    letters: dict[str, list[GlossaryTerm]] = {}
    for term in terms:
        first = term.term[:1].upper()
        letters.setdefault(first if first in string.ascii_uppercase else "#", []).append(term)
    return sorted(letters.items())


def resources_filtered(kind: str = "", language: str = "", country: str = "", topic: str = "") -> list[Resource]:
    """Few enough to filter in Python; list fields are JSON."""
    rows = db.session.scalars(select(Resource).order_by(Resource.kind, Resource.title)).all()
    return [r for r in rows if (not kind or r.kind == kind) and (not language or language in r.languages)
            and (not country or country in r.countries or not r.countries) and (not topic or topic in r.topics)]


def resource_choices() -> dict[str, list[str]]:
    rows = db.session.scalars(select(Resource)).all()
    return {"language": sorted({c for r in rows for c in r.languages}),
            "country": sorted({c for r in rows for c in r.countries}),
            "topic": sorted({t for r in rows for t in r.topics})}


__all__ = ["QUESTIONS", "RESOURCE_KINDS", "import_library", "shipped_library"]
