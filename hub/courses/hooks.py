"""Extension points other features plug into, so courses never imports them.

- Outline providers add items (quizzes, a forum...) to a course outline.
- Enrolment checks may refuse an enrolment with a message (prerequisites...).
- Content loaders read extra files of a course folder on import (quizzes) and
  write them back on export.
- Site content sources import other shipped content (practices, ...) from the
  content folder when ``prepare_site`` finds them missing."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol


@dataclass
class OutlineItem:
    kind: str  # "lesson", "quiz", ...
    section_id: int | None
    position: int
    title: str
    url: str
    done: bool | None = None  # None: the viewer has no progress on it (anonymous, not enrolled)
    required: bool = False  # counts toward completion
    detail: str = ""  # e.g. "Best grade 80%"
    obj: Any = None


OutlineProvider = Callable[[Any, Any], list[OutlineItem]]  # (course, user) -> items
EnrolmentCheck = Callable[[Any, Any], "str | None"]  # (user, course) -> refusal message or None


class ContentLoader(Protocol):
    # Optional attribute: extra top-level course.md keys the loader reads (so the
    # importer does not report them as unknown fields); ``quizzes`` is always known.
    # course_fields: tuple[str, ...]

    def load(self, course, folder, meta: dict, errors: list) -> None:
        """Read the folder's extra files into the course (same transaction). Append
        ``ContentError`` objects to ``errors`` instead of raising, so every problem
        of a folder is reported at once; nothing is committed when errors exist."""

    def export(self, course, folder) -> dict:
        """Write the extra files into ``folder``; return keys to merge into course.md."""


class SiteContent(Protocol):
    name: str

    def needs_import(self) -> bool:
        """True when the site has none of this content yet (a fresh or upgraded site)."""

    def import_all(self, content_root) -> str:
        """Import from ``content_root`` (the caller commits); a one-line summary. Raises
        ``ContentError`` after writing the good part when some files are broken."""


GlossaryProvider = Callable[[str], "dict[str, str]"]  # language -> {term: address of its definition}

outline_providers: list[OutlineProvider] = []
enrolment_checks: list[EnrolmentCheck] = []
content_loaders: list[ContentLoader] = []
site_content: list[SiteContent] = []
glossary_providers: list[GlossaryProvider] = []


def glossary_terms(language: str) -> dict[str, str]:
    """Terms to link where text in ``language`` is rendered (lessons, practices...)."""
    terms: dict[str, str] = {}
    for provider in glossary_providers:
        terms.update(provider(language))
    return terms


def outline_provider(func: OutlineProvider) -> OutlineProvider:
    outline_providers.append(func)
    return func


def enrolment_check(func: EnrolmentCheck) -> EnrolmentCheck:
    enrolment_checks.append(func)
    return func
