"""The attempt lifecycle over HTTP: start, autosave, resume, deadline and grace,
overdue closing, double submit, other users' attempts, review options."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hub import signals
from hub.database import utcnow
from hub.extensions import db
from hub.quizzes import services
from hub.quizzes.models import Attempt, Response
from tests.conftest import TEST_PASSWORD
from tests.factories import name_trainer

from .quiz_support import enrol, make_course, make_quiz, quiz_url, token_of


@pytest.fixture
def setup(app, login):
    learner = login("learner")
    course = make_course()
    enrol(learner, course)
    quiz = make_quiz(course)
    return learner, course, quiz


def start(client, course, quiz) -> Attempt:
    response = client.post(quiz_url(course, quiz, "/start"))
    assert response.status_code == 302, response.data[:300]
    return db.session.scalars(db.select(Attempt).order_by(Attempt.id.desc())).first()


def page_form(client, attempt) -> tuple[str, str]:
    html = client.get(f"/quiz-attempts/{attempt.id}").get_data(as_text=True)
    return html, token_of(html)


def right_answers(token: str) -> dict:
    # shuffle_answers is off: Paris is the first option (position 0); pairs in written order
    # would give the answers away, so choices are shuffled — resolved per attempt below.
    return {"token": token, "page": "0", "q0": "0", "q1": "true", "q2": "4", "q3": "3.14"}


def match_fields(attempt: Attempt) -> dict:
    response = next(r for r in attempt.responses if r.qtype == "match")
    pairs = response.snapshot["data"]["pairs"]
    choices = response.order["choices"]
    return {f"q{response.position}_s{stem}": str(choices.index(pairs[stem]["answer"]))
            for stem in response.order["stems"]}


def test_quiz_page_shows_settings_and_start_button(client, setup):
    learner, course, quiz = setup
    html = client.get(quiz_url(course, quiz)).get_data(as_text=True)
    assert "Final quiz" in html and "Attempt quiz now" in html


def test_anonymous_must_log_in_and_others_must_enrol(client, app, make_user, auth, setup):
    learner, course, quiz = setup
    auth.logout()
    response = client.post(quiz_url(course, quiz, "/start"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    stranger = make_user("learner")
    auth.login(stranger)
    assert "Enrol in the course" in client.get(quiz_url(course, quiz)).get_data(as_text=True)
    assert client.post(quiz_url(course, quiz, "/start")).status_code == 403


def test_full_attempt_is_graded_once_and_signal_fires(client, setup):
    learner, course, quiz = setup
    received = []

    def listener(sender, user, attempt):
        received.append((user.id, attempt.id, attempt.grade))

    signals.quiz_attempt_graded.connect(listener)
    try:
        attempt = start(client, course, quiz)
        html, token = page_form(client, attempt)
        assert "Paris" in html
        data = {**right_answers(token), **match_fields(attempt), "action": "summary"}
        response = client.post(f"/quiz-attempts/{attempt.id}/save", data=data)
        assert response.headers["Location"].endswith(f"/quiz-attempts/{attempt.id}/summary")
        summary = client.get(f"/quiz-attempts/{attempt.id}/summary").get_data(as_text=True)
        assert "You have answered every question." in summary
        first = client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
        second = client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
        assert first.status_code == second.status_code == 302
    finally:
        signals.quiz_attempt_graded.disconnect(listener)
    db.session.refresh(attempt)
    assert attempt.state == "finished" and attempt.grade == 100
    assert received == [(learner.id, attempt.id, 100)]
    assert services.passed_quiz(learner, quiz)
    assert services.final_grade(learner, quiz) == 100
    # A submitted attempt cannot be changed.
    late = client.post(f"/quiz-attempts/{attempt.id}/save", data={**right_answers(token), "q0": "1"})
    assert late.status_code == 302
    db.session.refresh(attempt)
    assert attempt.responses[0].answer == {"choice": 0}


def test_autosave_and_resume(client, setup):
    learner, course, quiz = setup
    attempt = start(client, course, quiz)
    _html, token = page_form(client, attempt)
    response = client.post(f"/quiz-attempts/{attempt.id}/autosave", data={"token": token, "page": "0", "q2": "four"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json["saved"] == 1
    # Starting again resumes the open attempt, with the saved answer in the page.
    again = start(client, course, quiz)
    assert again.id == attempt.id
    html = client.get(f"/quiz-attempts/{attempt.id}").get_data(as_text=True)
    assert 'value="four"' in html


def test_autosave_needs_the_attempt_token(client, setup):
    learner, course, quiz = setup
    attempt = start(client, course, quiz)
    response = client.post(f"/quiz-attempts/{attempt.id}/autosave", data={"token": "forged", "page": "0", "q2": "x"})
    assert response.status_code == 400
    db.session.refresh(attempt)
    assert all(r.answer is None for r in attempt.responses)


def test_expired_login_still_saves_with_the_token(client, auth, setup):
    learner, course, quiz = setup
    attempt = start(client, course, quiz)
    _html, token = page_form(client, attempt)
    auth.logout()
    response = client.post(f"/quiz-attempts/{attempt.id}/save", data={"token": token, "page": "0", "q2": "four",
                                                                      "action": "next"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.refresh(attempt)
    assert attempt.responses[2].answer == {"text": "four"}


def test_other_users_attempt_is_404(client, auth, make_user, setup):
    learner, course, quiz = setup
    attempt = start(client, course, quiz)
    _html, token = page_form(client, attempt)
    other = make_user("learner")
    enrol(other, course)
    auth.logout()
    auth.login(other)
    for url in (f"/quiz-attempts/{attempt.id}", f"/quiz-attempts/{attempt.id}/summary",
                f"/quiz-attempts/{attempt.id}/review"):
        assert client.get(url).status_code == 404, url
    # Even with the token, another logged-in user cannot write to it.
    assert client.post(f"/quiz-attempts/{attempt.id}/save", data={"token": token, "page": "0"}).status_code == 404
    assert client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token}).status_code == 404
    assert client.get("/quiz-attempts/999999").status_code == 404


def test_attempt_page_has_no_correct_answers_or_feedback(client, setup):
    learner, course, quiz = setup
    attempt = start(client, course, quiz)
    html, _token = page_form(client, attempt)
    for secret in ("Yes, Paris.", "third city", "Paris has been the capital", "Digits work too", "Right.",
                   "correct answer", "is-right", "3.14</"):
        assert secret not in html
    assert 'value="Paris"' not in html  # options carry positions, not texts or weights


def test_deadline_grace_and_overdue(client, app, setup):
    learner, course, quiz = setup
    quiz.time_limit_minutes = 10
    db.session.commit()
    attempt = start(client, course, quiz)
    assert attempt.deadline is not None
    _html, token = page_form(client, attempt)
    client.post(f"/quiz-attempts/{attempt.id}/autosave", data={"token": token, "page": "0", "q2": "four"})
    # Within the grace period: counted, and the attempt is finished (time is up).
    attempt.deadline = utcnow() - timedelta(seconds=10)
    db.session.commit()
    response = client.post(f"/quiz-attempts/{attempt.id}/save", data={**right_answers(token), "action": "next"})
    assert response.status_code == 302
    db.session.refresh(attempt)
    assert attempt.state == "finished" and not attempt.closed_overdue
    assert attempt.responses[0].answer == {"choice": 0}


def test_answers_after_grace_are_not_counted(client, setup):
    learner, course, quiz = setup
    quiz.time_limit_minutes = 5
    db.session.commit()
    attempt = start(client, course, quiz)
    _html, token = page_form(client, attempt)
    client.post(f"/quiz-attempts/{attempt.id}/autosave", data={"token": token, "page": "0", "q2": "four"})
    attempt.deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    client.post(f"/quiz-attempts/{attempt.id}/save", data={**right_answers(token), "action": "next"})
    db.session.refresh(attempt)
    assert attempt.state == "finished" and attempt.closed_overdue
    assert attempt.responses[0].answer is None  # the late answer was refused
    assert attempt.responses[2].answer == {"text": "four"}  # what was saved before counts
    assert attempt.grade == 20


def test_overdue_attempt_closed_when_learner_never_returns(client, app, auth, make_user, setup, runner):
    learner, course, quiz = setup
    quiz.time_limit_minutes = 5
    db.session.commit()
    attempt = start(client, course, quiz)
    _html, token = page_form(client, attempt)
    client.post(f"/quiz-attempts/{attempt.id}/autosave", data={"token": token, "page": "0", "q1": "true"})
    attempt.deadline = utcnow() - timedelta(minutes=3)
    db.session.commit()
    # Someone else visiting the quiz page closes it lazily.
    auth.logout()
    trainer = make_user("trainer")
    auth.login(trainer)
    assert client.get(quiz_url(course, quiz)).status_code == 200
    db.session.refresh(attempt)
    assert attempt.state == "finished" and attempt.closed_overdue and attempt.grade == 20
    assert attempt.finished_at == attempt.deadline


def test_close_overdue_command(app, runner, setup, client):
    learner, course, quiz = setup
    quiz.time_limit_minutes = 5
    db.session.commit()
    attempt = start(client, course, quiz)
    attempt.deadline = utcnow() - timedelta(minutes=3)
    db.session.commit()
    result = runner.invoke(args=["quizzes", "close-overdue"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    db.session.refresh(attempt)
    assert attempt.state == "finished" and attempt.grade == 0


def test_attempt_limit(client, setup):
    learner, course, quiz = setup
    quiz.attempts_allowed = 1
    db.session.commit()
    attempt = start(client, course, quiz)
    _html, token = page_form(client, attempt)
    client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
    response = client.post(quiz_url(course, quiz, "/start"))
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 1
    assert "used all the attempts" in client.get(quiz_url(course, quiz)).get_data(as_text=True)


@pytest.mark.parametrize("options,visible,hidden", [
    ({"score": True, "correctness": True, "correct_answers": True, "feedback": True},
     ["Mark 1 out of 1", "Yes, Paris.", "Paris has been the capital", "The correct answer is"], []),
    ({"score": True, "correctness": False, "correct_answers": False, "feedback": False},
     ["Mark 1 out of 1"], ["Yes, Paris.", "Paris has been the capital", "The correct answer is", "is-right"]),
    ({"score": False, "correctness": False, "correct_answers": False, "feedback": False},
     ["are not shown"], ["Mark 1 out of 1", "Yes, Paris.", "The correct answer is", "Grade"]),
])
def test_review_options(client, setup, options, visible, hidden):
    learner, course, quiz = setup
    quiz.review_after_submit = options
    db.session.commit()
    attempt = start(client, course, quiz)
    _html, token = page_form(client, attempt)
    client.post(f"/quiz-attempts/{attempt.id}/save", data={**right_answers(token), "action": "summary"})
    client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
    html = client.get(f"/quiz-attempts/{attempt.id}/review").get_data(as_text=True)
    for text in visible:
        assert text in html, text
    for text in hidden:
        assert text not in html, text


def test_review_after_close_applies_once_the_quiz_closed(client, setup):
    learner, course, quiz = setup
    quiz.review_after_submit = {"score": False, "correctness": False, "correct_answers": False, "feedback": False}
    quiz.review_after_close = {"score": True, "correctness": True, "correct_answers": True, "feedback": True}
    quiz.closes_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    attempt = start(client, course, quiz)
    _html, token = page_form(client, attempt)
    client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
    assert "The correct answer is" not in client.get(f"/quiz-attempts/{attempt.id}/review").get_data(as_text=True)
    quiz.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "The correct answer is" in client.get(f"/quiz-attempts/{attempt.id}/review").get_data(as_text=True)


def test_history_shows_the_grade_that_counts(client, setup):
    learner, course, quiz = setup
    quiz.grading_method = "highest"
    db.session.commit()
    for answers in ({"q0": "1"}, {"q0": "0", "q1": "true"}):
        attempt = start(client, course, quiz)
        _html, token = page_form(client, attempt)
        client.post(f"/quiz-attempts/{attempt.id}/save", data={"token": token, "page": "0", **answers,
                                                               "action": "summary"})
        client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
    html = client.get(quiz_url(course, quiz)).get_data(as_text=True)
    assert "This grade counts" in html
    assert "Your final grade for this quiz: 40%" in html
    assert services.final_grade(learner, quiz) == 40


def test_quiz_closed_and_not_yet_open(client, setup):
    learner, course, quiz = setup
    quiz.opens_at = utcnow() + timedelta(days=1)
    db.session.commit()
    assert "This quiz opens on" in client.get(quiz_url(course, quiz)).get_data(as_text=True)
    client.post(quiz_url(course, quiz, "/start"))
    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 0
    quiz.opens_at = None
    quiz.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert "This quiz closed on" in client.get(quiz_url(course, quiz)).get_data(as_text=True)


def test_deadline_never_after_the_close_date(client, setup):
    learner, course, quiz = setup
    quiz.time_limit_minutes = 120
    quiz.closes_at = utcnow() + timedelta(minutes=30)
    db.session.commit()
    attempt = start(client, course, quiz)
    assert attempt.deadline == quiz.closes_at


def test_pages_and_navigation_without_javascript(client, setup):
    learner, course, quiz = setup
    quiz.questions_per_page = 2
    db.session.commit()
    attempt = start(client, course, quiz)
    html, token = page_form(client, attempt)
    assert "Next page" in html and 'id="question-2"' not in html
    response = client.post(f"/quiz-attempts/{attempt.id}/save", data={"token": token, "page": "0", "q0": "0",
                                                                      "action": "next"})
    assert response.headers["Location"].endswith("page=1")
    page2 = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="question-2"' in page2 and "Previous page" in page2
    response = client.post(f"/quiz-attempts/{attempt.id}/save", data={"token": token, "page": "1", "q2": "4",
                                                                      "action": "page-0"})
    assert response.headers["Location"].endswith("page=0")
    db.session.refresh(attempt)
    assert attempt.responses[0].answer == {"choice": 0} and attempt.responses[2].answer == {"text": "4"}


def test_shuffle_is_stable_within_an_attempt(client, setup):
    learner, course, quiz = setup
    quiz.shuffle_questions = True
    quiz.shuffle_answers = True
    db.session.commit()
    attempt = start(client, course, quiz)
    first, _token = page_form(client, attempt)
    second, _token = page_form(client, attempt)
    body = re.compile(r'<form method="post" action="/quiz-attempts/.*?</form>', re.S)
    assert body.search(first).group(0) == body.search(second).group(0)
    orders = [(r.question_id, r.order) for r in attempt.responses]
    db.session.refresh(attempt)
    assert orders == [(r.question_id, r.order) for r in attempt.responses]


def test_preview_is_not_counted(client, app, auth, make_user, setup):
    learner, course, quiz = setup
    auth.logout()
    trainer = make_user("trainer")
    name_trainer(course, trainer)
    auth.login(trainer)
    response = client.post(quiz_url(course, quiz, "/preview"))
    assert response.status_code == 302
    attempt = db.session.scalars(db.select(Attempt).where(Attempt.user_id == trainer.id)).one()
    assert attempt.is_preview
    _html, token = page_form(client, attempt)
    client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
    db.session.refresh(attempt)
    assert attempt.state == "finished"
    assert services.final_grade(trainer, quiz) is None


def test_outline_item(app, setup, client):
    learner, course, quiz = setup
    from flask import url_for
    with app.test_request_context():
        items = services.quiz_outline(course, learner)
        assert [(i.kind, i.title, i.required, i.done) for i in items] == [("quiz", "Final quiz", True, False)]
        assert items[0].url == url_for("quizzes.quiz", course_slug=course.slug, quiz_slug=quiz.slug)
    attempt = start(client, course, quiz)
    _html, token = page_form(client, attempt)
    client.post(f"/quiz-attempts/{attempt.id}/save", data={**right_answers(token), **match_fields(attempt),
                                                           "action": "summary"})
    client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
    with app.test_request_context():
        item = services.quiz_outline(course, learner)[0]
        assert item.done is True and item.detail == "Best grade 100%"


def test_responses_hold_a_snapshot(client, setup):
    learner, course, quiz = setup
    attempt = start(client, course, quiz)
    question = quiz.slots[0].question
    question.data = {**question.data, "answers": list(reversed(question.data["answers"]))}
    db.session.commit()
    response = db.session.scalars(db.select(Response).where(Response.attempt_id == attempt.id,
                                                            Response.position == 0)).one()
    assert response.snapshot["data"]["answers"][0]["text"] == "Paris"


def test_save_and_submit_need_no_csrf_token_but_the_attempt_token(make_app, make_user):
    """An attempt outlives the CSRF token: its forms carry the attempt's own secret."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        learner = make_user("learner")
        course = make_course()
        enrol(learner, course)
        quiz = make_quiz(course)
        email, start_url = learner.email, quiz_url(course, quiz, "/start")
    client = app.test_client()

    def csrf(html: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": csrf(login_page)})
    assert client.post(start_url).status_code == 400  # ordinary forms still need the CSRF token
    quiz_page = client.get(start_url.removesuffix("/start")).get_data(as_text=True)
    response = client.post(start_url, data={"csrf_token": csrf(quiz_page)})
    attempt_url = response.headers["Location"].split("?")[0]
    token = token_of(client.get(attempt_url).get_data(as_text=True))
    saved = client.post(attempt_url + "/save", data={"token": token, "page": "0", "q0": "0", "action": "summary"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/summary")
    assert client.post(attempt_url + "/submit", data={"token": "wrong"}).status_code == 400
    submitted = client.post(attempt_url + "/submit", data={"token": token})
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/review")
    with app.app_context():
        attempt = db.session.scalars(db.select(Attempt)).one()
        assert attempt.state == "finished" and attempt.grade == 20


def test_unpublished_quiz_is_hidden_from_learners(client, app, setup):
    learner, course, quiz = setup
    quiz.published = False
    db.session.commit()
    assert client.get(quiz_url(course, quiz)).status_code == 404
    assert client.post(quiz_url(course, quiz, "/start")).status_code == 404
    with app.test_request_context():
        assert services.quiz_outline(course, learner) == []


def test_outline_for_anonymous_visitors(app, setup):
    learner, course, quiz = setup
    from flask_login import AnonymousUserMixin
    with app.test_request_context():
        [item] = services.quiz_outline(course, AnonymousUserMixin())
        assert item.done is None and item.detail == "" and item.required
