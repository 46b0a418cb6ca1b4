"""Course, dashboard, practice and report pages run the same number of SQL queries on a
small site and on a site ten to fifty times larger (the forum's pages have their own
test in test_forum_queries.py). A page whose count grows with the data fails here."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from hub.accounts.models import User
from hub.courses import enrolment
from hub.courses.models import Course, CourseTrainer, Lesson
from hub.extensions import db
from hub.forum import structure
from hub.sitegen import generator
from hub.sitegen.sizes import DOMAIN, PASSWORD, SIZES
from tests.querycount import statements_for_get

SMALL = replace(SIZES["S"], name="small", members=8, courses=2, posts=40, enrolments_per_member=1, quiz_attempts=4,
                practices=3, long_thread=30)
GROWTH = replace(SMALL, name="growth", members=60, courses=50, posts=400, enrolments_per_member=4, quiz_attempts=40,
                 practices=20)
BOUND = 25  # per page, login, header and its bell included (course and lesson pages: 24 and 23)


def _login(client, email: str) -> None:
    client.post("/logout")
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302


def _enrol_everywhere(user: User) -> None:
    for course in db.session.scalars(select(Course).where(Course.published.is_(True))):
        enrolment.enrol(user, course)
        for lesson in course.lessons[:2]:
            enrolment.complete_lesson(user, lesson)
    db.session.commit()


def _pages(course: Course) -> dict[str, str]:
    lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position))
    assert lesson is not None
    return {"catalogue": "/courses/", "course": f"/courses/{course.slug}",
            "lesson": f"/courses/{course.slug}/lessons/{lesson.slug}", "dashboard": "/dashboard",
            "practices": "/practices/", "report": f"/progress/{course.slug}/report"}


def _measure(client, pages: dict[str, str], learner: str, admin: str) -> dict[str, int]:
    counts = {}
    for name, path in pages.items():
        _login(client, admin if name == "report" else learner)
        counts[name] = statements_for_get(client, path)
    return counts


@pytest.mark.parametrize("report_viewer", ["administrator", "course trainer"])
def test_course_pages_run_the_same_queries_on_a_small_and_a_large_site(app, client, report_viewer):
    structure.seed_defaults()
    db.session.commit()
    generator.generate(SMALL, seed=3)
    learner = db.session.scalar(select(User).where(User.email == f"member3@{DOMAIN}"))
    course = db.session.scalar(select(Course).order_by(Course.id))
    enrolment.enrol(learner, course)
    reporter = f"member0@{DOMAIN}"  # the generated administrator
    if report_viewer == "course trainer":
        trainer = db.session.scalar(select(User).where(User.email == f"member4@{DOMAIN}"))
        trainer.role = "trainer"
        db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
        reporter = trainer.email
    db.session.commit()
    small = _measure(client, _pages(course), learner.email, reporter)

    generator.generate(GROWTH, seed=4, force=True)
    _enrol_everywhere(learner)
    for member in db.session.scalars(select(User).where(User.email.like(f"%.%@{DOMAIN}")).limit(50)):
        enrolment.enrol(member, course)  # the report now lists many more learners
    db.session.commit()
    assert db.session.scalar(select(Course.id).where(Course.published.is_(True)).offset(45).limit(1))
    large = _measure(client, _pages(course), learner.email, reporter)
    assert large == small
    assert max(large.values()) <= BOUND, large
