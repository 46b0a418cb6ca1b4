"""Completion: what a course requires, how far each learner is, and completing the
enrolment in the same transaction as the event that meets the last rule.

Receivers for the learning signals live here; they only flush, the request that
sent the signal commits (see hub/signals.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, cast

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import CursorResult, inspect, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.util import identity_key

from .. import signals
from ..courses.models import ENROLMENT_ACTIVE, Course, Enrolment, Lesson, LessonProgress, active_enrolments
from ..courses.services import OUTLINE_COLUMNS
from ..database import utcnow
from ..extensions import db
from ..permissions import ADMIN, has_role, is_member, rule
from . import sources
from .rules import FORUM, LESSON, QUIZ, Facts, ItemState, Measure, QuizFact, Requirement, measure, normalise_rules


class ProgressError(ValueError):
    """A user-facing refusal (bad rules, unknown prerequisite...)."""


# --- permissions -----------------------------------------------------------------

@rule("progress.report")
def can_see_report(user, course) -> bool:
    """Trainers of the course and administrators; learners never."""
    from ..courses.services import can_author
    return course is not None and can_author(user, course)


@rule("progress.rules")
def can_edit_rules(user, course) -> bool:
    from ..courses.services import can_author
    return course is not None and can_author(user, course)


@rule("progress.overview")
def can_see_overview(user, obj) -> bool:
    return has_role(user, ADMIN)


@rule("progress.dashboard")
def can_see_dashboard(user, obj) -> bool:
    return is_member(user)


# --- requirements and facts -------------------------------------------------------

def required_lessons(course: Course) -> list[Lesson]:
    """Published, current lessons in outline order (section, then position)."""
    lessons = [lesson for lesson in course.lessons if lesson.published and lesson.archived_at is None]
    section_pos = {s.id: s.position for s in course.sections}
    return sorted(lessons, key=lambda lesson: (section_pos.get(lesson.section_id, -1) if lesson.section_id else -1,
                                               lesson.position, lesson.id))


def requirements(course: Course, quizzes: dict | None = None) -> list[Requirement]:
    """The items a learner must do, in the order we suggest doing them. A quiz slug
    that names no quiz is skipped: a typo must not lock every learner out.
    ``quizzes`` ({slug: quiz}, loaded for many courses at once) spares a query per quiz."""
    rules = normalise_rules(course.completion_rules)
    reqs: list[Requirement] = []
    if rules["lessons"] == "all":
        reqs += [Requirement(LESSON, str(lesson.id), lesson.title, lesson) for lesson in required_lessons(course)]
    for slug in rules["quizzes"]:
        quiz = quizzes.get(slug) if quizzes is not None else sources.quiz_for_slug(course, slug)
        if quiz is not None:
            reqs.append(Requirement(QUIZ, slug, sources.quiz_title(quiz), quiz))
    if rules["forum_posts"]:
        n = rules["forum_posts"]
        reqs.append(Requirement(FORUM, "forum", ngettext("Write a post in the course forum",
                                                         "Write %(num)d posts in the course forum", n),
                                None, target=n))
    return reqs


def describe_rules(course: Course) -> str:
    """One sentence a learner (or a badge backpack) reads as the criteria."""
    parts = []
    for req in requirements(course):
        if req.kind == QUIZ:
            parts.append(_("pass the quiz “%(quiz)s”", quiz=req.title))
        elif req.kind == FORUM:
            parts.append(ngettext("write a post in the course forum", "write %(num)d posts in the course forum",
                                  req.target))
    if normalise_rules(course.completion_rules)["lessons"] == "all" and required_lessons(course):
        parts.insert(0, _("complete every lesson"))
    if not parts:
        return _("This course has no completion rules.")
    return _("To complete this course: %(rules)s.", rules="; ".join(parts))


def unknown_quiz_slugs(course: Course) -> list[str]:
    return [slug for slug in normalise_rules(course.completion_rules)["quizzes"]
            if sources.quiz_for_slug(course, slug) is None]


def load_facts(course: Course, reqs: list[Requirement], user_ids: Iterable[int]) -> dict[int, Facts]:
    """Facts for many learners at once: one query for lessons, one per required quiz
    (when the quizzes feature offers bulk results) and one for forum posts."""
    user_ids = list(dict.fromkeys(user_ids))
    facts = {uid: Facts() for uid in user_ids}
    if not user_ids:
        return facts
    stmt = (select(LessonProgress.user_id, LessonProgress.lesson_id, LessonProgress.completed_at)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id).where(Lesson.course_id == course.id))
    if len(user_ids) <= 500:
        stmt = stmt.where(LessonProgress.user_id.in_(user_ids))
    for uid, lesson_id, completed_at in db.session.execute(stmt):
        fact = facts.get(uid)
        if fact is None:
            continue
        fact.lessons_viewed.add(lesson_id)
        if completed_at is not None:
            fact.lessons_done[lesson_id] = completed_at
    for req in reqs:
        if req.kind == QUIZ:
            for uid, result in sources.quiz_results(req.obj, user_ids).items():
                if uid in facts:
                    facts[uid].quizzes[req.key] = QuizFact(result.passed, result.grade, result.graded_at)
        elif req.kind == FORUM:
            for uid, count in sources.forum_post_counts(course, user_ids).items():
                if uid in facts:
                    facts[uid].posts = int(count or 0)
    return facts


# --- progress --------------------------------------------------------------------

@dataclass
class CourseProgress:
    course: Course
    enrolment: Enrolment | None
    measure: Measure
    facts: Facts

    @property
    def items(self) -> list[ItemState]:
        return self.measure.items

    @property
    def required(self) -> int:
        return self.measure.required

    @property
    def done(self) -> int:
        return self.measure.done

    @property
    def percent(self) -> int:
        return 100 if self.completed_at and not self.measure.tracked else self.measure.percent

    @property
    def next_step(self) -> ItemState | None:
        return None if self.completed_at else self.measure.next_item

    @property
    def completed_at(self) -> datetime | None:
        return self.enrolment.completed_at if self.enrolment else None

    @property
    def tracked(self) -> bool:
        return self.measure.tracked

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None and self.enrolment.status == ENROLMENT_ACTIVE


def enrolment_of(user, course: Course) -> Enrolment | None:
    if not is_member(user):
        return None
    return db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id))


def course_progress(user, course: Course, enrolment: Enrolment | None = None,
                    reqs: list[Requirement] | None = None) -> CourseProgress:
    """Required items, done items, percent, next step and completion date of one
    learner in one course (an empty measure for visitors)."""
    enrolment = enrolment if enrolment is not None else enrolment_of(user, course)
    reqs = requirements(course) if reqs is None else reqs
    facts = load_facts(course, reqs, [user.id]).get(user.id, Facts()) if is_member(user) else Facts()
    return CourseProgress(course, enrolment, measure(reqs, facts), facts)


def courses_with_outlines(course_ids: Iterable[int]) -> dict[int, Course]:
    """Courses with their sections and lessons (bodies left unloaded), in three queries."""
    ids = list(dict.fromkeys(course_ids))
    ready = {}  # courses this request already loaded with their outline (the catalogue's) cost nothing
    for course_id in ids:
        course = db.session.identity_map.get(identity_key(Course, course_id))
        if course is not None and not ({"sections", "lessons"} & inspect(course).unloaded):
            ready[course_id] = course
    missing = [i for i in ids if i not in ready]
    if missing:
        ready.update({c.id: c for c in db.session.scalars(select(Course).where(Course.id.in_(missing)).options(
            selectinload(Course.sections), selectinload(Course.lessons).load_only(*OUTLINE_COLUMNS)))})
    return ready


def progress_in_courses(user, enrolments: list[Enrolment]) -> dict[int, CourseProgress]:
    """One learner's progress in many courses with a fixed number of queries, however
    many courses (dashboard, catalogue badges). Keyed by course id."""
    courses = courses_with_outlines(e.course_id for e in enrolments)
    quizzes = sources.quizzes_by_course(list(courses))
    reqs = {cid: requirements(course, quizzes[cid]) for cid, course in courses.items()}
    facts = {cid: Facts() for cid in courses}
    for lesson_id, course_id, completed_at in db.session.execute(
            select(LessonProgress.lesson_id, Lesson.course_id, LessonProgress.completed_at)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.user_id == user.id, Lesson.course_id.in_(list(courses)))):
        facts[course_id].lessons_viewed.add(lesson_id)
        if completed_at is not None:
            facts[course_id].lessons_done[lesson_id] = completed_at
    results = sources.quiz_results_of_learner([r.obj for rs in reqs.values() for r in rs if r.kind == QUIZ],
                                              user.id)
    for cid, course_reqs in reqs.items():
        for req in course_reqs:
            if req.kind == QUIZ and req.obj.id in results:
                result = results[req.obj.id]
                facts[cid].quizzes[req.key] = QuizFact(result.passed, result.grade, result.graded_at)
    with_posts = [cid for cid, course_reqs in reqs.items() if any(r.kind == FORUM for r in course_reqs)]
    for cid, count in sources.forum_post_counts_in_courses(user.id, with_posts).items():
        facts[cid].posts = count
    return {e.course_id: CourseProgress(courses[e.course_id], e, measure(reqs[e.course_id], facts[e.course_id]),
                                        facts[e.course_id]) for e in enrolments if e.course_id in courses}


def learners_progress(course: Course, enrolments: list[Enrolment]) -> dict[int, CourseProgress]:
    """Progress of many learners of one course with a fixed number of queries."""
    reqs = requirements(course)
    facts = load_facts(course, reqs, [e.user_id for e in enrolments])
    return {e.user_id: CourseProgress(course, e, measure(reqs, facts[e.user_id]), facts[e.user_id])
            for e in enrolments}


def _complete(user, course: Course, enrolment: Enrolment) -> bool:
    """Mark the enrolment complete unless someone else just did. The conditional
    UPDATE makes racing requests agree: only the one that changed the row fires
    ``course_completed``."""
    now = utcnow()
    result = db.session.execute(
        update(Enrolment).where(Enrolment.id == enrolment.id, Enrolment.completed_at.is_(None))
        .values(completed_at=now).execution_options(synchronize_session=False))
    if cast("CursorResult[Any]", result).rowcount != 1:
        db.session.refresh(enrolment, ["completed_at"])
        return False
    db.session.refresh(enrolment, ["completed_at"])
    signals.course_completed.send(signals.app(), user=user, course=course, enrolment=enrolment)
    return True


def evaluate(user, course: Course) -> CourseProgress | None:
    """Re-measure the learner; complete the enrolment (same transaction) when every
    rule is met. A completed enrolment stays completed whatever changes later."""
    # Lock the enrolment row (PostgreSQL; SQLite writers are serialised already):
    # two requests completing the last two lessons at once then measure one after
    # the other, so the second sees the first's lesson and completes the course.
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id,
                                                          Enrolment.course_id == course.id)
                                  .with_for_update().execution_options(populate_existing=True)) \
        if is_member(user) else None
    if enrolment is None or enrolment.status != ENROLMENT_ACTIVE:
        return None
    progress = course_progress(user, course, enrolment)
    if enrolment.completed_at is None and progress.measure.met:
        _complete(user, course, enrolment)
    return progress


def reevaluate_course(course: Course) -> int:
    """After a rule change: complete every learner the new rules are met for. Earlier
    completions are kept. Returns how many enrolments were completed now."""
    enrolments = db.session.scalars(
        active_enrolments(course_id=course.id).where(Enrolment.completed_at.is_(None))).all()
    completed = 0
    for progress in learners_progress(course, list(enrolments)).values():
        enrolment = progress.enrolment
        assert enrolment is not None  # learners_progress gives each learner's progress its enrolment
        if progress.measure.met and _complete(enrolment.user, course, enrolment):
            completed += 1
    return completed


# --- prerequisites ------------------------------------------------------------------

def prerequisite_courses(course: Course) -> list[Course]:
    slugs = [s for s in (course.prerequisite_slugs or []) if s and s != course.slug]
    if not slugs:
        return []
    found = {c.slug: c for c in db.session.scalars(select(Course).where(Course.slug.in_(slugs)))}
    return [found[s] for s in slugs if s in found and found[s].archived_at is None]


def missing_prerequisites(user, course: Course) -> list[Course]:
    """Required courses the user has not completed (all of them for visitors)."""
    needed = prerequisite_courses(course)
    if not needed or not is_member(user):
        return needed
    done = set(db.session.scalars(
        select(Enrolment.course_id).where(Enrolment.user_id == user.id, Enrolment.completed_at.is_not(None),
                                          Enrolment.course_id.in_([c.id for c in needed]))))
    return [c for c in needed if c.id not in done]


def prerequisites_check(user, course: Course) -> str | None:
    missing = missing_prerequisites(user, course)
    if not missing:
        return None
    names = ", ".join(f"“{c.title}”" for c in missing)
    return _("Complete %(courses)s before you enrol in this course.", courses=names)


# --- rule editing ------------------------------------------------------------------

def update_rules(course: Course, *, lessons: str, quizzes: list[str], forum_posts: int,
                 prerequisites: list[str], certificate_mode: str) -> None:
    """Save a trainer's rules and re-evaluate the course's learners (same
    transaction, via ``completion_rules_changed``)."""
    from ..courses.models import CERTIFICATE_MODES

    if certificate_mode not in CERTIFICATE_MODES:
        raise ProgressError(_("Choose how certificates are issued."))
    if course.slug in prerequisites:
        raise ProgressError(_("A course cannot require itself."))
    if _creates_cycle(course, prerequisites):
        raise ProgressError(_("These prerequisites would make courses require each other."))
    course.completion_rules = normalise_rules({"lessons": lessons, "quizzes": quizzes, "forum_posts": forum_posts})
    course.prerequisite_slugs = list(dict.fromkeys(prerequisites))
    course.certificate_mode = certificate_mode
    db.session.flush()
    signals.completion_rules_changed.send(signals.app(), course=course)


def _creates_cycle(course: Course, prerequisites: list[str]) -> bool:
    graph = {c.slug: list(c.prerequisite_slugs or []) for c in db.session.scalars(select(Course))}
    graph[course.slug] = list(prerequisites)
    stack, seen = list(prerequisites), set()
    while stack:
        slug = stack.pop()
        if slug == course.slug:
            return True
        if slug in seen:
            continue
        seen.add(slug)
        stack.extend(graph.get(slug, []))
    return False


# --- signal receivers (connected in progress.init_app) ---------------------------------

def on_lesson_completed(sender, user=None, lesson=None, **extra):
    if user is not None and lesson is not None:
        evaluate(user, lesson.course)


def on_quiz_graded(sender, user=None, attempt=None, **extra):
    course = sources.course_of_attempt(attempt) if attempt is not None else None
    if user is not None and course is not None:
        evaluate(user, course)


def on_forum_post(sender, user=None, post=None, **extra):
    course = sources.course_of_post(post) if post is not None else None
    if user is not None and course is not None:
        evaluate(user, course)


def on_enrolled(sender, user=None, enrolment=None, **extra):
    if user is not None and enrolment is not None:
        evaluate(user, enrolment.course)


def on_rules_changed(sender, course=None, **extra):
    if course is not None:
        reevaluate_course(course)
