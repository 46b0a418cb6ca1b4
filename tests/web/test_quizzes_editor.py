"""The trainer side over HTTP: permissions, the question bank (every type in the
browser, categories, tags), GIFT/XML import with a report and export, building a quiz,
random questions, results, CSV, statistics and essay grading."""
from __future__ import annotations

import html as htmllib
import io
import re

import pytest

from hub import signals
from hub.extensions import db
from hub.quizzes import services
from hub.quizzes.models import Attempt, Question, QuestionCategory, Quiz

from .quiz_support import SAMPLE_GIFT, enrol, make_course, make_quiz, quiz_url, token_of


@pytest.fixture
def trainer_course(app, login):
    trainer = login("trainer")
    course = make_course(trainer=trainer)
    return trainer, course


def upload(client, course, text: str, name: str = "bank.gift", **fields):
    data = {"file": (io.BytesIO(text.encode()), name), "category": "", **fields}
    return client.post(f"/courses/{course.slug}/questions/import", data=data, content_type="multipart/form-data")


def questions(course) -> list[Question]:
    return list(db.session.scalars(db.select(Question).where(Question.course_id == course.id).order_by(Question.id)))


@pytest.mark.parametrize("path", ["/questions", "/questions/new", "/questions/import", "/questions/categories",
                                  "/quizzes", "/quizzes/final-quiz/settings", "/quizzes/final-quiz/questions",
                                  "/quizzes/final-quiz/results", "/quizzes/final-quiz/statistics",
                                  "/quizzes/final-quiz/grading"])
def test_only_trainers_of_the_course(client, app, auth, make_user, path):
    owner = make_user("trainer")
    course = make_course(trainer=owner)
    make_quiz(course)
    url = f"/courses/{course.slug}{path}"
    assert "/login" in client.get(url).headers.get("Location", "")
    auth.login(make_user("learner"))
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(make_user("trainer"))  # a trainer, but not of this course
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(owner)
    assert client.get(url).status_code == 200
    auth.logout()
    auth.login(make_user("admin"))
    assert client.get(url).status_code == 200


def test_import_report_and_nothing_saved_while_errors(client, trainer_course):
    trainer, course = trainer_course
    text = SAMPLE_GIFT + "\n::Broken::Oops {~only}\n\n::Weird::Pick {~%33%a ~%67%b}\n"
    html = upload(client, course, text).get_data(as_text=True)
    assert "Nothing was imported" in html
    assert "line 20: a multiple-choice question needs at least two answers" in html
    assert "%33% is not in it" in html  # the warning on non-Moodle weights
    assert "Single choice: 1" in html and "Multiple response: 1" in html and "Matching: 1" in html
    assert questions(course) == []
    html = upload(client, course, text, only_valid="y").get_data(as_text=True)
    assert "6 new questions." in html and "0 questions updated." in html
    assert len(questions(course)) == 6


def test_reimport_updates_in_place(client, trainer_course):
    trainer, course = trainer_course
    upload(client, course, SAMPLE_GIFT)
    before = {q.name: q.id for q in questions(course)}
    changed = SAMPLE_GIFT.replace("What is the capital of France?", "Which city is the capital of France?")
    html = upload(client, course, changed).get_data(as_text=True)
    assert "0 new questions." in html and "5 questions updated." in html
    after = {q.name: (q.id, q.text_md) for q in questions(course)}
    assert {name: i for name, (i, _t) in after.items()} == before
    assert after["Capital"][1] == "Which city is the capital of France?"


def test_export_gift_and_xml_reimport_elsewhere(client, app, auth, trainer_course):
    trainer, course = trainer_course
    upload(client, course, SAMPLE_GIFT)
    gift_file = client.get(f"/courses/{course.slug}/questions/export?format=gift")
    assert gift_file.status_code == 200 and "attachment" in gift_file.headers["Content-Disposition"]
    assert "::Capital::What is the capital of France?" in gift_file.get_data(as_text=True)
    xml_file = client.get(f"/courses/{course.slug}/questions/export?format=xml")
    assert xml_file.get_data(as_text=True).startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    other = make_course(slug="course-two", trainer=trainer)
    for body, name in ((gift_file.get_data(as_text=True), "x.gift"), (xml_file.get_data(as_text=True), "x.xml")):
        upload(client, other, body, name)
    copies = questions(other)
    assert len(copies) == 5  # the second import updated the first one's questions in place
    originals = {q.name: (q.qtype, q.text_md, q.data) for q in questions(course)}
    assert {q.name: (q.qtype, q.text_md, q.data) for q in copies} == originals


@pytest.mark.parametrize("qtype,source,expected_type", [
    ("multichoice", "Pick one.{=a#yes ~b#no}", "multichoice"),
    ("multiresponse", "Pick two.{~%50%a ~%50%b ~%-100%c}", "multichoice"),
    ("truefalse", "True?{T#no#yes}", "truefalse"),
    ("shortanswer", "Say it: {=hello}.", "shortanswer"),
    ("numerical", "Count.{#3:0.5}", "numerical"),
    ("match", "Match.{=a -> 1 =b -> 2}", "match"),
    ("essay", "Write.{}", "essay"),
    ("description", "Just **text**.\n\nSecond paragraph.", "description"),
    ("multianswer", "Paris is in {1:MULTICHOICE:=France~Spain} and pi is {2:NUMERICAL:=3.14:0.01}.", "multianswer"),
])
def test_every_type_can_be_created_and_edited_in_the_browser(client, trainer_course, qtype, source, expected_type):
    trainer, course = trainer_course
    form = client.get(f"/courses/{course.slug}/questions/new?type={qtype}").get_data(as_text=True)
    assert 'name="source"' in form
    response = client.post(f"/courses/{course.slug}/questions/new?type={qtype}", data={
        "name": f"My {qtype}", "category": "", "new_category": "Week 1", "tags": "alpha, beta", "default_mark": "2",
        "text_format": "markdown", "source": source, "response_lines": "10", "general_feedback": "Well done."})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    question = questions(course)[0]
    assert question.qtype == expected_type and question.name == f"My {qtype}"
    assert question.category.path == "Week 1" and question.tag_names == ["alpha", "beta"]
    edit_url = f"/courses/{course.slug}/questions/{question.id}/edit"
    page = client.get(edit_url).get_data(as_text=True)
    assert "My " + qtype in page
    # saving the editor's own rendering again changes nothing
    box = re.search(r'<textarea[^>]*name="source"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1)
    response = client.post(edit_url, data={
        "name": question.name, "category": str(question.category_id), "tags": "alpha, beta",
        "default_mark": "2", "text_format": question.text_format, "source": htmllib.unescape(box),
        "response_lines": "10", "general_feedback": question.general_feedback_md})
    assert response.status_code == 302
    again = db.session.get(Question, question.id)
    assert (again.qtype, again.data, again.text_md) == (question.qtype, question.data, question.text_md)
    assert len(questions(course)) == 1
    preview = client.get(f"/courses/{course.slug}/questions/{question.id}/preview")
    assert preview.status_code == 200


def test_editor_reports_gift_errors_with_lines_and_keeps_input(client, trainer_course):
    trainer, course = trainer_course
    response = client.post(f"/courses/{course.slug}/questions/new", data={
        "name": "Bad", "category": "", "default_mark": "1", "text_format": "markdown",
        "source": "First line\nsecond {\n~only one\n}"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Line 3: a multiple-choice question needs at least two answers" in html
    assert "~only one" in html
    assert questions(course) == []


def test_preview_question_grades_without_storing(client, trainer_course):
    trainer, course = trainer_course
    upload(client, course, SAMPLE_GIFT)
    question = questions(course)[0]
    html = client.post(f"/courses/{course.slug}/questions/{question.id}/preview", data={"q0": "0"}).get_data(
        as_text=True)
    assert "Yes, Paris." in html and "Mark 1 out of 1" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 0


def test_categories_and_delete(client, trainer_course):
    trainer, course = trainer_course
    client.post(f"/courses/{course.slug}/questions/categories", data={"path": "Week 1/Ethics"})
    paths = [c.path for c in db.session.scalars(db.select(QuestionCategory).order_by(QuestionCategory.path))]
    assert paths == ["Week 1", "Week 1/Ethics"]
    week = db.session.scalars(db.select(QuestionCategory).where(QuestionCategory.path == "Week 1")).one()
    client.post(f"/courses/{course.slug}/questions/categories/{week.id}/rename", data={"path": "Module 1"})
    paths = [c.path for c in db.session.scalars(db.select(QuestionCategory).order_by(QuestionCategory.path))]
    assert paths == ["Module 1", "Module 1/Ethics"]
    response = client.post(f"/courses/{course.slug}/questions/categories/{week.id}/delete", follow_redirects=True)
    assert "Only an empty category can be deleted" in response.get_data(as_text=True)


def test_delete_used_question_archives_it(client, app, auth, make_user, trainer_course):
    trainer, course = trainer_course
    quiz = make_quiz(course)
    learner = make_user("learner")
    enrol(learner, course)
    auth.logout()
    auth.login(learner)
    client.post(quiz_url(course, quiz, "/start"))
    auth.logout()
    auth.login(trainer)
    used_id = quiz.slots[0].question_id
    unused_id = make_quiz(course, "::Spare::Spare question{T}", slug="spare").slots[0].question_id
    client.post(f"/courses/{course.slug}/questions/{used_id}/delete")
    client.post(f"/courses/{course.slug}/questions/{unused_id}/delete")
    assert db.session.get(Question, used_id).archived_at is not None
    assert db.session.get(Question, unused_id) is None
    db.session.refresh(quiz)
    assert used_id not in [s.question_id for s in quiz.slots]
    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 1


def test_build_a_quiz_in_the_browser(client, trainer_course):
    trainer, course = trainer_course
    upload(client, course, SAMPLE_GIFT)
    response = client.post(f"/courses/{course.slug}/quizzes", data={"title": "Check", "slug": "check"})
    assert response.headers["Location"].endswith("/quizzes/check/settings")
    quiz = db.session.scalars(db.select(Quiz).where(Quiz.slug == "check")).one()
    ids = [q.id for q in questions(course)]
    client.post(quiz_url(course, quiz, "/questions/add"), data={"question": [str(i) for i in ids[:3]]})
    db.session.refresh(quiz)
    assert [s.question_id for s in quiz.slots] == ids[:3]
    client.post(quiz_url(course, quiz, f"/slots/{quiz.slots[2].id}/up"))
    db.session.refresh(quiz)
    assert [s.question_id for s in quiz.slots] == [ids[0], ids[2], ids[1]]
    client.post(quiz_url(course, quiz, f"/slots/{quiz.slots[0].id}/remove"))
    client.post(quiz_url(course, quiz, f"/slots/{quiz.slots[1].id}/mark"), data={"mark": "3"})
    db.session.refresh(quiz)
    assert [(s.question_id, s.max_mark) for s in quiz.slots] == [(ids[2], 1.0), (ids[1], 3.0)]
    category = db.session.scalars(db.select(QuestionCategory)).first()
    response = client.post(quiz_url(course, quiz, "/questions/random"),
                           data={"category": str(category.id), "count": "9"}, follow_redirects=True)
    assert "has 5 questions; the quiz would draw 9" in response.get_data(as_text=True)
    client.post(quiz_url(course, quiz, "/questions/random"), data={"category": str(category.id), "count": "2"})
    db.session.refresh(quiz)
    assert [s.is_random for s in quiz.slots] == [False, False, True, True]
    page = client.get(quiz_url(course, quiz, "/questions")).get_data(as_text=True)
    assert "Random question from" in page and "Total marks: 6" in page
    settings = {"title": "Check", "intro": "Read *first*.", "section": "main", "published": "y",
                "attempts_allowed": "2", "grading_method": "average", "pass_grade": "60",
                "time_limit_minutes": "15", "opens_at": "", "closes_at": "", "shuffle_answers": "y",
                "questions_per_page": "1", "feedback": "80 | Great\n0 | Try again",
                "review_submit_score": "y", "review_close_score": "y", "review_close_feedback": "y"}
    response = client.post(quiz_url(course, quiz, "/settings"), data=settings)
    assert response.status_code == 302
    db.session.refresh(quiz)
    assert (quiz.published, quiz.attempts_allowed, quiz.grading_method, quiz.pass_grade, quiz.time_limit_minutes,
            quiz.questions_per_page, quiz.section.slug) == (True, 2, "average", 60, 15, 1, "main")
    assert quiz.review_after_submit == {"score": True, "correctness": False, "correct_answers": False,
                                        "feedback": False}
    assert [b["min"] for b in quiz.feedback_bands] == [80, 0] and "<em>first</em>" in quiz.intro_html
    bad = client.post(quiz_url(course, quiz, "/settings"), data={**settings, "feedback": "great"})
    assert "Line 1" in bad.get_data(as_text=True)
    preview = client.post(quiz_url(course, quiz, "/preview"))
    assert preview.status_code == 302 and "/quiz-attempts/" in preview.headers["Location"]


def test_random_questions_avoid_repeats(client, app, auth, make_user, trainer_course):
    trainer, course = trainer_course
    quiz = make_quiz(course)
    category = quiz.slots[0].question.category
    for slot in list(quiz.slots):
        quiz.slots.remove(slot)
    db.session.commit()
    from hub.quizzes import editing
    editing.add_random(quiz, category, 2)
    db.session.commit()
    learner = make_user("learner")
    enrol(learner, course)
    auth.logout()
    auth.login(learner)
    seen = []
    for _round in range(2):
        client.post(quiz_url(course, quiz, "/start"))
        attempt = db.session.scalars(db.select(Attempt).order_by(Attempt.id.desc())).first()
        drawn = [r.question_id for r in attempt.responses]
        assert len(set(drawn)) == 2
        seen.append(set(drawn))
        html = client.get(f"/quiz-attempts/{attempt.id}").get_data(as_text=True)
        client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token_of(html)})
    assert not seen[0] & seen[1]  # 5 questions, 2 per attempt: the second avoids the first's


def essay_setup(client, auth, make_user, trainer, course):
    quiz = make_quiz(course, "::Pick::Pick.{=a ~b}\n\n::Essay::Describe your approach.{####Examples help.}")
    learner = make_user("learner", display_name="Lena Learner")
    enrol(learner, course)
    auth.logout()
    auth.login(learner)
    client.post(quiz_url(course, quiz, "/start"))
    attempt = db.session.scalars(db.select(Attempt)).one()
    html = client.get(f"/quiz-attempts/{attempt.id}").get_data(as_text=True)
    client.post(f"/quiz-attempts/{attempt.id}/save", data={"token": token_of(html), "page": "0", "q0": "0",
                                                           "q1": "I would listen first.", "action": "summary"})
    client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token_of(html)})
    auth.logout()
    auth.login(trainer)
    return quiz, learner, attempt


def test_essay_grading_updates_the_attempt_and_fires_the_signal(client, auth, make_user, trainer_course):
    trainer, course = trainer_course
    quiz, learner, attempt = essay_setup(client, auth, make_user, trainer, course)
    db.session.refresh(attempt)
    assert attempt.grade is None and attempt.needs_grading
    assert services.final_grade(learner, quiz) is None
    queue = client.get(quiz_url(course, quiz, "/grading")).get_data(as_text=True)
    assert "Lena Learner" in queue
    response_row = attempt.responses[1]
    url = quiz_url(course, quiz, f"/grading/{response_row.id}")
    page = client.get(url).get_data(as_text=True)
    assert "I would listen first." in page
    assert "between 0 and 1" in client.post(url, data={"mark": "5", "comment": ""}).get_data(as_text=True)
    received = []
    handler = lambda sender, user, attempt: received.append(attempt.grade)  # noqa: E731
    signals.quiz_attempt_graded.connect(handler)
    try:
        assert client.post(url, data={"mark": "0.5", "comment": "Good *start*."}).status_code == 302
    finally:
        signals.quiz_attempt_graded.disconnect(handler)
    db.session.refresh(attempt)
    assert attempt.grade == 75 and not attempt.needs_grading and received == [75]
    assert services.final_grade(learner, quiz) == 75
    assert "No essays are waiting" in client.get(quiz_url(course, quiz, "/grading")).get_data(as_text=True)
    auth.logout()
    auth.login(learner)
    review = client.get(f"/quiz-attempts/{attempt.id}/review").get_data(as_text=True)
    assert "Good <em>start</em>." in review


def test_results_csv_and_statistics(client, auth, make_user, trainer_course):
    trainer, course = trainer_course
    quiz, learner, attempt = essay_setup(client, auth, make_user, trainer, course)
    html = client.get(quiz_url(course, quiz, "/results")).get_data(as_text=True)
    assert "Lena Learner" in html and "Waiting for grading" in html
    csv = client.get(quiz_url(course, quiz, "/results?format=csv"))
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("learner,email,attempt,")
    assert lines[1].startswith("Lena Learner,")
    client.post(quiz_url(course, quiz, f"/grading/{attempt.responses[1].id}"), data={"mark": "1", "comment": ""})
    stats = client.get(quiz_url(course, quiz, "/statistics")).get_data(as_text=True)
    assert "Facility index" in stats and ">100%<" in stats and "1 attempt analysed" in stats


def test_csv_cells_cannot_become_formulas(client, auth, make_user, trainer_course):
    trainer, course = trainer_course
    quiz = make_quiz(course, "::A::a{T}\n\n::B::b{F}")
    learner = make_user("learner", display_name="=HYPERLINK(1)")
    enrol(learner, course)
    auth.logout()
    auth.login(learner)
    client.post(quiz_url(course, quiz, "/start"))
    attempt = db.session.scalars(db.select(Attempt)).one()
    html = client.get(f"/quiz-attempts/{attempt.id}").get_data(as_text=True)
    client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token_of(html)})
    auth.logout()
    auth.login(trainer)
    body = client.get(quiz_url(course, quiz, "/results?format=csv")).get_data(as_text=True)
    assert "\n'=HYPERLINK(1)," in body


def test_import_refuses_oversized_files_and_too_many_questions(client, trainer_course, app):
    trainer, course = trainer_course
    app.config["QUIZ_IMPORT_MAX_BYTES"] = 200
    html = upload(client, course, "::Q::Question? {TRUE}\n\n" * 20).get_data(as_text=True)
    assert "the file is larger than" in html and "split it into smaller files" in html
    assert questions(course) == []
    app.config["QUIZ_IMPORT_MAX_BYTES"] = 1024 * 1024
    app.config["QUIZ_IMPORT_MAX_QUESTIONS"] = 3
    text = "".join(f"::Q{i}::Question {i}? {{TRUE}}\n\n" for i in range(5))
    html = upload(client, course, text, only_valid="y").get_data(as_text=True)
    assert "the file holds 5 questions; import at most 3 at a time" in html
    assert questions(course) == []


def test_import_commits_in_batches(client, trainer_course, monkeypatch):
    """Other writers wait for one batch at most, not for the whole file."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from hub.quizzes import bank

    trainer, course = trainer_course
    monkeypatch.setattr(bank, "IMPORT_BATCH", 2)
    commits = []

    def count(session):
        if not session.in_nested_transaction():
            commits.append(1)

    event.listen(Session, "after_commit", count)
    try:
        text = "".join(f"::Q{i}::Question {i}? {{TRUE}}\n\n" for i in range(5))
        html = upload(client, course, text).get_data(as_text=True)
    finally:
        event.remove(Session, "after_commit", count)
    assert "5 new questions." in html and len(questions(course)) == 5
    assert len(commits) >= 3  # after questions 2 and 4, and at the end
