"""The learner's quiz page ("Clear my choice", the state lines after an autosave), how a
certificate says it was earned (page, verify page, PDF), the badge image's layout and
the trainer's CSV report (its Content-Type; names, not codes)."""
from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from hub.certificates import services as certificates
from hub.certificates.badge_layout import AVERAGE_WIDTH, room_at
from hub.certificates.models import Certificate
from hub.extensions import db
from hub.quizzes.models import Attempt
from tests.factories import name_trainer
from tests.progress_factories import complete_all_lessons, complete_lesson, enrol, make_course

from .quiz_support import enrol as enrol_in_quiz_course
from .quiz_support import make_course as make_quiz_course
from .quiz_support import make_quiz, quiz_url, token_of

# --- quiz: clear my choice, state lines ------------------------------------------------------


@pytest.fixture
def attempt_page(app, client, login):
    learner = login("learner")
    course = make_quiz_course()
    enrol_in_quiz_course(learner, course)
    quiz = make_quiz(course)
    assert client.post(quiz_url(course, quiz, "/start")).status_code == 302
    attempt = db.session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
    html = client.get(f"/quiz-attempts/{attempt.id}").get_data(as_text=True)
    return attempt, html, token_of(html)


def test_single_choice_questions_offer_clear_my_choice(client, attempt_page):
    attempt, html, _token = attempt_page
    # q0 is single choice, q1 true/false: a radio with no value; text and matching answers have none.
    assert re.search(r'<input type="radio" id="q0-clear" name="q0" value="">', html)
    assert re.search(r'<input type="radio" id="q1-clear" name="q1" value="">', html)
    assert '<label for="q0-clear">Clear my choice</label>' in html
    assert "q2-clear" not in html and "q4-clear" not in html


def test_a_cleared_choice_is_saved_blank_without_javascript(client, attempt_page):
    attempt, _html, token = attempt_page
    client.post(f"/quiz-attempts/{attempt.id}/save", data={"token": token, "page": "0", "q0": "0", "q1": "true",
                                                            "action": "page-0"})
    db.session.refresh(attempt)
    assert attempt.responses[0].answer is not None and attempt.responses[1].answer is not None
    # The "Clear my choice" radio sends an empty value: both answers become blank again.
    client.post(f"/quiz-attempts/{attempt.id}/save", data={"token": token, "page": "0", "q0": "", "q1": "",
                                                            "action": "page-0"})
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.responses[0].answer is None and attempt.responses[1].answer is None
    assert attempt.responses[0].state == "todo"
    page = client.get(f"/quiz-attempts/{attempt.id}").get_data(as_text=True)
    assert page.count('<span data-status-for="0">Not yet answered</span>') == 1


def test_autosave_sends_back_each_questions_state(client, attempt_page):
    attempt, _html, token = attempt_page
    match = next(r for r in attempt.responses if r.qtype == "match")
    first_stem = match.order["stems"][0]
    response = client.post(f"/quiz-attempts/{attempt.id}/autosave",
                           data={"token": token, "page": "0", "q0": "1", f"q{match.position}_s{first_stem}": "0"},
                           headers={"Accept": "application/json"})
    states = response.json["states"]
    assert states["0"] == "answered" and states["1"] == "todo"
    assert states[str(match.position)] == "partly"  # one of three pairs matched
    html = client.get(f"/quiz-attempts/{attempt.id}").get_data(as_text=True)
    # the page's own words for each state, which the script writes in after a save
    assert 'data-msg-state-answered="Answered"' in html and 'data-msg-state-todo="Not yet answered"' in html
    assert 'data-msg-state-partly="Partly answered"' in html


def test_a_review_has_no_clear_choice(client, attempt_page):
    attempt, _html, token = attempt_page
    client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
    review = client.get(f"/quiz-attempts/{attempt.id}/review").get_data(as_text=True)
    assert "Clear my choice" not in review


# --- certificates: completed or awarded ----------------------------------------------------------

def pdf_text(data: bytes) -> str:
    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


def verify_page(client, cert: Certificate) -> str:
    return client.get(f"/verify/{cert.code}").get_data(as_text=True)


def test_a_trainers_certificate_for_an_unfinished_course_says_awarded(app, client, make_user, auth):
    course = make_course("unfinished", lessons=2, certificate_mode="manual")
    learner = make_user(display_name="Ana Learner")
    enrol(learner, course)
    complete_lesson(learner, course.lessons[0])
    admin = make_user("admin")
    cert = certificates.issue(learner, course, issued_by=admin, note="Took part in every workshop.")
    db.session.commit()

    page = verify_page(client, cert)
    assert "Awarded by a trainer" in page and "Completed the course" not in page
    assert "Trainer's note" in page and "Took part in every workshop." in page
    auth.login(learner)
    text = pdf_text(client.get(f"/certificates/{cert.id}/certificate.pdf").data)
    assert "was awarded this certificate by a trainer" in text and "has completed" not in text
    assert "Certificate of completion" not in text
    assert "Trainer's note: Took part in every workshop." in text
    auth.logout()
    auth.login(admin)
    detail = client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    assert "Awarded by a trainer" in detail


def test_a_completed_course_says_completed_whoever_issued_it(app, client, make_user, auth):
    automatic = make_course("auto", lessons=1)
    manual = make_course("manual", lessons=1, certificate_mode="manual")
    learner = make_user()
    for course in (automatic, manual):
        enrol(learner, course)
        complete_all_lessons(learner, course)
    cert_manual = certificates.issue(learner, manual, issued_by=make_user("admin"), note="Well done.")
    db.session.commit()
    cert_auto = db.session.scalar(select(Certificate).where(Certificate.course_id == automatic.id))
    for cert in (cert_auto, cert_manual):
        page = verify_page(client, cert)
        assert "Completed the course" in page and "Awarded by a trainer" not in page
    assert "Trainer's note" not in verify_page(client, cert_manual)
    auth.login(learner)
    for cert in (cert_auto, cert_manual):
        text = pdf_text(client.get(f"/certificates/{cert.id}/certificate.pdf").data)
        assert "has completed the course" in text and "Certificate of completion" in text


def test_earning_rule():
    from datetime import datetime, timedelta, timezone

    issued = datetime(2026, 5, 1, tzinfo=timezone.utc)
    assert certificates.earned_by_completion(None, None, issued)  # automatic: only on completion
    assert certificates.earned_by_completion(3, issued - timedelta(days=1), issued)
    assert not certificates.earned_by_completion(3, None, issued)
    assert not certificates.earned_by_completion(3, issued + timedelta(days=1), issued)  # completed later


# --- the badge image -------------------------------------------------------------------------------

LONG_TITLE = ("Psychosocial support and wellbeing for people on the way into work, with referral pathways "
              "and peer support")


def test_a_long_course_name_stays_inside_the_badges_ring(app, client):
    make_course("long-name", title=LONG_TITLE)
    response = client.get("/badges/courses/long-name/image.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.data)
    ns = "{http://www.w3.org/2000/svg}"
    course_text = next(t for t in root.iter(f"{ns}text") if t.get("class") == "badge-course")
    size = float(course_text.get("font-size"))
    lines = [(span.text or "", float(span.get("y"))) for span in course_text.iter(f"{ns}tspan")]
    assert len(lines) >= 2 and size < 20
    for line, baseline in lines:
        assert len(line) * size * AVERAGE_WIDTH <= room_at(baseline - 0.8 * size, baseline + 0.25 * size)
    words = " ".join(line for line, _y in lines)
    assert words.startswith("Psychosocial support and wellbeing")


# --- the CSV report --------------------------------------------------------------------------------

@pytest.fixture
def reported(app, make_user):
    course = make_course("c", lessons=1)
    for name, country, profession in (("Ana", "ES", "job_coach"), ("Bo", "DK", "social_worker")):
        enrol(make_user(display_name=name, country=country, profession=profession), course)
    return course


def csv_rows(client) -> tuple[list[str], list[list[str]], object]:
    response = client.get("/progress/c/report.csv?sort=name")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return rows[0], rows[1:], response


def test_the_csv_has_one_charset_and_the_names_the_page_shows(app, client, make_user, auth, reported):
    trainer = make_user("trainer")
    name_trainer(reported, trainer)
    auth.login(trainer)
    header, data, response = csv_rows(client)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert [(row[0], row[2], row[4]) for row in data] == [("Ana", "Spain", "Job coach"),
                                                           ("Bo", "Denmark", "Social worker")]
    page = client.get("/progress/c/report").get_data(as_text=True)
    assert "Denmark" in page  # the same words as the page


def test_the_csv_speaks_the_requesters_language(app, client, make_user, auth, reported):
    trainer = make_user("trainer", language="es")
    name_trainer(reported, trainer)
    auth.login(trainer)
    header, data, _response = csv_rows(client)
    assert header[2] == "País"
    bo = next(row for row in data if row[0] == "Bo")
    assert bo[2] == "Dinamarca" and bo[4] == "Trabajador/a social"
