"""What features tell search, so search never imports them.

- A **source** turns the rows of one kind of entity ("lesson", "post", ...) into index
  documents, and names the entities whose documents depend on them (a course's lessons).
- A **watch** says which model changes put which entity on the outbox.
- A **doc type** is what a reader filters by ("Lessons", "Forum posts").
- An **access** rule gives, for one reader, the scopes they may see and the gates they
  pass: the permission rules of each feature, expressed as index terms.

A document is a dict with: ``entity`` ("<kind>:<id>"), ``key`` (unique; the entity plus
a language for translations), ``doc_type``, ``language``, ``title``, ``body``,
``scope`` (who may see it: "public", "members", "course-forum:12", ...), optional
``gate`` (a second condition, e.g. a Q&A topic the reader must have replied to),
``course``, ``tags``, ``countries``, ``zones`` (lists), ``date``, optional ``shown_body``
(what snippets quote when it differs from the searched ``body``) and ``endpoint`` with
``url_args`` to link to it."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Source:
    kind: str
    documents: Callable[[list[int]], Iterable[dict]]  # the visible documents of these entities
    all_ids: Callable[[], Iterable[int]]  # every entity that may have documents
    dependents: Callable[[list[int]], dict[str, list[int]]] | None = None


@dataclass
class Watch:
    model: type
    kind: str
    fields: tuple[str, ...] = ()  # an update counts only when one of these changed; () = any
    entity_id: Callable[[Any], int | None] = field(default=lambda obj: obj.id)


@dataclass
class Access:
    """For one reader: scopes they may see; gates they pass (None: every gate)."""
    scopes: list = field(default_factory=list)  # whoosh queries on "scope"
    gates: list | None = field(default_factory=list)  # whoosh queries; "open" always passes


SOURCES: dict[str, Source] = {}
WATCHES: list[Watch] = []
DOC_TYPES: dict[str, Any] = {}  # doc type -> label, in display order
ACCESS_RULES: list[Callable[[Any], Access]] = []
ZONES: dict[str, tuple[Any, str]] = {}  # zone key -> (label, slug of the zone's course)
COURSE_TITLES: list[Callable[[str], str | None]] = []  # course slug -> title in the reader's language


def register_source(source: Source) -> None:
    SOURCES[source.kind] = source


def watch(model: type, kind: str, fields: tuple[str, ...] = (), entity_id=None) -> None:
    if any(w.model is model and w.kind == kind for w in WATCHES):
        return
    WATCHES.append(Watch(model, kind, fields, entity_id or (lambda obj: obj.id)))


def register_doc_type(name: str, label) -> None:
    DOC_TYPES.setdefault(name, label)


def register_access(rule: Callable[[Any], Access]) -> None:
    if rule not in ACCESS_RULES:
        ACCESS_RULES.append(rule)


def register_zones(zones: dict[str, tuple[Any, str]]) -> None:
    """The counselling zones readers filter by; a zone matches documents tagged with
    it and everything of its course."""
    ZONES.update(zones)


def register_course_titles(lookup: Callable[[str], str | None]) -> None:
    if lookup not in COURSE_TITLES:
        COURSE_TITLES.append(lookup)


def course_title(slug: str) -> str | None:
    """The title of the course a search is narrowed to (None: no such course)."""
    for lookup in COURSE_TITLES:
        title = lookup(slug)
        if title:
            return title
    return None
