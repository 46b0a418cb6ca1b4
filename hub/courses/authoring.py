"""Trainers' edits in the browser: courses, sections and lessons. Markdown is
rendered (and sanitised) once here, when saved. Callers commit."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from .. import signals
from ..database import utcnow
from ..extensions import db
from ..markdown import render_markdown
from . import hooks
from .content import media_base
from .content_parse import SLUG, reading_minutes
from .models import Course, CourseTrainer, Lesson, Section
from .services import live_lessons


class AuthoringError(ValueError):
    """An edit that cannot be saved; the message is for the trainer."""


def slugify(text: str, max_length: int = 80) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].strip("-") or "untitled"


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = slug[:80 - len(suffix)] + suffix, n + 1
    return candidate


def preview(text: str, course: Course | None = None) -> Markup:
    """Sanitised HTML of ``text`` as learners will see it (``images/`` links resolved,
    glossary terms of the course's language linked)."""
    return render_markdown(text or "", media_base=media_base(course.slug) if course else None,
                           terms=hooks.glossary_terms(course.language if course else "en"))


# -- courses --------------------------------------------------------------------------

COURSE_FIELDS = ("title", "summary", "kind", "zone", "language", "position", "estimated_hours", "enrolment_mode",
                 "enrolment_key", "enrol_opens", "enrol_closes", "capacity", "certificate_mode")


def create_course(user, slug: str | None, **values) -> Course:
    slug = (slug or "").strip() or slugify(values.get("title", ""))
    if not SLUG.match(slug):
        raise AuthoringError(_("Use only lower-case letters, digits and single hyphens."))
    if db.session.scalar(select(Course.id).where(Course.slug == slug)) is not None:
        raise AuthoringError(_("Another course already uses this short name."))
    course = Course(slug=slug, published=False, completion_rules={"lessons": "all", "quizzes": [], "forum_posts": 0},
                    prerequisite_slugs=[])
    db.session.add(course)
    update_course(course, **values)
    db.session.add(CourseTrainer(course=course, user_id=user.id))
    db.session.flush()
    return course


def update_course(course: Course, *, description_md: str = "", completion: dict | None = None,
                  prerequisites: list[str] | None = None, **values) -> Course:
    for name in COURSE_FIELDS:
        if name in values:
            setattr(course, name, values[name])
    if course.kind == "guideline":
        course.zone = None
    course.description_md = description_md or ""
    course.description_html = str(preview(course.description_md, course))
    if completion is not None or prerequisites is not None:
        before = (dict(course.completion_rules or {}), list(course.prerequisite_slugs or []))
        if completion is not None:
            course.completion_rules = {"lessons": completion.get("lessons", "all"),
                                       "quizzes": list(completion.get("quizzes") or []),
                                       "forum_posts": int(completion.get("forum_posts") or 0)}
        if prerequisites is not None:
            if course.slug in prerequisites:
                raise AuthoringError(_("A course cannot be its own prerequisite."))
            course.prerequisite_slugs = list(prerequisites)
        if course.id is not None and before != (course.completion_rules, course.prerequisite_slugs):
            db.session.flush()
            signals.completion_rules_changed.send(signals.app(), course=course)
    return course


def set_course_published(course: Course, published: bool) -> None:
    course.published = published


# -- sections -------------------------------------------------------------------------

def live_sections(course: Course) -> list[Section]:
    return [s for s in sorted(course.sections, key=lambda s: s.position) if s.archived_at is None]


def add_section(course: Course, title: str) -> Section:
    taken = {s.slug for s in course.sections}
    section = Section(course=course, slug=_unique(slugify(title), taken), title=title.strip(),
                      position=max([s.position for s in course.sections] + [-1]) + 1)
    db.session.add(section)
    db.session.flush()
    return section


def rename_section(section: Section, title: str) -> None:
    section.title = title.strip()


def remove_section(section: Section) -> None:
    """Archive the section; its lessons stay, without a section."""
    for lesson in list(section.lessons):
        lesson.section = None
    section.archived_at = utcnow()


def move_section(section: Section, direction: int) -> None:
    sections = live_sections(section.course)
    _swap(sections, sections.index(section), direction)
    for position, item in enumerate(sections):
        item.position = position


def _swap(items: list, index: int, direction: int) -> bool:
    other = index + (1 if direction > 0 else -1)
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    return True


# -- lessons --------------------------------------------------------------------------

def _apply_lesson(lesson: Lesson, *, title: str, body_md: str, section: Section | None, minutes: int | None,
                  published: bool, reviewed: date | None = None) -> None:
    lesson.title = title.strip()
    lesson.body_md = body_md or ""
    lesson.body_html = str(preview(lesson.body_md, lesson.course))
    lesson.section = section
    lesson.minutes = minutes or reading_minutes(lesson.body_md)
    lesson.published = published
    lesson.reviewed_on = reviewed


def add_lesson(course: Course, *, slug: str | None = None, **values) -> Lesson:
    taken = {lesson.slug for lesson in course.lessons}
    slug = (slug or "").strip()
    if slug:
        if not SLUG.match(slug):
            raise AuthoringError(_("Use only lower-case letters, digits and single hyphens."))
        if slug in taken:
            raise AuthoringError(_("Another lesson of this course already uses this short name."))
    else:
        slug = _unique(slugify(values.get("title", "")), taken)
    lesson = Lesson(course=course, slug=slug, position=max([x.position for x in course.lessons] + [-1]) + 1)
    db.session.add(lesson)
    _apply_lesson(lesson, **values)
    db.session.flush()
    return lesson


def update_lesson(lesson: Lesson, **values) -> None:
    _apply_lesson(lesson, **values)


def move_lesson(lesson: Lesson, direction: int) -> None:
    """Swap with the neighbour in the same section, then renumber the course."""
    course = lesson.course
    ordered = live_lessons(course, include_unpublished=True)
    siblings = [x for x in ordered if x.section_id == lesson.section_id]
    index = siblings.index(lesson)
    if _swap(siblings, index, direction):
        groups: dict = {}
        for item in ordered:
            groups.setdefault(item.section_id, []).append(item)
        groups[lesson.section_id] = siblings
        position = 0
        for item in [x for group in groups.values() for x in group]:
            item.position = position
            position += 1


def set_lesson_published(lesson: Lesson, published: bool) -> None:
    lesson.published = published


def archive_lesson(lesson: Lesson) -> None:
    """Hide the lesson for good but keep learners' progress on it."""
    lesson.archived_at = utcnow()


def restore_lesson(lesson: Lesson) -> None:
    lesson.archived_at = None
    lesson.position = max([x.position for x in lesson.course.lessons] + [-1]) + 1


def add_trainer(course: Course, user) -> None:
    if not any(t.user_id == user.id for t in course.trainers):
        db.session.add(CourseTrainer(course=course, user_id=user.id))
        db.session.flush()
        db.session.expire(course, ["trainers"])


def add_trainer_by_email(course: Course, email: str):
    """Name the member with ``email`` a trainer of ``course``; they must hold the
    trainer role (an administrator gives it under Administration → Members)."""
    from ..accounts.models import User
    from ..permissions import TRAINER, has_role

    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower(),
                                                User.deleted_at.is_(None)))
    if user is None or not has_role(user, TRAINER):
        raise AuthoringError(_("No trainer has this email address. Only members with the trainer role can "
                               "train a course."))
    if any(t.user_id == user.id for t in course.trainers):
        raise AuthoringError(_("%(name)s already trains this course.", name=user.display_name))
    add_trainer(course, user)
    return user


def remove_trainer(course: Course, user_id: int) -> None:
    """Remove a trainer; a course left without trainers belongs to the administrators."""
    for trainer in list(course.trainers):
        if trainer.user_id == user_id:
            db.session.delete(trainer)
    db.session.flush()
    db.session.expire(course, ["trainers"])
