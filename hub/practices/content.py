"""Practice records on disk (``content/practices/<slug>.md``) ⇄ the database.

A record is YAML front matter (the template's short fields, its sources and the
editorial scores) and a Markdown body cut into the template's sections by ``##``
headings. Reading checks every field and names the file and line of each problem;
importing writes the good records (the caller commits) and then raises
:class:`ContentError` listing the broken ones, as the course importer does."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select

from ..courses.front_matter import LANGUAGE as LANGUAGE_CODE
from ..courses.front_matter import SLUG, ContentError, FrontMatter, Problems, read_front_matter
from ..courses.front_matter import Fields as BaseFields
from ..database import utcnow
from ..extensions import db
from . import vocab
from .models import LANGUAGE, PUBLISHED, SECTIONS, TAG, TARGET_GROUP, ZONE, Practice, PracticeScore
from .ranking import MAX_SCORE

COUNTRY = re.compile(r"^[A-Z]{2}$")
FIELDS = ("slug", "title", "motto", "summary", "country", "region", "organisation", "organisation_type", "partners",
          "target_groups", "sector", "zones", "tags", "start_year", "end_year", "funding", "participants_per_year",
          "evaluation", "languages", "source_project", "sources", "links", "contact", "last_reviewed", "scores")
EDITORIAL_EMAIL = "editorial-review@inclusion-hub.invalid"
EDITORIAL_NAME = "Inclusion Hub editorial review"

__all__ = ["ContentError", "ParsedPractice", "import_practices", "read_practice", "read_practices"]


@dataclass
class ParsedPractice:
    path: Path
    values: dict = field(default_factory=dict)  # column -> value
    facets: dict[str, list[str]] = field(default_factory=dict)  # kind -> values
    sections: dict[str, str] = field(default_factory=dict)  # stem -> Markdown
    scores: dict[str, tuple[int, str]] = field(default_factory=dict)  # indicator -> (score, why)


class Fields(BaseFields):
    """The course front-matter checks plus the lists a practice needs."""

    def choices(self, key: str, allowed, required: bool = False) -> list[str]:
        value = self.mapping.get(key)
        if value is None or value == []:
            if required:
                self.fail(key, f"'{key}' needs at least one of: {', '.join(allowed)}")
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, f"'{key}' must be a list, like [{next(iter(allowed))}]")
            return []
        unknown = [v for v in value if v not in allowed]
        if unknown:
            self.fail(key, f"'{key}' has unknown values {', '.join(unknown)} (allowed: {', '.join(allowed)})")
        return list(dict.fromkeys(v for v in value if v in allowed))

    def patterned(self, key: str, pattern: re.Pattern, example: str) -> list[str]:
        value = self.mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and pattern.match(v) for v in value):
            self.fail(key, f"'{key}' must be a list like {example}")
            return []
        return list(dict.fromkeys(value))

    def texts(self, key: str, max_length: int = 200) -> list[str]:
        value = self.mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= max_length for v in value):
            self.fail(key, f"'{key}' must be a list of texts of at most {max_length} characters")
            return []
        return [v.strip() for v in value]

    def references(self, key: str, required: bool = False) -> list[dict]:
        """[{title, url}] with http(s) or plain document names as the url."""
        value = self.mapping.get(key)
        if not value:
            if required:
                self.fail(key, f"missing required field '{key}': cite at least one public source (title and url)")
            return []
        good = []
        if not isinstance(value, list):
            self.fail(key, f"'{key}' must be a list of entries with 'title' and 'url'")
            return []
        for index, entry in enumerate(value):
            if not isinstance(entry, dict) or not str(entry.get("title") or "").strip():
                self.fail(key, f"'{key}' entry {index + 1} needs a 'title'")
                continue
            url = str(entry.get("url") or "").strip()
            if url and not url.startswith(("https://", "http://")):
                self.fail(key, f"'{key}' entry {index + 1}: url must start with https:// or http://")
                continue
            good.append({"title": str(entry["title"]).strip()[:300], "url": url})
        return good


def read_practices(folder: Path) -> tuple[list[ParsedPractice], list[ContentError]]:
    """Every ``*.md`` record of a folder, read and checked; the problems of all files."""
    problems = Problems(folder)
    parsed = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        before = len(problems.errors)
        record = read_practice(path, problems)
        if record is None or len(problems.errors) > before:
            continue
        slug = record.values["slug"]
        if slug in seen:
            problems.add(path, 2, f"slug '{slug}' is already used by {seen[slug].name}")
            continue
        seen[slug] = path
        parsed.append(record)
    return parsed, problems.errors


def read_practice(path: Path, problems: Problems) -> ParsedPractice | None:
    fm = read_front_matter(path, problems)
    if fm is None:
        return None
    f = Fields(fm, path, problems, fm.meta)
    f.unknown(FIELDS)
    record = ParsedPractice(path=path)
    v = record.values
    v["slug"] = f.slug()
    if v["slug"] and path.stem != v["slug"]:
        f.fail("slug", f"the file name must be the slug: rename the file to {v['slug']}.md")
    v["title"] = f.text("title", required=True)
    v["motto"] = f.text("motto")
    v["summary"] = f.text("summary", required=True, max_length=300)
    v["country"] = f.text("country", required=True, max_length=2)
    if v["country"] and not COUNTRY.match(v["country"]):
        f.fail("country", f"'country' must be a two-letter ISO code in capitals, like ES (got '{v['country']}')")
    v["region"] = f.text("region", max_length=120)
    v["organisation"] = f.text("organisation", required=True)
    v["organisation_type"] = f.choice("organisation_type", tuple(vocab.ORGANISATION_TYPES), "ngo")
    v["partners"] = f.texts("partners")
    v["sector"] = f.text("sector")
    v["start_year"] = f.integer("start_year", None, minimum=1900, maximum=2100)
    _end_year(f, v)
    v["funding"] = f.text("funding", max_length=300)
    v["participants_per_year"] = f.text("participants_per_year", max_length=120)
    v["evaluation"] = f.choice("evaluation", tuple(vocab.EVALUATION_TYPES), "none")
    v["source_project"] = f.text("source_project", max_length=120)
    v["sources"] = f.references("sources", required=True)
    v["links"] = f.references("links")
    _contact(f, v)
    reviewed = f.day("last_reviewed")
    v["last_reviewed"] = reviewed if isinstance(reviewed, date) else None
    record.facets = {
        TARGET_GROUP: f.choices("target_groups", vocab.TARGET_GROUPS, required=True),
        ZONE: f.choices("zones", vocab.ZONES),
        TAG: f.patterned("tags", SLUG, "[work-first, mentoring]"),
        LANGUAGE: f.patterned("languages", LANGUAGE_CODE, "[en, es]"),
    }
    record.scores = _scores(f, fm)
    record.sections = _sections(fm, path, problems)
    return record


def _end_year(f: Fields, v: dict) -> None:
    value = f.mapping.get("end_year")
    v["ongoing"], v["end_year"] = False, None
    if value == "ongoing":
        v["ongoing"] = True
    elif value is not None:
        v["end_year"] = f.integer("end_year", None, minimum=1900, maximum=2100)
        if v["start_year"] and v["end_year"] and v["end_year"] < v["start_year"]:
            f.fail("end_year", "'end_year' is before 'start_year'")


def _contact(f: Fields, v: dict) -> None:
    contact = f.mapping.get("contact")
    v["contact_name"], v["contact_email"], v["contact_consent"] = "", "", False
    if contact is None:
        return
    if not isinstance(contact, dict):
        f.fail("contact", "'contact' must be null or have 'name', 'email' and 'consent: true'")
        return
    sub = Fields(f.fm, f.path, f.problems, contact, prefix="contact.")
    sub.unknown(("name", "email", "consent"))
    v["contact_name"] = sub.text("name")
    v["contact_email"] = sub.text("email", max_length=320)
    v["contact_consent"] = sub.boolean("consent", False)


def _scores(f: Fields, fm: FrontMatter) -> dict[str, tuple[int, str]]:
    scores = {}
    mapping = f.mapping_of("scores")
    sub = Fields(fm, f.path, f.problems, mapping, prefix="scores.")
    sub.unknown(tuple(vocab.INDICATOR_LABELS))
    for key in vocab.INDICATOR_LABELS:
        entry = mapping.get(key)
        if entry is None:
            continue
        if not isinstance(entry, dict):
            sub.fail(key, f"'scores.{key}' must look like {{score: 2, why: \"...\"}}")
            continue
        one = Fields(fm, f.path, f.problems, entry, prefix=f"scores.{key}.")
        one.unknown(("score", "why"))
        score = one.integer("score", None, minimum=0, maximum=MAX_SCORE)
        why = one.text("why", required=True, max_length=1000)
        if score is not None and "score" in entry:
            scores[key] = (score, why)
        elif "score" not in entry:
            one.fail("score", f"'scores.{key}' needs a score from 0 to {MAX_SCORE}")
    return scores


def _sections(fm: FrontMatter, path: Path, problems: Problems) -> dict[str, str]:
    """The body cut at ``## Heading`` lines into the template's sections."""
    by_heading = {heading.lower(): stem for stem, heading in SECTIONS.items()}
    sections: dict[str, list[str]] = {}
    current = None
    for offset, line in enumerate(fm.body.splitlines()):
        if line.startswith("## "):
            heading = line[3:].strip()
            current = by_heading.get(heading.lower())
            if current is None:
                problems.add(path, fm.body_line + offset,
                             f"unknown section '## {heading}' (the sections are: "
                             + ", ".join(SECTIONS.values()) + ")")
            elif current in sections:
                problems.add(path, fm.body_line + offset, f"section '## {heading}' appears twice")
            sections.setdefault(current or "", [])
            continue
        if current is None and line.strip() and "" not in sections:
            problems.add(path, fm.body_line + offset, "text before the first section: start with '## Description'")
            sections[""] = []
        if current:
            sections[current].append(line)
    result = {stem: "\n".join(lines).strip() for stem, lines in sections.items() if stem}
    if not result.get("description"):
        problems.add(path, fm.body_line, "missing section '## Description'")
    return result


# -- into the database -----------------------------------------------------------------

def editorial_reviewer():
    """The account that signs the shipped records' scores: it cannot log in."""
    from ..accounts.models import User

    user = db.session.scalar(select(User).where(User.email == EDITORIAL_EMAIL))
    if user is None:
        user = User(email=EDITORIAL_EMAIL, display_name=EDITORIAL_NAME, password_hash="!", role="trainer",
                    active=False, country="", organisation="Inclusion Hub")
        db.session.add(user)
        db.session.flush()
    return user


def import_practices(folder: str | Path) -> tuple[int, int]:
    """Create or update the shipped records of ``folder`` (by slug); returns
    (created, updated). Broken files are reported after the good ones are written:
    raises :class:`ContentError` naming each file and line. The caller commits."""
    from .services import rescore
    from .workflow import record_revision

    folder = Path(folder)
    if not folder.is_dir():
        raise ContentError(folder, None, "no such folder")
    records, errors = read_practices(folder)
    reviewer = editorial_reviewer() if any(r.scores for r in records) else None
    created = updated = 0
    for record in records:
        practice = db.session.scalar(select(Practice).where(Practice.slug == record.values["slug"]))
        if practice is None:
            practice = Practice(slug=record.values["slug"], status=PUBLISHED, shipped=True, published_at=utcnow())
            db.session.add(practice)
            created += 1
        else:
            updated += 1
        _write(practice, record)
        db.session.flush()
        if reviewer is not None:
            db.session.execute(delete(PracticeScore).where(PracticeScore.practice_id == practice.id,
                                                           PracticeScore.reviewer_id == reviewer.id))
            for key, (score, why) in record.scores.items():
                db.session.add(PracticeScore(practice_id=practice.id, reviewer_id=reviewer.id, indicator=key,
                                             score=score, justification=why))
            db.session.flush()
        db.session.expire(practice, ["scores"])
        rescore(practice)
        record_revision(practice, None, "imported")
    if errors:
        raise ContentError.collect(errors)
    return created, updated


def _write(practice: Practice, record: ParsedPractice) -> None:
    from .services import write

    write(practice, record.values, record.sections, record.facets)


class ShippedPractices:
    """The ``hub.courses.hooks.site_content`` source for ``content/practices``."""

    name = "practices"

    def needs_import(self) -> bool:
        return db.session.scalar(select(Practice.id).limit(1)) is None

    def import_all(self, content_root) -> str:
        from .services import ensure_indicators

        ensure_indicators()
        folder = Path(content_root) / "practices"
        if not folder.is_dir():
            return "none (no practices folder)"
        created, _updated = import_practices(folder)
        return f"{created} practice records"


shipped_content = ShippedPractices()
