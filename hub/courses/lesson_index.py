"""The course index shown beside a lesson: sections, lessons with the reader's done
marks, the quizzes, the current lesson, and the previous and next lessons.

It is read with two narrow queries whatever the size of the course (lesson columns
with the reader's translated title and progress joined in; the sections), never
the lesson bodies, plus what the outline providers (quizzes) ask for themselves."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import and_, select

from ..extensions import db
from . import hooks
from .models import Course, Lesson, LessonProgress, LessonTranslation, Section
from .services import course_translation


@dataclass
class IndexEntry:
    kind: str  # "lesson", "quiz", ...
    title: str
    url: str
    done: bool | None = None  # None: no progress is recorded for this reader
    current: bool = False
    published: bool = True


@dataclass
class IndexSection:
    title: str  # "" for lessons outside any section
    entries: list[IndexEntry] = field(default_factory=list)


@dataclass
class LessonIndex:
    sections: list[IndexSection]
    previous: IndexEntry | None
    following: IndexEntry | None
    lessons_done: int
    lesson_count: int
    tracked: bool  # the reader is enrolled: done marks mean something


def _lesson_rows(course: Course, language: str, user_id: int | None, include_unpublished: bool):
    """One row per live lesson: only the columns the index shows."""
    columns = [Lesson.id, Lesson.slug, Lesson.title, Lesson.section_id, Lesson.position, Lesson.published,
               LessonTranslation.title.label("translated_title")]
    stmt = select(*columns).outerjoin(LessonTranslation, and_(LessonTranslation.lesson_id == Lesson.id,
                                                              LessonTranslation.language == language))
    if user_id is not None:
        stmt = stmt.add_columns(LessonProgress.completed_at).outerjoin(
            LessonProgress, and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == user_id))
    stmt = stmt.where(Lesson.course_id == course.id, Lesson.archived_at.is_(None))
    if not include_unpublished:
        stmt = stmt.where(Lesson.published.is_(True))
    return db.session.execute(stmt).all()


def lesson_index(course: Course, current: Lesson, user, *, language: str, lang_arg: str | None,
                 tracked_user_id: int | None, include_unpublished: bool) -> LessonIndex:
    """The index of ``course`` as ``user`` reads ``current`` in ``language``.
    ``tracked_user_id`` is the enrolled reader whose done marks are shown (None when
    not enrolled); ``lang_arg`` is kept on lesson links so a chosen language follows."""
    sections = db.session.execute(
        select(Section.id, Section.slug, Section.title, Section.position)
        .where(Section.course_id == course.id, Section.archived_at.is_(None))).all()
    translation = course_translation(course, language)
    names = (translation.section_titles or {}) if translation is not None else {}
    order = {s.id: s.position for s in sections}
    rows = sorted(_lesson_rows(course, language, tracked_user_id, include_unpublished),
                  key=lambda r: (order.get(r.section_id, -1) if r.section_id else -1, r.position, r.id))
    groups: dict[int | None, IndexSection] = {None: IndexSection("")}
    for s in sorted(sections, key=lambda s: (s.position, s.id)):
        groups[s.id] = IndexSection(names.get(s.slug) or s.title)

    lessons: list[IndexEntry] = []
    for row in rows:
        done = (row.completed_at is not None) if tracked_user_id is not None else None
        entry = IndexEntry("lesson", row.translated_title or row.title,
                           url_for("courses.lesson", slug=course.slug, lesson_slug=row.slug, lang=lang_arg),
                           done=done, current=row.id == current.id, published=row.published)
        lessons.append(entry)
        groups.get(row.section_id, groups[None]).entries.append(entry)
    for provider in hooks.outline_providers:
        for item in sorted(provider(course, user) or [], key=lambda i: i.position):
            published = getattr(item.obj, "published", True)
            groups.get(item.section_id, groups[None]).entries.append(
                IndexEntry(item.kind, item.title, item.url, done=item.done, published=published))

    at = next((i for i, e in enumerate(lessons) if e.current), None)
    previous = lessons[at - 1] if at is not None and at > 0 else None
    following = lessons[at + 1] if at is not None and at + 1 < len(lessons) else None
    return LessonIndex(sections=[g for g in groups.values() if g.entries], previous=previous, following=following,
                       lessons_done=sum(1 for e in lessons if e.done), lesson_count=len(lessons),
                       tracked=tracked_user_id is not None)
