"""Course logic: what a user may see, the catalogue."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..permissions import ADMIN, TRAINER, has_role, rule
from .models import Course, CourseTrainer


def is_course_trainer(user, course: Course) -> bool:
    if has_role(user, ADMIN):
        return True
    if not has_role(user, TRAINER):
        return False
    return any(t.user_id == user.id for t in course.trainers) or not course.trainers


@rule("course.view")
def can_view_course(user, course: Course) -> bool:
    """Published courses are public; unpublished ones only for their trainers."""
    if course is None or course.archived_at is not None:
        return has_role(user, ADMIN)
    return course.published or is_course_trainer(user, course)


@rule("course.author")
def can_author(user, course: Course | None) -> bool:
    """Trainers create courses and edit those they train (or that have no trainer)."""
    if course is None:
        return has_role(user, TRAINER)
    return is_course_trainer(user, course)


def catalogue(user) -> list[Course]:
    stmt = select(Course).where(Course.archived_at.is_(None)).order_by(Course.position, Course.title)
    courses = db.session.scalars(stmt).all()
    return [c for c in courses if can_view_course(user, c)]


def get_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def trainers_of(course: Course) -> list:
    return [t.user for t in db.session.scalars(select(CourseTrainer).where(CourseTrainer.course_id == course.id))]
