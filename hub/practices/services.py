"""Practice lookups, the ranked and filtered list, scores and the permission rules.
Functions add to the session; the caller commits."""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, delete, func, or_, select
from sqlalchemy.orm import selectinload

from ..courses import hooks
from ..database import utcnow
from ..extensions import db
from ..markdown import render_markdown
from ..permissions import ADMIN, TRAINER, has_role, is_member, rule
from ..urls import public_url
from . import ranking, vocab
from .models import (
    FACET_KINDS,
    IN_REVIEW,
    PUBLISHED,
    SECTIONS,
    SUBMITTED,
    TAG,
    Practice,
    PracticeFacet,
    PracticeIndicator,
)

SORTS = ("score", "title", "country", "newest", "reviewed")
# The collection's own pages, never a practice's slug.
RESERVED_SLUGS = frozenset({"new", "mine", "review", "export", "toolbox", "resources", "glossary"})


# --- permissions -----------------------------------------------------------------------------

def is_reviewer(user) -> bool:
    """Trainers and administrators review, score and publish practices."""
    return has_role(user, TRAINER)


@rule("practice.view")
def can_view(user, practice: Practice | None) -> bool:
    if practice is None:
        return True  # the list: anyone; each row is filtered by visible()
    if practice.status == PUBLISHED:
        return True
    return is_member(user) and (practice.owner_id == user.id or is_reviewer(user))


@rule("practice.review")
def can_review(user, practice: Practice | None = None) -> bool:
    return is_reviewer(user)


@rule("practice.indicators")
def can_manage_indicators(user, _obj=None) -> bool:
    return has_role(user, ADMIN)


def visible(user) -> Select:
    """Practices ``user`` may see in lists: published ones (and, later, their own drafts)."""
    return select(Practice).where(Practice.status == PUBLISHED)


def mine(user) -> Select:
    """The member's own records, newest change first."""
    return select(Practice).where(Practice.owner_id == user.id).order_by(Practice.updated_at.desc(), Practice.id)


def review_queue() -> Select:
    """What waits for reviewers: submitted and in review, oldest first."""
    return (select(Practice).where(Practice.status.in_((SUBMITTED, IN_REVIEW)))
            .order_by(Practice.updated_at, Practice.id))


def get_by_slug(slug: str) -> Practice | None:
    return db.session.scalar(select(Practice).where(Practice.slug == slug))


# --- writing ---------------------------------------------------------------------------------------

def write(practice: Practice, columns: dict, sections: dict[str, str], facets: dict[str, list[str]]) -> None:
    """Set a record's fields: columns as given, each section's Markdown rendered once
    (``hub.markdown``), and the facet rows replaced."""
    for column, value in columns.items():
        if column != "slug":
            setattr(practice, column, value)
    terms = hooks.glossary_terms("en")  # records are written in English
    for stem in SECTIONS:
        text = sections.get(stem, "")
        setattr(practice, f"{stem}_md", text)
        setattr(practice, f"{stem}_html", str(render_markdown(text, terms=terms)) if text else "")
    practice.updated_at = utcnow()
    if practice.id is not None:  # old rows go first, or the unique key would clash
        db.session.execute(delete(PracticeFacet).where(PracticeFacet.practice_id == practice.id))
        db.session.expire(practice, ["facets"])
    practice.facets = [PracticeFacet(kind=kind, value=value, position=i)
                       for kind, values in facets.items() for i, value in enumerate(values)]


def unique_slug(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:70] or "practice"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or db.session.scalar(select(Practice.id).where(Practice.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- indicators and scores ---------------------------------------------------------------------

def weights() -> dict[str, float]:
    """Indicator -> weight, in page order; the defaults until an administrator changes them."""
    rows = db.session.scalars(select(PracticeIndicator).order_by(PracticeIndicator.position)).all()
    if not rows:
        return dict(ranking.DEFAULT_WEIGHTS)
    return {row.key: row.weight for row in rows}


def ensure_indicators() -> int:
    """Add the default indicators that are missing; returns how many were added."""
    have = set(db.session.scalars(select(PracticeIndicator.key)))
    added = 0
    for position, (key, weight) in enumerate(ranking.DEFAULT_WEIGHTS.items()):
        if key not in have:
            db.session.add(PracticeIndicator(key=key, weight=weight, position=position))
            added += 1
    return added


def set_weights(new: dict[str, float]) -> int:
    """Change indicator weights and rescore every practice; returns how many were rescored."""
    ensure_indicators()
    db.session.flush()
    for row in db.session.scalars(select(PracticeIndicator)):
        if row.key in new:
            row.weight = float(new[row.key])
    db.session.flush()
    practices = db.session.scalars(select(Practice)).all()
    for practice in practices:
        rescore(practice)
    return len(practices)


def thresholds() -> ranking.Thresholds:
    config = current_app.config
    return ranking.Thresholds(good=float(config["PRACTICE_LABEL_GOOD"]), best=float(config["PRACTICE_LABEL_BEST"]),
                              evidence_minimum=float(config["PRACTICE_EVIDENCE_MINIMUM"]))


def reviews_of(practice: Practice) -> list[dict[str, int]]:
    by_reviewer: dict[int, dict[str, int]] = {}
    for score in practice.scores:
        by_reviewer.setdefault(score.reviewer_id, {})[score.indicator] = score.score
    return list(by_reviewer.values())


def profile_of(practice: Practice) -> ranking.Profile:
    return ranking.profile(reviews_of(practice), weights(), thresholds())


def rescore(practice: Practice) -> ranking.Profile:
    """Recompute the cached total and label after scores or weights changed."""
    result = profile_of(practice)
    practice.score_percent, practice.score_label = result.percent, result.label
    return result


@dataclass
class IndicatorRow:
    key: str
    label: str
    weight: float
    mean: float | None
    justifications: list[tuple[str, int, str]] = field(default_factory=list)  # (reviewer, score, why)


def indicator_rows(practice: Practice, result: ranking.Profile) -> list[IndicatorRow]:
    """The score profile for the page: every indicator, its mean and each reviewer's reason."""
    rows = {key: IndicatorRow(key, str(vocab.INDICATOR_LABELS.get(key, key)), weight, result.means.get(key))
            for key, weight in weights().items()}
    for score in sorted(practice.scores, key=lambda s: (s.reviewer.display_name, s.id)):
        if score.indicator in rows:
            rows[score.indicator].justifications.append((score.reviewer.display_name, score.score,
                                                         score.justification))
    return list(rows.values())


# --- the list ------------------------------------------------------------------------------------

@dataclass
class Filters:
    country: str = ""
    target_group: str = ""
    zone: str = ""
    tag: str = ""
    language: str = ""
    label: str = ""
    sort: str = "score"

    @classmethod
    def from_args(cls, args) -> "Filters":
        """Unknown values are dropped, so a hand-made URL never errors."""
        def pick(key: str, allowed) -> str:
            value = (args.get(key) or "").strip()
            return value if value in allowed else ""

        def code(key: str, length: int, upper: bool) -> str:
            value = (args.get(key) or "").strip()
            value = value.upper() if upper else value.lower()
            return value if len(value) == length and value.isalpha() else ""

        tag = (args.get("tag") or "").strip().lower()
        return cls(country=code("country", 2, True), target_group=pick("target_group", vocab.TARGET_GROUPS),
                   zone=pick("zone", vocab.ZONES), tag=tag if tag.replace("-", "").isalnum() else "",
                   language=code("language", 2, False), label=pick("label", vocab.LABELS),
                   sort=pick("sort", SORTS) or "score")

    def active(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v and k != "sort"}


def _has_facet(kind: str, value: str):
    return Practice.id.in_(select(PracticeFacet.practice_id).where(PracticeFacet.kind == kind,
                                                                   PracticeFacet.value == value))


def ranked(user, filters: Filters) -> Select:
    """The visible practices matching ``filters``, in the chosen order (best scored first
    by default; unscored ones last)."""
    stmt = visible(user)
    if filters.country:
        stmt = stmt.where(Practice.country == filters.country)
    for kind, value in (("target_group", filters.target_group), ("zone", filters.zone), ("tag", filters.tag),
                        ("language", filters.language)):
        if value:
            stmt = stmt.where(_has_facet(kind, value))
    if filters.label:
        stmt = stmt.where(Practice.score_label == filters.label)
    unscored_last = Practice.score_percent.is_(None)
    orders = {
        "score": (unscored_last, Practice.score_percent.desc(), Practice.title),
        "title": (func.lower(Practice.title),),
        "country": (Practice.country, unscored_last, Practice.score_percent.desc()),
        "newest": (Practice.published_at.desc(), Practice.id.desc()),
        "reviewed": (Practice.last_reviewed.desc(), Practice.title),
    }
    return stmt.order_by(*orders[filters.sort], Practice.id).options(selectinload(Practice.facets))


def filter_choices(user) -> dict[str, list[str]]:
    """Countries, tags and languages that occur among the visible practices."""
    ids = visible(user).with_only_columns(Practice.id).scalar_subquery()
    countries = sorted(set(db.session.scalars(select(Practice.country).where(Practice.id.in_(ids)))))
    facets: dict[str, set[str]] = {kind: set() for kind in FACET_KINDS}
    for kind, value in db.session.execute(select(PracticeFacet.kind, PracticeFacet.value)
                                          .where(PracticeFacet.practice_id.in_(ids))):
        facets[kind].add(value)
    return {"country": countries, "tag": sorted(facets[TAG]), "language": sorted(facets["language"])}


def related_by_tags(practice: Practice, limit: int = 4) -> list[Practice]:
    """Other published practices sharing a target group or tag, best first."""
    values = [(f.kind, f.value) for f in practice.facets if f.kind in ("target_group", TAG)]
    if not values:
        return []
    shared = select(PracticeFacet.practice_id).where(or_(*[and_(PracticeFacet.kind == k, PracticeFacet.value == v)
                                                          for k, v in values]))
    stmt = (select(Practice).where(Practice.status == PUBLISHED, Practice.id != practice.id, Practice.id.in_(shared))
            .order_by(Practice.score_percent.is_(None), Practice.score_percent.desc(), Practice.title).limit(limit))
    return list(db.session.scalars(stmt))


# --- export ----------------------------------------------------------------------------------------

def practice_url(practice: Practice) -> str:
    return public_url("practices.practice", slug=practice.slug)


def as_record(practice: Practice, with_contact: bool = False) -> dict:
    """The template as plain data (exports, history); the contact only with consent,
    unless ``with_contact`` (the history, seen by owner and reviewers)."""
    record: dict[str, Any] = {
        "slug": practice.slug, "title": practice.title, "motto": practice.motto, "summary": practice.summary,
        "country": practice.country, "region": practice.region, "organisation": practice.organisation,
        "organisation_type": practice.organisation_type, "partners": practice.partners,
        "target_groups": practice.target_groups, "sector": practice.sector, "zones": practice.zones,
        "tags": practice.tags, "start_year": practice.start_year,
        "end_year": "ongoing" if practice.ongoing else practice.end_year, "funding": practice.funding,
        "participants_per_year": practice.participants_per_year or None, "evaluation": practice.evaluation,
        "languages": practice.languages, "source_project": practice.source_project, "sources": practice.sources,
        "links": practice.links,
        "last_reviewed": practice.last_reviewed.isoformat() if practice.last_reviewed else None,
        "score_percent": practice.score_percent, "label": practice.score_label,
    }
    record.update({stem: getattr(practice, f"{stem}_md") for stem in SECTIONS})
    shown = practice.contact_consent or with_contact
    record["contact"] = ({"name": practice.contact_name, "email": practice.contact_email}
                         if shown and (practice.contact_name or practice.contact_email) else None)
    if with_contact:
        record["contact_consent"] = practice.contact_consent
    return record


CSV_COLUMNS = ("slug", "title", "country", "region", "organisation", "organisation_type", "target_groups", "zones",
               "tags", "start_year", "end_year", "evaluation", "score_percent", "label", "summary", "sources")


def export_csv(practices: list[Practice]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for practice in practices:
        record = as_record(practice)
        row = []
        for column in CSV_COLUMNS:
            value = record[column]
            if column == "sources":
                value = " | ".join(f"{s['title']} {s.get('url', '')}".strip() for s in value)
            elif isinstance(value, list):
                value = ", ".join(value)
            row.append("" if value is None else value)
        writer.writerow(row)
    return out.getvalue()


def export_json(practices: list[Practice]) -> str:
    return json.dumps({"practices": [as_record(p) for p in practices]}, ensure_ascii=False, indent=2)
