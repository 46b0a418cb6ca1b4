"""The one course factory and the one member factory for every feature's tests:
committed rows built through the models. Feature helper modules (progress_factories,
quiz_support, forum_helpers) call them with their defaults."""
from __future__ import annotations

import itertools

from hub.courses.models import ENROLMENT_ACTIVE, ENROLMENT_UNENROLLED, Course, CourseTrainer, Enrolment, Lesson, Section
from hub.extensions import db

_counter = itertools.count(1)
_member_counter = itertools.count(1)
_FAST_HASH = None


def make_member(role: str = "learner", **fields):
    """A committed, confirmed member who can log in with TEST_PASSWORD (hashed with
    few rounds, once, to keep tests fast)."""
    global _FAST_HASH
    from werkzeug.security import generate_password_hash

    from hub.accounts.models import User
    from hub.database import utcnow
    from tests.conftest import TEST_PASSWORD

    if _FAST_HASH is None:
        _FAST_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1000")
    n = next(_member_counter)
    values = dict(email=f"member{n}@example.org", display_name=f"Member {n}", password_hash=_FAST_HASH,
                  country="DK", organisation="Jobcenter Test", profession="counsellor", language="en", role=role,
                  email_confirmed_at=utcnow())
    values.update(fields)
    user = User(**values)
    db.session.add(user)
    db.session.commit()
    return user


def make_course(slug: str | None = None, *, title: str | None = None, summary: str = "", published: bool = True,
                language: str = "en", lessons: int = 0, rules: dict | None = None, certificate_mode: str = "auto",
                prerequisites=(), hours: float | None = None, trainers=(), enrolled=(), unenrolled=()) -> Course:
    """``rules=None`` keeps the model's default completion rules."""
    slug = slug or f"course-{next(_counter)}"
    course = Course(slug=slug, title=title or f"Course {slug}", summary=summary, published=published,
                    language=language, enrolment_mode="open", certificate_mode=certificate_mode,
                    prerequisite_slugs=list(prerequisites))
    if rules is not None:
        course.completion_rules = rules
    if hours is not None:
        course.estimated_hours = hours
    section = Section(slug="main", title="Main", position=0, course=course)
    for i in range(lessons):
        Lesson(slug=f"lesson-{i + 1}", title=f"Lesson {i + 1}", position=i, course=course, section=section,
               body_md="Text", body_html="<p>Text</p>")
    db.session.add(course)
    db.session.flush()
    for user in trainers:
        db.session.add(CourseTrainer(course_id=course.id, user_id=user.id))
    for users, status in ((enrolled, ENROLMENT_ACTIVE), (unenrolled, ENROLMENT_UNENROLLED)):
        for user in users:
            db.session.add(Enrolment(user_id=user.id, course_id=course.id, status=status))
    db.session.commit()
    return course


def name_trainer(course: Course, user) -> None:
    """Name ``user`` (a trainer) on ``course``: only named trainers manage a course."""
    db.session.add(CourseTrainer(course_id=course.id, user_id=user.id))
    db.session.commit()
