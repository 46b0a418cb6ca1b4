"""The learner dashboard, the trainer's course report (matrix, filters, sorting,
paging, CSV, funnel and timeline), the site overview and their permissions."""
from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import render_template_string
from sqlalchemy import event, func, select

from hub.courses.models import CourseTrainer, Enrolment
from hub.database import utcnow
from hub.extensions import db
from hub.progress import reports
from tests.factories import make_member, name_trainer
from tests.progress_factories import complete_all_lessons, complete_lesson, enrol, grade_attempt, make_course, make_quiz


@contextmanager
def count_queries():
    counter = {"n": 0}

    def count(*args, **kwargs):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def add_learners(make_user, course, n, **fields):
    users = [make_user(**fields) for _ in range(n)]
    for user in users:
        enrol(user, course)
    return users


# --- dashboard --------------------------------------------------------------------------

def test_dashboard_shows_progress_next_step_completions_and_certificates(app, make_user, client, auth):
    user = make_user()
    going = make_course("going", title="Course in progress", lessons=4)
    done = make_course("done", title="Finished course", lessons=1)
    enrol(user, going)
    enrol(user, done)
    complete_lesson(user, going.lessons[0])
    complete_all_lessons(user, done)
    auth.login(user)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "1 of 4 required items done (25%)" in page
    assert '<progress class="progress-bar" max="100" value="25"' in page
    assert 'href="/courses/going/lessons/lesson-2"' in page  # the next step
    completed = page.split("Completed courses")[1]
    assert "Finished course" in completed and "Course in progress" not in completed.split("Your certificates")[0]
    assert "Your certificates" in page and "/certificate.pdf" in page


def test_dashboard_needs_login(client, app):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_course_badge_partial(app, make_user):
    from flask_login import login_user
    user = make_user()
    going = make_course("going", lessons=2)
    done = make_course("done", lessons=1)
    other = make_course("other", lessons=1)
    enrol(user, going)
    enrol(user, done)
    complete_lesson(user, going.lessons[0])
    complete_all_lessons(user, done)
    template = '{% for course in courses %}[{% include "progress/_course_badge.html" %}]{% endfor %}'
    with app.test_request_context("/courses/"):
        login_user(user)
        html = render_template_string(template, courses=[going, done, other])
    parts = html.split("][")
    assert "In progress" in parts[0] and 'value="50"' in parts[0] and "Enrolled" not in parts[0]
    assert "Completed" in parts[1]
    assert parts[2].strip(" ]\n") == ""


def test_course_progress_partial_shows_the_same_progress(app, make_user):
    from flask_login import login_user
    user = make_user()
    course = make_course("c", lessons=3)
    enrolment = enrol(user, course)
    complete_lesson(user, course.lessons[0])
    with app.test_request_context("/courses/c"):
        login_user(user)
        html = render_template_string('{% include "progress/_course_progress.html" %}', course=course,
                                      enrolment=enrolment)
    assert "1 of 3 required items done (33%)" in html and "Lesson 2" in html
    complete_all_lessons(user, course)
    with app.test_request_context("/courses/c"):
        login_user(user)
        html = render_template_string('{% include "progress/_course_progress.html" %}', course=course,
                                      enrolment=enrolment)
    assert "You completed this course on" in html and "Download your certificate" in html


def trainer_of(slug: str):
    """A new trainer named on the course ``slug``."""
    from hub.accounts.models import User
    from hub.courses.models import Course

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    count = db.session.scalar(select(func.count(User.id)))
    user = make_member("trainer", email=f"trainer{count + 1}@example.org", display_name=f"Trainer {count + 1}",
                       organisation="Jobcenter")
    name_trainer(course, user)
    return user


# --- report permissions -------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/progress/{slug}/report", "/progress/{slug}/report.csv"])
@pytest.mark.parametrize("role, status", [("learner", 403), ("moderator", 403), ("trainer", 200), ("admin", 200)])
def test_report_permissions(app, make_user, client, auth, path, role, status):
    course = make_course("c", lessons=1)
    user = make_user(role)
    if role == "trainer":
        name_trainer(course, user)  # a trainer named on the course
    auth.login(user)
    assert client.get(path.format(slug=course.slug)).status_code == status


def test_report_anonymous_goes_to_login_and_other_trainers_are_refused(app, make_user, client, auth):
    course = make_course("c", lessons=1)
    response = client.get("/progress/c/report")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.add(CourseTrainer(course_id=course.id, user_id=make_user("trainer").id))
    db.session.commit()
    auth.login(make_user("trainer"))
    assert client.get("/progress/c/report").status_code == 403
    assert client.get("/progress/nope/report").status_code == 404


# --- the matrix ------------------------------------------------------------------------------

@pytest.fixture
def class_of_three(app, make_user):
    course = make_course("c", lessons=2, rules={"lessons": "all", "quizzes": ["q"], "forum_posts": 0})
    quiz = make_quiz(course, "q", pass_grade=60)
    ana = make_user(display_name="Ana", country="ES", organisation="Cruz Roja", profession="job_coach")
    bo = make_user(display_name="Bo", country="DK", organisation="Jobcenter Aarhus", profession="counsellor")
    cy = make_user(display_name="Cy", country="DK", organisation="Jobcenter Odense", profession="social_worker")
    for user in (ana, bo, cy):
        enrol(user, course)
    complete_all_lessons(ana, course)
    grade_attempt(ana, quiz, 92.5)
    complete_lesson(bo, course.lessons[0])
    grade_attempt(bo, quiz, 40)
    return course, quiz, (ana, bo, cy)


def rows_of(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [row.split("</th>")[0].rsplit(">", 1)[1] for row in body.split("<tr>")[1:]]


def test_report_matrix_shows_grades_and_dates(app, make_user, client, auth, class_of_three):
    course, quiz, (ana, bo, cy) = class_of_three
    auth.login(trainer_of("c"))
    page = client.get("/progress/c/report").get_data(as_text=True)
    assert rows_of(page) == ["Ana", "Bo", "Cy"]
    assert "92.5%" in page and "40%" in page
    assert "Lesson 1" in page and "Quiz q" in page
    assert "100%" in page and "33%" in page and "0%" in page
    assert "3 learners" in page


def test_report_filters(app, make_user, client, auth, class_of_three):
    auth.login(trainer_of("c"))
    assert rows_of(client.get("/progress/c/report?country=DK").get_data(as_text=True)) == ["Bo", "Cy"]
    assert rows_of(client.get("/progress/c/report?organisation=Cruz+Roja").get_data(as_text=True)) == ["Ana"]
    assert rows_of(client.get("/progress/c/report?profession=social_worker").get_data(as_text=True)) == ["Cy"]
    page = client.get("/progress/c/report?country=FR").get_data(as_text=True)
    assert "No learners match these filters." in page


@pytest.mark.parametrize("query, expected", [
    ("sort=name&dir=desc", ["Cy", "Bo", "Ana"]),
    ("sort=percent&dir=desc", ["Ana", "Bo", "Cy"]),
    ("sort=percent", ["Cy", "Bo", "Ana"]),
    ("sort=organisation", ["Ana", "Bo", "Cy"]),
    ("sort=completed", ["Ana", "Bo", "Cy"]),
    ("sort=nonsense", ["Ana", "Bo", "Cy"]),
])
def test_report_sorting(app, make_user, client, auth, class_of_three, query, expected):
    auth.login(trainer_of("c"))
    page = client.get(f"/progress/c/report?{query}").get_data(as_text=True)
    assert rows_of(page) == expected


def test_report_paging(app, make_user, client, auth):
    course = make_course("c", lessons=1)
    add_learners(make_user, course, 27)
    auth.login(make_user("admin"))
    first = client.get("/progress/c/report").get_data(as_text=True)
    assert len(rows_of(first)) == 25 and "Page 1 of 2" in first
    second = client.get("/progress/c/report?page=2").get_data(as_text=True)
    assert len(rows_of(second)) == 2
    assert client.get("/progress/c/report?page=3").status_code == 404
    assert client.get("/progress/c/report?page=x").status_code == 404


def test_report_csv_export(app, make_user, client, auth, class_of_three):
    course, quiz, (ana, bo, cy) = class_of_three
    bo.organisation = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    auth.login(trainer_of("c"))
    response = client.get("/progress/c/report.csv?country=DK&sort=name")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, data = rows[0], rows[1:]
    assert header[:3] == ["Name", "Email", "Country"] and header[-1] == "Quiz q"
    assert [r[0] for r in data] == ["Bo", "Cy"]
    bo_row = dict(zip(header, data[0], strict=False))
    assert bo_row["Progress (%)"] == "33" and bo_row["Quiz q"] == "40" and bo_row["Lesson 2"] == ""
    assert bo_row["Lesson 1"] == utcnow().date().isoformat()
    assert bo_row["Organisation"].startswith("'=")


def test_report_queries_do_not_grow_with_learners(app, make_user, client, auth):
    """No query per learner: the report costs the same for 3 and for 20 learners."""
    counts = []
    trainer = make_user("trainer")
    auth.login(trainer)
    for slug, n in (("small", 3), ("large", 20)):
        course = make_course(slug, lessons=3, rules={"lessons": "all", "quizzes": ["q"], "forum_posts": 0})
        quiz = make_quiz(course, "q")
        name_trainer(course, trainer)
        for i, user in enumerate(add_learners(make_user, course, n)):
            complete_lesson(user, course.lessons[0])
            if i % 2:
                grade_attempt(user, quiz, 75)
        with count_queries() as counter:
            assert client.get(f"/progress/{slug}/report").status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1], counts


# --- charts -----------------------------------------------------------------------------------

def test_funnel_counts(app, make_user, class_of_three):
    course, quiz, (ana, bo, cy) = class_of_three
    idle = make_user()
    enrol(idle, course)
    assert reports.funnel(course) == {"enrolled": 4, "started": 2, "half": 1, "completed": 1}
    complete_lesson(cy, course.lessons[0])
    complete_lesson(cy, course.lessons[1])  # 2 of 3 items: past half way
    assert reports.funnel(course) == {"enrolled": 4, "started": 3, "half": 2, "completed": 1}


def test_completions_by_month(app, make_user):
    course = make_course("c", lessons=1)
    users = add_learners(make_user, course, 3)
    today = utcnow()
    stamps = [today, today, today - timedelta(days=70)]
    for user, stamp in zip(users, stamps, strict=False):
        row = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))
        row.completed_at = stamp
    db.session.commit()
    months = reports.completions_by_month(course, months=6, today=today.date())
    assert len(months) == 6 and months[-1][1] == 2
    assert sum(n for _, n in months) == 3


def test_report_page_draws_svg_charts_without_inline_styles(app, make_user, client, auth, class_of_three):
    auth.login(trainer_of("c"))
    page = client.get("/progress/c/report").get_data(as_text=True)
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert "Completion funnel" in page and "Completions per month" in page
    assert "style=" not in page and "<script>" not in page


# --- site overview -----------------------------------------------------------------------------

@pytest.mark.parametrize("role, status", [("learner", 403), ("trainer", 403), ("admin", 200)])
def test_overview_permissions(app, make_user, client, auth, role, status):
    auth.login(make_user(role))
    assert client.get("/progress/overview").status_code == status


def test_overview_counts(app, make_user, client, auth, class_of_three):
    course, quiz, (ana, bo, cy) = class_of_three
    other = make_course("other", title="Other course", lessons=1)
    enrol(ana, other)
    auth.login(make_user("admin"))
    data = reports.site_overview()
    assert data["active_learners"] == 3 and data["enrolments"] == 4 and data["completions"] == 1
    per_course = {row["course"].slug: (row["enrolments"], row["completions"]) for row in data["per_course"]}
    assert per_course == {"c": (3, 1), "other": (1, 0)}
    per_country = {row["country"]: (row["learners"], row["enrolments"], row["completions"])
                   for row in data["per_country"]}
    assert per_country == {"ES": (1, 2, 1), "DK": (2, 2, 0)}
    page = client.get("/progress/overview").get_data(as_text=True)
    assert "Denmark" in page and "Spain" in page and "Other course" in page


def test_dashboard_lists_trained_courses_for_trainers_only(app, make_user, client, auth):
    mine = make_course("mine", title="My course", lessons=1)
    theirs = make_course("theirs", title="Their course", lessons=1)
    trainer = make_user("trainer")
    db.session.add(CourseTrainer(course_id=mine.id, user_id=trainer.id))
    db.session.add(CourseTrainer(course_id=theirs.id, user_id=make_user("trainer").id))
    db.session.commit()
    auth.login(trainer)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Courses you train" in page and "/progress/mine/report" in page and "/progress/theirs/report" not in page
    assert "/progress/overview" not in page
    auth.logout()
    auth.login(make_user())
    assert "Courses you train" not in client.get("/dashboard").get_data(as_text=True)
    auth.logout()
    auth.login(make_user("admin"))
    page = client.get("/dashboard").get_data(as_text=True)
    assert "/progress/theirs/report" in page and "/progress/overview" in page


def test_catalogue_card_shows_progress(app, make_user, client, auth):
    user = make_user()
    course = make_course("going", lessons=2)
    enrol(user, course)
    complete_lesson(user, course.lessons[0])
    auth.login(user)
    page = client.get("/courses/").get_data(as_text=True)
    assert 'value="50"' in page and "50% done" in page
