"""The course catalogue as queries: which courses a reader may see, filtered by type,
zone and language and cut into pages by the database, so a site with 200 courses
renders one page of cards as fast as a site with ten (docs/performance.md).

A course is *available in* a language when it is written in it, or when every live
lesson (published, not archived) has a translation in it."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..i18n import LANGUAGE_NAMES
from ..pagination import paginate
from ..permissions import ADMIN, TRAINER, has_role
from .models import KINDS, Course, CourseTrainer, Lesson, LessonTranslation
from .services import OUTLINE_COLUMNS


@dataclass(frozen=True)
class Filters:
    language: str | None = None
    kind: str | None = None
    zone: int | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        """The filters of the catalogue's address; anything unknown is ignored."""
        language = args.get("lang") or None
        kind = args.get("kind") or None
        zone = args.get("zone") or ""
        return cls(language=language if language in LANGUAGE_NAMES else None,
                   kind=kind if kind in KINDS else None,
                   zone=int(zone) if zone.isdigit() and len(zone) < 3 else None)

    def __bool__(self) -> bool:
        return bool(self.language or self.kind or self.zone is not None)

    def as_args(self) -> dict:
        return {k: v for k, v in {"lang": self.language, "kind": self.kind, "zone": self.zone}.items()
                if v is not None}


def visible(user) -> Select:
    """Courses ``user`` may see (``services.can_view_course`` as a query): published
    ones, and the unpublished ones they are a named trainer of; all for administrators."""
    stmt = select(Course).where(Course.archived_at.is_(None))
    if has_role(user, ADMIN):
        return stmt
    if has_role(user, TRAINER):
        named = select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id)
        return stmt.where(or_(Course.published.is_(True), Course.id.in_(named)))
    return stmt.where(Course.published.is_(True))


def _translated_everywhere():
    """(course_id, language) where every live lesson of the course has that language."""
    live = (select(Lesson.course_id, func.count(Lesson.id).label("lessons"))
            .where(Lesson.archived_at.is_(None), Lesson.published.is_(True))
            .group_by(Lesson.course_id).subquery())
    translated = (select(Lesson.course_id, LessonTranslation.language,
                         func.count(func.distinct(Lesson.id)).label("lessons"))
                  .join(Lesson, Lesson.id == LessonTranslation.lesson_id)
                  .where(Lesson.archived_at.is_(None), Lesson.published.is_(True))
                  .group_by(Lesson.course_id, LessonTranslation.language).subquery())
    return (select(translated.c.course_id, translated.c.language)
            .join(live, live.c.course_id == translated.c.course_id)
            .where(translated.c.lessons == live.c.lessons))


def filtered(user, filters: Filters) -> Select:
    stmt = visible(user)
    if filters.kind:
        stmt = stmt.where(Course.kind == filters.kind)
    if filters.zone is not None:
        stmt = stmt.where(Course.kind == "zone", Course.zone == filters.zone)
    if filters.language:
        complete = _translated_everywhere().subquery()
        translated = select(complete.c.course_id).where(complete.c.language == filters.language)
        stmt = stmt.where(or_(Course.language == filters.language, Course.id.in_(translated)))
    return stmt


def _cards(stmt: Select) -> Select:
    """In the catalogue's order, with what a course card shows (never lesson bodies)."""
    return (stmt.order_by(Course.position, Course.title, Course.id)
            .options(selectinload(Course.lessons).load_only(*OUTLINE_COLUMNS), selectinload(Course.sections),
                     selectinload(Course.trainers), selectinload(Course.translations)))


def page_of(user, filters: Filters, per_page: int, page: int | None = None):
    """One page of the catalogue."""
    return paginate(_cards(filtered(user, filters)), per_page=per_page, page=page)


def first(user, count: int) -> list[Course]:
    """The first ``count`` courses of the catalogue (the home page's cards)."""
    return list(db.session.scalars(_cards(visible(user)).limit(count)))


def zones(user) -> list[int]:
    return list(db.session.scalars(visible(user).with_only_columns(Course.zone).distinct()
                                   .where(Course.kind == "zone", Course.zone.is_not(None)).order_by(Course.zone)))


def languages(user) -> list[str]:
    """Every language some course the reader may see is available in (the filter's choices)."""
    visible_ids = select(visible(user).with_only_columns(Course.id).subquery().c.id)
    own = select(Course.language).where(Course.id.in_(visible_ids))
    complete = _translated_everywhere().subquery()
    translated = select(complete.c.language).where(complete.c.course_id.in_(visible_ids))
    return sorted(set(db.session.scalars(own.union(translated))))
