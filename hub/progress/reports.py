"""Trainer and administrator reports: the learners × items matrix, the completion
funnel, completions over time and the site overview.

Everything is loaded in bulk: a report costs the same handful of queries for ten
learners or ten thousand (no query per learner)."""
from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Callable

from sqlalchemy import func, or_, select

from ..accounts.models import User
from ..courses.models import ENROLMENT_ACTIVE, Course, Enrolment, LessonProgress
from ..database import utcnow
from ..extensions import db
from .rules import started
from .services import CourseProgress, learners_progress, requirements

if TYPE_CHECKING:
    from ..certificates.models import Certificate

SORT_KEYS = ("name", "country", "organisation", "profession", "enrolled", "percent", "completed")
FILTER_KEYS = ("country", "organisation", "profession")


@dataclass
class ReportQuery:
    country: str = ""
    organisation: str = ""
    profession: str = ""
    sort: str = "name"
    descending: bool = False

    @classmethod
    def from_args(cls, args) -> "ReportQuery":
        sort = args.get("sort", "name")
        return cls(country=args.get("country", "").strip()[:2].upper(),
                   organisation=args.get("organisation", "").strip()[:200],
                   profession=args.get("profession", "").strip()[:40],
                   sort=sort if sort in SORT_KEYS else "name",
                   descending=args.get("dir") == "desc")

    def args(self, **override) -> dict:
        values = {"country": self.country, "organisation": self.organisation, "profession": self.profession,
                  "sort": self.sort, "dir": "desc" if self.descending else "asc"}
        values.update(override)
        return {k: v for k, v in values.items() if v}


@dataclass
class ReportRow:
    user: User
    enrolment: Enrolment
    progress: CourseProgress
    certificate: Certificate | None = None


def _learners(course: Course, query: ReportQuery):
    stmt = (select(Enrolment, User).join(User, User.id == Enrolment.user_id)
            .where(Enrolment.course_id == course.id, User.deleted_at.is_(None),
                   or_(Enrolment.status == ENROLMENT_ACTIVE, Enrolment.completed_at.is_not(None))))
    if query.country:
        stmt = stmt.where(User.country == query.country)
    if query.organisation:
        stmt = stmt.where(User.organisation == query.organisation)
    if query.profession:
        stmt = stmt.where(User.profession == query.profession)
    return db.session.execute(stmt).all()


def _sort_key(sort: str):
    far_future = date.max.isoformat()
    keys = {
        "name": lambda r: r.user.display_name.casefold(),
        "country": lambda r: (r.user.country, r.user.display_name.casefold()),
        "organisation": lambda r: (r.user.organisation.casefold(), r.user.display_name.casefold()),
        "profession": lambda r: (r.user.profession, r.user.display_name.casefold()),
        "enrolled": lambda r: r.enrolment.enrolled_at.isoformat(),
        "percent": lambda r: (r.progress.percent, r.user.display_name.casefold()),
        "completed": lambda r: r.enrolment.completed_at.isoformat() if r.enrolment.completed_at else far_future,
    }
    return keys[sort]


def course_report(course: Course, query: ReportQuery) -> tuple[list, list[ReportRow]]:
    """(requirements, rows) for every learner matching the filters, sorted."""
    reqs = requirements(course)
    pairs = _learners(course, query)
    enrolments = [e for e, _ in pairs]
    progress = learners_progress(course, enrolments) if enrolments else {}
    rows = [ReportRow(user, enrolment, progress[user.id]) for enrolment, user in pairs]
    rows.sort(key=_sort_key(query.sort), reverse=query.descending)
    return reqs, rows


def attach_certificates(course: Course, rows: list[ReportRow]) -> None:
    from ..certificates.services import live_certificates_by_user
    certs = live_certificates_by_user(course.id, [r.user.id for r in rows])
    for row in rows:
        row.certificate = certs.get(row.user.id)


def filter_choices(course: Course) -> dict[str, list[str]]:
    """Distinct countries, organisations and professions among the course's learners."""
    choices = {}
    for key in FILTER_KEYS:
        column = getattr(User, key)
        stmt = (select(column).distinct().join(Enrolment, Enrolment.user_id == User.id)
                .where(Enrolment.course_id == course.id, column != "").order_by(column))
        choices[key] = list(db.session.scalars(stmt))
    return choices


class ListPage:
    """The slice of a list shown on one page; quacks like Flask-SQLAlchemy's
    Pagination so the shared ``pager()`` macro works."""

    def __init__(self, items: list, page: int, per_page: int):
        self.total = len(items)
        self.per_page = per_page
        self.pages = max(1, math.ceil(self.total / per_page))
        self.page = page
        self.items = items[(page - 1) * per_page: page * per_page]
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num, self.next_num = page - 1, page + 1


def csv_text(course: Course, reqs, rows: list[ReportRow], labels: dict[str, str],
             country_name: Callable[[str], str] = str, profession_name: Callable[[str], str] = str) -> str:
    """The matrix as CSV (UTF-8 with BOM for spreadsheet programs). Cells that a
    spreadsheet would run as formulas are neutralised. Countries and professions are
    written as the page shows them (names in the reader's language), not as codes."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    header = [labels["name"], labels["email"], labels["country"], labels["organisation"], labels["profession"],
              labels["enrolled"], labels["percent"], labels["completed"], labels["certificate"]]
    header += [req.title for req in reqs]
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        cells = [row.user.display_name, row.user.email,
                 country_name(row.user.country) if row.user.country else "", row.user.organisation,
                 profession_name(row.user.profession) if row.user.profession else "",
                 row.enrolment.enrolled_at.date().isoformat(), row.progress.percent,
                 row.enrolment.completed_at.date().isoformat() if row.enrolment.completed_at else "",
                 row.certificate.code if row.certificate else ""]
        for item in row.progress.items:
            if item.kind == "quiz":
                cells.append("" if item.grade is None else f"{item.grade:g}")
            elif item.kind == "forum":
                cells.append(item.count)
            else:
                cells.append(item.done_at.date().isoformat() if item.done_at else "")
        writer.writerow([_cell(c) for c in cells])
    return out.getvalue()


def _cell(value):
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


# --- charts' data -------------------------------------------------------------------

def funnel(course: Course, rows: list[ReportRow] | None = None) -> dict[str, int]:
    """Enrolled → started → half done → completed, over all the course's learners."""
    if rows is None:
        _, rows = course_report(course, ReportQuery())
    counts = {"enrolled": len(rows), "started": 0, "half": 0, "completed": 0}
    for row in rows:
        done = row.enrolment.completed_at is not None
        counts["started"] += done or started(row.progress.facts)
        counts["half"] += done or row.progress.percent >= 50
        counts["completed"] += done
    return counts


def completions_by_month(course: Course | None, months: int = 12, today: date | None = None) -> list[tuple[date, int]]:
    """[(first day of month, completions)] for the last ``months`` months, oldest first."""
    today = today or utcnow().date()
    firsts = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    firsts.reverse()
    since = firsts[0]
    stmt = select(Enrolment.completed_at).where(Enrolment.completed_at.is_not(None))
    if course is not None:
        stmt = stmt.where(Enrolment.course_id == course.id)
    counts: Counter[date] = Counter()
    for completed_at in db.session.scalars(stmt):
        assert completed_at is not None  # the query skips NULLs
        day = completed_at.date()
        if day >= since:
            counts[date(day.year, day.month, 1)] += 1
    return [(first, counts.get(first, 0)) for first in firsts]


# --- site overview ---------------------------------------------------------------------

def site_overview(days: int = 30) -> dict:
    """Active learners (learning activity in the last ``days``), enrolments and
    completions per course and per country."""
    since = utcnow() - timedelta(days=days)
    active = set(db.session.scalars(select(LessonProgress.user_id).where(
        or_(LessonProgress.first_viewed_at >= since, LessonProgress.completed_at >= since)).distinct()))
    active |= set(db.session.scalars(select(Enrolment.user_id).where(
        or_(Enrolment.enrolled_at >= since, Enrolment.completed_at >= since)).distinct()))
    enrolled_filter = or_(Enrolment.status == ENROLMENT_ACTIVE, Enrolment.completed_at.is_not(None))
    completed = func.count(Enrolment.completed_at)
    per_course = db.session.execute(
        select(Course, func.count(Enrolment.id), completed)
        .join(Enrolment, Enrolment.course_id == Course.id).where(enrolled_filter)
        .group_by(Course.id).order_by(func.count(Enrolment.id).desc(), Course.title)).all()
    per_country = db.session.execute(
        select(User.country, func.count(Enrolment.id), completed, func.count(func.distinct(User.id)))
        .join(Enrolment, Enrolment.user_id == User.id).where(enrolled_filter, User.deleted_at.is_(None))
        .group_by(User.country).order_by(func.count(Enrolment.id).desc(), User.country)).all()
    totals = db.session.execute(select(func.count(Enrolment.id), completed).where(enrolled_filter)).one()
    return {
        "days": days,
        "active_learners": len(active),
        "members": db.session.scalar(select(func.count(User.id)).where(User.deleted_at.is_(None))),
        "enrolments": totals[0],
        "completions": totals[1],
        "per_course": [{"course": c, "enrolments": n, "completions": done} for c, n, done in per_course],
        "per_country": [{"country": country or "", "enrolments": n, "completions": done, "learners": people}
                        for country, n, done, people in per_country],
    }
