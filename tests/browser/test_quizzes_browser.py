"""In Chromium: a learner takes a timed quiz — the countdown, background autosave
(with CSRF on), a reload that keeps the answers, the summary, submitting, the review —
and an attempt whose time runs out is submitted by the page itself."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hub.database import utcnow
from hub.extensions import db
from hub.quizzes.models import Attempt
from tests.conftest import TEST_PASSWORD
from tests.web.quiz_support import enrol, make_course, make_quiz

pytestmark = pytest.mark.browser


@pytest.fixture
def timed_quiz(app, make_user):
    learner = make_user("learner", display_name="Lena Learner")
    course = make_course()
    enrol(learner, course)
    quiz = make_quiz(course, time_limit_minutes=10)
    info = {"email": learner.email, "url": f"/courses/{course.slug}/quizzes/{quiz.slug}"}
    db.session.commit()
    return info


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def latest_attempt() -> Attempt:
    db.session.commit()  # end this thread's snapshot: read what the server wrote
    attempt = db.session.scalars(db.select(Attempt).order_by(Attempt.id.desc())).first()
    answers = {r.position: r.answer for r in attempt.responses}
    state, grade = attempt.state, attempt.grade
    db.session.commit()  # and hold no transaction while the server works
    attempt.answers, attempt.final_state, attempt.final_grade = answers, state, grade
    return attempt


def test_learner_takes_a_timed_quiz(page, timed_quiz, axe_check):
    log_in(page, timed_quiz["email"])
    page.goto(timed_quiz["url"])
    expect(page.get_by_text("The quiz has a time limit of 10 minutes.")).to_be_visible()
    page.get_by_role("button", name="Attempt quiz now").click()
    timer = page.locator("#quiz-timer .quiz-timer-value")
    timer.wait_for()
    assert re.fullmatch(r"\d+:\d\d", timer.inner_text())
    assert axe_check() == []

    page.get_by_label("Paris").check()
    page.get_by_label("True", exact=True).check()
    page.locator("#q2-answer").fill("four")
    page.locator("#q3-answer").fill("3.14")
    for country, capital in (("Canada", "Ottawa"), ("Italy", "Rome"), ("Japan", "Tokyo")):
        page.get_by_label(country).select_option(label=capital)
    # saved in the background, without leaving the page
    page.locator(".autosave-status", has_text="All answers saved").wait_for()
    saved = latest_attempt().answers
    assert saved[0] is not None and saved[2] == {"text": "four"} and saved[3] == {"text": "3.14"}
    assert len(saved[4]["choices"]) == 3
    assert page.locator("button.qnav.answered").count() == 5

    # a reload (or a lost connection) loses nothing
    page.reload()
    assert page.get_by_label("Paris").is_checked()
    assert page.locator("#q2-answer").input_value() == "four"

    page.get_by_role("button", name="Finish attempt…").first.click()
    page.wait_for_url("**/summary")
    expect(page.get_by_text("You have answered every question.")).to_be_visible()
    assert axe_check() == []
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit all and finish").click()
    page.wait_for_url("**/review")
    expect(page.get_by_role("heading", name="Review of attempt 1")).to_be_visible()
    expect(page.get_by_text("Your attempt was submitted.")).to_be_visible()
    expect(page.locator(".review-summary", has_text="100%")).to_be_visible()
    assert axe_check() == []
    attempt = latest_attempt()
    assert attempt.final_state == "finished" and attempt.final_grade == 100

    page.get_by_role("link", name="Finish review").click()
    expect(page.get_by_text("This grade counts")).to_be_visible()
    assert page.js_errors == []


def test_time_running_out_submits_the_attempt(page, timed_quiz):
    log_in(page, timed_quiz["email"])
    page.goto(timed_quiz["url"])
    page.get_by_role("button", name="Attempt quiz now").click()
    page.get_by_label("Paris").check()
    page.locator(".autosave-status", has_text="All answers saved").wait_for()
    # The clock runs on: the deadline passed a few seconds ago (inside the grace period).
    db.session.commit()
    attempt = db.session.scalars(db.select(Attempt)).one()
    attempt.deadline = utcnow() - timedelta(seconds=5)
    db.session.commit()
    page.reload()  # the page shows 0:00 and submits by itself
    page.wait_for_url("**/review")
    expect(page.get_by_text("Time is up: your attempt was submitted.")).to_be_visible()
    attempt = latest_attempt()
    assert attempt.final_state == "finished" and attempt.final_grade == 20
    assert page.js_errors == []


@pytest.fixture
def untimed_quiz(app, make_user):
    learner = make_user("learner")
    course = make_course()
    enrol(learner, course)
    quiz = make_quiz(course)
    db.session.commit()
    return {"email": learner.email, "url": f"/courses/{course.slug}/quizzes/{quiz.slug}"}


def test_clear_my_choice_and_the_state_lines_follow_the_saves(page, untimed_quiz, axe_check):
    log_in(page, untimed_quiz["email"])
    page.goto(untimed_quiz["url"])
    page.get_by_role("button", name="Attempt quiz now").click()
    state = page.locator("[data-status-for='0']")
    clear = page.locator("#question-0").get_by_label("Clear my choice")
    expect(state).to_have_text("Not yet answered")
    expect(clear).to_be_hidden()  # nothing to clear yet

    page.get_by_label("Paris").check()
    expect(state).to_have_text("Answered")  # once the autosave has stored it
    expect(page.locator("button.qnav[data-nav-for='0']")).to_have_attribute("aria-label", "Question 1, answered")
    assert latest_attempt().answers[0] is not None
    expect(clear).to_be_visible()
    assert axe_check() == []

    page.locator("#question-0 label[for='q0-clear']").click()
    expect(state).to_have_text("Not yet answered")
    assert not page.get_by_label("Paris").is_checked()
    expect(clear).to_be_hidden()
    expect(page.locator("button.qnav[data-nav-for='0']")).to_have_attribute("aria-label",
                                                                            "Question 1, not yet answered")
    assert latest_attempt().answers[0] is None
    # and the cleared answer stays cleared after a reload
    page.reload()
    assert not page.get_by_label("Paris").is_checked()
    expect(state).to_have_text("Not yet answered")
    assert page.js_errors == []


def test_the_time_alert_speaks_only_when_a_mark_is_passed(page, make_user, app):
    learner = make_user("learner")
    course = make_course()
    enrol(learner, course)
    quiz = make_quiz(course, time_limit_minutes=3)
    url = f"/courses/{course.slug}/quizzes/{quiz.slug}"
    db.session.commit()
    log_in(page, learner.email)
    page.goto(url)
    page.get_by_role("button", name="Attempt quiz now").click()
    alert = page.locator(".quiz-timer-alert")
    page.locator("#quiz-timer .quiz-timer-value").wait_for()
    page.wait_for_timeout(2500)  # a few ticks of a 3-minute attempt: no "5 minutes left"
    expect(alert).to_have_text("")

    # Two seconds before the one-minute mark: the page announces it when it gets there.
    db.session.commit()
    attempt = db.session.scalars(db.select(Attempt).order_by(Attempt.id.desc())).first()
    attempt.deadline = utcnow() + timedelta(seconds=62)
    db.session.commit()
    page.reload()
    expect(alert).to_have_text("")
    expect(alert).to_have_text("1 minute left. Your attempt is submitted when the time runs out.", timeout=6000)
    assert page.js_errors == []
