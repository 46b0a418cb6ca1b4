"""Course logic for readers: who may see what, the catalogue, languages, outlines,
and completion rules in words. Enrolment and progress live in ``enrolment.py``,
trainers' edits in ``authoring.py``."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..i18n import pick_language
from ..permissions import ADMIN, TRAINER, has_role, is_member, rule
from . import hooks
from .models import (
    Course,
    CourseTrainer,
    CourseTranslation,
    Enrolment,
    Lesson,
    LessonProgress,
    LessonTranslation,
    Section,
    active_enrolments,
)


def is_course_trainer(user, course: Course) -> bool:
    """Administrators, and trainers named on the course. A course nobody is named on
    (the shipped ones, until someone assigns trainers) belongs to the administrators:
    learners' addresses, countries and grades are for the course's own trainers."""
    if has_role(user, ADMIN):
        return True
    if not has_role(user, TRAINER):
        return False
    return any(t.user_id == user.id for t in course.trainers)


def participants_of(course: Course) -> list[tuple]:
    """(user, enrolment) of the course's active learners, by name."""
    from ..accounts.models import User

    rows = db.session.execute(active_enrolments(User, Enrolment, course_id=course.id)
                              .join(User, User.id == Enrolment.user_id).order_by(User.display_name))
    return [(user, row) for user, row in rows]


def trained_course_ids(user) -> set[int] | None:
    """The ids of the courses ``is_course_trainer`` grants ``user``, as one query;
    None for administrators (every course)."""
    if has_role(user, ADMIN):
        return None
    if not has_role(user, TRAINER):
        return set()
    return set(db.session.scalars(select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id)))


@rule("course.view")
def can_view_course(user, course: Course) -> bool:
    """Published courses are public; unpublished ones only for their trainers."""
    if course is None or course.archived_at is not None:
        return has_role(user, ADMIN)
    return course.published or is_course_trainer(user, course)


@rule("course.author")
def can_author(user, course: Course | None) -> bool:
    """Trainers create courses and edit those they are named on; administrators all."""
    if course is None:
        return has_role(user, TRAINER)
    return is_course_trainer(user, course)


@rule("course.read")
def can_read_lessons(user, course: Course) -> bool:
    """Lessons of open courses are readable by anyone who sees the course; a course
    with a key (or closed enrolment) keeps them for its learners and trainers."""
    if not can_view_course(user, course):
        return False
    if course.enrolment_mode == "open" or is_course_trainer(user, course):
        return True
    return active_enrolment(user, course) is not None




def lesson_visible(user, lesson: Lesson) -> bool:
    if lesson.archived_at is not None:
        return False
    return lesson.published or is_course_trainer(user, lesson.course)


def active_enrolment(user, course: Course) -> Enrolment | None:
    if not is_member(user):
        return None
    return db.session.scalar(active_enrolments(user_id=user.id, course_id=course.id))


def get_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def get_lesson(course: Course, slug: str) -> Lesson | None:
    return db.session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == slug))


def trainers_of(course: Course) -> list:
    return [t.user for t in db.session.scalars(select(CourseTrainer).where(CourseTrainer.course_id == course.id))]


# -- languages ------------------------------------------------------------------------

# A course outline without lesson bodies: what catalogues, dashboards and progress need.
OUTLINE_COLUMNS = (Lesson.id, Lesson.course_id, Lesson.section_id, Lesson.slug, Lesson.title, Lesson.position,
                   Lesson.minutes, Lesson.published, Lesson.archived_at)


def live_lessons(course: Course, *, include_unpublished: bool = False) -> list[Lesson]:
    """Lessons in reading order: section by section (lessons without a section
    first), then by position."""
    order = {s.id: s.position for s in course.sections if s.archived_at is None}
    lessons = [lesson for lesson in course.lessons if lesson.archived_at is None
               and (include_unpublished or lesson.published)]
    return sorted(lessons, key=lambda lesson: (order.get(lesson.section_id, -1) if lesson.section_id else -1,
                                               lesson.position, lesson.id or 0))


def available_languages(course: Course) -> list[str]:
    """The course language plus every language all its published lessons are
    translated into."""
    lessons = live_lessons(course)
    extra: set[str] = set()
    if lessons:
        extra = set.intersection(*({t.language for t in lesson.translations} for lesson in lessons))
    extra.discard(course.language)
    return [course.language] + sorted(extra)


def lesson_languages(lesson: Lesson) -> list[str]:
    return [lesson.course.language] + sorted(t.language for t in lesson.translations
                                             if t.language != lesson.course.language)


@dataclass
class LessonText:
    language: str
    title: str
    minutes: int
    body_html: str
    reviewed: date | None = None


def lesson_text(lesson: Lesson, preferred: str | None, ui_locale: str) -> LessonText:
    """The lesson in ``preferred`` (``?lang=``) if it exists, else in the reader's
    UI language, else in the course language."""
    lang, tr = _reading_language(lesson, preferred, ui_locale)
    if tr is not None:
        return LessonText(lang, tr.title, tr.minutes or lesson.minutes, tr.body_html, tr.reviewed_on)
    return LessonText(lang, lesson.title, lesson.minutes, lesson.body_html, lesson.reviewed_on)


def lesson_heading(lesson: Lesson, ui_locale: str) -> tuple[str, int]:
    """(title, minutes) as ``lesson_text`` would give them, without reading the body:
    what outlines and indexes show."""
    _lang, tr = _reading_language(lesson, None, ui_locale)
    return (tr.title, tr.minutes or lesson.minutes) if tr is not None else (lesson.title, lesson.minutes)


def _reading_language(lesson: Lesson, preferred: str | None, ui_locale: str):
    """The language to read ``lesson`` in, and its translation (None: the original)."""
    languages = lesson_languages(lesson)
    lang = preferred if preferred in languages else pick_language(languages, ui_locale, lesson.course.language)
    assert lang is not None  # languages always holds the course language
    if lang == lesson.course.language:
        return lang, None
    return lang, next(t for t in lesson.translations if t.language == lang)


def course_translation(course: Course, language: str) -> CourseTranslation | None:
    """The course's translation into ``language`` (None for the course's own language)."""
    if language == course.language:
        return None
    return next((t for t in course.translations if t.language == language), None)


def section_title(section: Section, language: str) -> str:
    """The section's title in ``language`` when the course translation names it."""
    tr = course_translation(section.course, language)
    return (tr and (tr.section_titles or {}).get(section.slug)) or section.title


def title_in(course: Course, language: str | None = None) -> str:
    """The course's title in ``language`` (default: the reader's), wherever a course
    is named: breadcrumbs, messages, reports, certificates (the ``course_title`` filter)."""
    from flask_babel import get_locale
    return course_text(course, language or str(get_locale() or course.language))["title"]


def course_text(course: Course, ui_locale: str) -> dict:
    """Title, summary and description in the reader's language when translated."""
    tr = course_translation(course, ui_locale)
    if tr is None:
        return {"language": course.language, "title": course.title, "summary": course.summary,
                "description_html": course.description_html}
    return {"language": tr.language, "title": tr.title, "summary": tr.summary or course.summary,
            "description_html": tr.description_html or course.description_html}


# -- catalogue ------------------------------------------------------------------------

def languages_by_course(courses: list[Course]) -> dict[int, list[str]]:
    """``available_languages`` of many courses in one query, without loading a single
    translation: a language counts where every live lesson of the course has it."""
    live = {c.id: len(live_lessons(c)) for c in courses}
    found: dict[int, set[str]] = {c.id: set() for c in courses}
    if any(live.values()):
        rows = db.session.execute(
            select(Lesson.course_id, LessonTranslation.language, func.count(func.distinct(Lesson.id)))
            .join(Lesson, Lesson.id == LessonTranslation.lesson_id)
            .where(Lesson.course_id.in_(list(live)), Lesson.archived_at.is_(None), Lesson.published.is_(True))
            .group_by(Lesson.course_id, LessonTranslation.language))
        for course_id, language, translated in rows:
            if live[course_id] and translated == live[course_id]:
                found[course_id].add(language)
    return {c.id: [c.language] + sorted(found[c.id] - {c.language}) for c in courses}


# -- outline --------------------------------------------------------------------------

@dataclass
class OutlineSection:
    section: Section | None
    title: str
    items: list[hooks.OutlineItem] = field(default_factory=list)


def progress_by_lesson(user, course: Course) -> dict[int, LessonProgress]:
    if not is_member(user):
        return {}
    rows = db.session.scalars(select(LessonProgress).join(Lesson, Lesson.id == LessonProgress.lesson_id)
                              .where(LessonProgress.user_id == user.id, Lesson.course_id == course.id))
    return {row.lesson_id: row for row in rows}


def load_outline(course: Course) -> None:
    """The course's lessons and their translations without a single body, in two
    queries, so an outline of 50 lessons costs what one of 5 does."""
    lessons = db.session.scalars(select(Lesson).where(Lesson.course_id == course.id).options(
        load_only(*OUTLINE_COLUMNS),
        selectinload(Lesson.translations).load_only(LessonTranslation.id, LessonTranslation.lesson_id,
                                                    LessonTranslation.language, LessonTranslation.title,
                                                    LessonTranslation.minutes))).all()
    if "lessons" in inspect(course).unloaded:  # the relationship's own order
        set_committed_value(course, "lessons", sorted(lessons, key=lambda lesson: lesson.position))


def outline(course: Course, user, ui_locale: str, enrolment: Enrolment | None = None) -> list[OutlineSection]:
    """Sections with their lessons and the items other features add (quizzes...)."""
    load_outline(course)
    author = is_course_trainer(user, course)
    progress = progress_by_lesson(user, course) if enrolment is not None else {}
    required = (course.completion_rules or {}).get("lessons", "all") == "all"
    items: list[hooks.OutlineItem] = []
    for lesson in live_lessons(course, include_unpublished=author):
        title, minutes = lesson_heading(lesson, ui_locale)
        row = progress.get(lesson.id)
        done = (row is not None and row.completed_at is not None) if enrolment is not None else None
        items.append(hooks.OutlineItem(
            kind="lesson", section_id=lesson.section_id, position=lesson.position, title=title,
            url=url_for("courses.lesson", slug=course.slug, lesson_slug=lesson.slug), done=done,
            required=required and lesson.published,
            detail=ngettext("%(num)d minute", "%(num)d minutes", minutes), obj=lesson))
    for provider in hooks.outline_providers:
        items.extend(provider(course, user) or [])
    sections = [OutlineSection(None, "")]
    sections += [OutlineSection(s, section_title(s, ui_locale))
                 for s in sorted(course.sections, key=lambda s: s.position)
                 if s.archived_at is None]
    by_id: dict[int | None, OutlineSection] = {s.section.id: s for s in sections if s.section is not None}
    for item in sorted(items, key=lambda i: (i.position, i.kind != "lesson")):
        by_id.get(item.section_id, sections[0]).items.append(item)
    return [s for s in sections if s.items or s.section is not None]


def completion_rules_in_words(course: Course, outline_sections: list[OutlineSection] | None = None) -> list[str]:
    rules = course.completion_rules or {}
    words: list[str] = []
    quiz_titles: dict[str, str] = {}
    for section in outline_sections or []:
        for item in section.items:
            slug = getattr(item.obj, "slug", None)
            if item.kind == "quiz" and slug:
                quiz_titles[slug] = item.title
    for slug in course.prerequisite_slugs or []:
        other = get_by_slug(slug)
        words.append(_("Complete the course “%(title)s” first.", title=other.title if other else slug))
    if rules.get("lessons", "all") == "all" and live_lessons(course):
        words.append(_("Mark every lesson as complete."))
    for slug in rules.get("quizzes") or []:
        words.append(_("Pass the quiz “%(title)s”.", title=quiz_titles.get(slug, slug)))
    posts = int(rules.get("forum_posts") or 0)
    if posts:
        words.append(ngettext("Write at least %(num)d post in the course forum.",
                              "Write at least %(num)d posts in the course forum.", posts))
    if not words:
        words.append(_("This course has no completion requirements: learn at your own pace."))
    certificate = {
        "auto": _("A certificate is issued automatically when you complete the course."),
        "manual": _("An administrator issues the certificate after you complete the course."),
        "none": _("This course has no certificate."),
    }.get(course.certificate_mode)
    if certificate:
        words.append(certificate)
    return words


def neighbours(course: Course, lesson: Lesson, user) -> tuple[Lesson | None, Lesson | None]:
    lessons = live_lessons(course, include_unpublished=is_course_trainer(user, course))
    ids = [x.id for x in lessons]
    if lesson.id not in ids:
        return None, None
    i = ids.index(lesson.id)
    return (lessons[i - 1] if i > 0 else None), (lessons[i + 1] if i + 1 < len(lessons) else None)
