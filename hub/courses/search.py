"""What search indexes of courses: published courses (and their translations) for
everyone; lessons of published courses, for everyone when enrolment is open and for
the course's learners and trainers otherwise (``course.read``). Unpublished and
archived courses and lessons are never indexed."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..markdown import plain_text
from ..permissions import is_member
from ..search.registry import (
    Access,
    Source,
    register_access,
    register_course_titles,
    register_doc_type,
    register_source,
    watch,
)
from .models import Course, CourseTranslation, Enrolment, Lesson, LessonTranslation, active_enrolments
from .services import course_text, trained_course_ids

LESSON_SCOPE = "course-lessons:"  # + course id: lessons only the course's people may read


def _shown(stmt):
    return stmt.where(Course.published.is_(True), Course.archived_at.is_(None))


def lesson_scope(course: Course) -> str:
    return "public" if course.enrolment_mode == "open" else f"{LESSON_SCOPE}{course.id}"


def course_documents(ids: list[int]):
    courses = db.session.scalars(_shown(select(Course).where(Course.id.in_(ids)))
                                 .options(selectinload(Course.translations)))
    for course in courses:
        base = dict(entity=f"course:{course.id}", doc_type="course", course=course.slug, scope="public",
                    date=course.updated_at, endpoint="courses.course")
        yield dict(base, key=f"course:{course.id}", language=course.language, title=course.title,
                   body=f"{course.summary}\n{plain_text(course.description_html)}", url_args={"slug": course.slug})
        for tr in course.translations:
            yield dict(base, key=f"course:{course.id}:{tr.language}", language=tr.language, title=tr.title,
                       body=f"{tr.summary}\n{plain_text(tr.description_html)}",
                       url_args={"slug": course.slug, "lang": tr.language})


def lesson_documents(ids: list[int]):
    lessons = db.session.scalars(
        _shown(select(Lesson).join(Course, Lesson.course_id == Course.id))
        .where(Lesson.id.in_(ids), Lesson.published.is_(True), Lesson.archived_at.is_(None))
        .options(selectinload(Lesson.translations), selectinload(Lesson.course)))
    for lesson in lessons:
        course = lesson.course
        base = dict(entity=f"lesson:{lesson.id}", doc_type="lesson", course=course.slug,
                    scope=lesson_scope(course), date=lesson.updated_at, endpoint="courses.lesson")
        args = {"slug": course.slug, "lesson_slug": lesson.slug}
        yield dict(base, key=f"lesson:{lesson.id}", language=course.language, title=lesson.title,
                   body=plain_text(lesson.body_html), url_args=args)
        for tr in lesson.translations:
            yield dict(base, key=f"lesson:{lesson.id}:{tr.language}", language=tr.language, title=tr.title,
                       body=plain_text(tr.body_html), url_args=dict(args, lang=tr.language))


def course_ids():
    return db.session.scalars(_shown(select(Course.id)))


def lesson_ids():
    return db.session.scalars(_shown(select(Lesson.id).join(Course, Lesson.course_id == Course.id))
                              .where(Lesson.published.is_(True), Lesson.archived_at.is_(None)))


def course_dependents(ids: list[int]) -> dict[str, list[int]]:
    """A course's visibility and enrolment mode decide its lessons' documents."""
    return {"lesson": list(db.session.scalars(select(Lesson.id).where(Lesson.course_id.in_(ids))))}


def access(user) -> Access:
    """Lessons of courses with a key or closed enrolment: learners and trainers."""
    from ..search.query import prefix, term

    if not is_member(user):
        return Access(scopes=[term("scope", "public")])
    trained = trained_course_ids(user)
    if trained is None:
        return Access(scopes=[term("scope", "public"), prefix("scope", LESSON_SCOPE)])
    enrolled = set(db.session.scalars(active_enrolments(Enrolment.course_id, user_id=user.id)))
    return Access(scopes=[term("scope", "public")]
                  + [term("scope", f"{LESSON_SCOPE}{cid}") for cid in sorted(enrolled | trained)])


def title_of(slug: str) -> str | None:
    """A visible course's title in the reader's language, for "searching in <course>"."""
    from flask_babel import get_locale
    from flask_login import current_user

    from ..permissions import can

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not can(current_user, "course.view", course):
        return None
    return course_text(course, str(get_locale()))["title"]


def register() -> None:
    register_doc_type("course", _l("Courses"))
    register_doc_type("lesson", _l("Lessons"))
    register_source(Source("course", course_documents, course_ids, course_dependents))
    register_source(Source("lesson", lesson_documents, lesson_ids))
    watch(Course, "course", ("slug", "title", "summary", "description_html", "language", "zone", "published",
                             "archived_at", "enrolment_mode"))
    watch(CourseTranslation, "course", entity_id=lambda tr: tr.course_id)
    watch(Lesson, "lesson", ("slug", "title", "body_html", "published", "archived_at", "course_id"))
    watch(LessonTranslation, "lesson", entity_id=lambda tr: tr.lesson_id)
    register_access(access)
    register_course_titles(title_of)
