"""Moodle XML through the hub's pages: embedded images stored with the course's images
and given back on export, categories with their description and ID number, hints and
combined feedback on the review page, units in grading."""
from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from hub.extensions import db
from hub.quizzes import bank, editing, moodle_xml
from hub.quizzes.models import Attempt, Question, QuestionCategory

from .quiz_support import enrol, make_course, quiz_url, token_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(60))
PDF = b"%PDF-1.4\n" + bytes(40)


def quiz(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"


def with_file(name: str, data: bytes, extra: str = "") -> str:
    return quiz(f"""<question type="truefalse"><name><text>Picture</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Is this a flag? <img src="@@PLUGINFILE@@/{quote(name)}" alt="a flag"></p>{extra}]]></text>
      <file name="{name}" path="/" encoding="base64">{base64.b64encode(data).decode()}</file>
    </questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <answer fraction="100" format="moodle_auto_format"><text>true</text>
      <feedback format="html"><text></text></feedback></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text>
      <feedback format="html"><text></text></feedback></answer>
  </question>""")


@pytest.fixture
def trainer_course(app, login):
    trainer = login("trainer")
    return trainer, make_course(trainer=trainer)


def upload(client, course, text: str, name: str = "moodle.xml"):
    data = {"file": (io.BytesIO(text.encode()), name), "category": ""}
    return client.post(f"/courses/{course.slug}/questions/import", data=data, content_type="multipart/form-data")


def only_question(course) -> Question:
    return db.session.scalars(db.select(Question).where(Question.course_id == course.id)).one()


def test_embedded_image_is_stored_served_and_exported(client, app, trainer_course):
    trainer, course = trainer_course
    response = upload(client, course, with_file("flag 1.png", PNG))
    assert response.status_code == 200 and "1 question imported" in response.get_data(as_text=True)
    question = only_question(course)
    match = re.search(r'/courses/course-one/media/([0-9a-f]{24}\.png)', question.text_md)
    assert match and "@@PLUGINFILE@@" not in question.text_md + question.text_html
    assert f'src="/courses/course-one/media/{match.group(1)}"' in question.text_html
    image = client.get(f"/courses/course-one/media/{match.group(1)}")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == PNG

    upload(client, course, with_file("flag 1.png", PNG))  # importing again stores nothing new
    stored = list((Path(app.config["UPLOAD_PATH"]) / "courses" / str(course.id)).iterdir())
    assert [p.name for p in stored] == [match.group(1)]

    exported = client.get(f"/courses/{course.slug}/questions/export?format=xml").get_data(as_text=True)
    assert f'@@PLUGINFILE@@/{match.group(1)}' in exported and "/courses/course-one/media" not in exported
    assert (f'<file name="{match.group(1)}" path="/" encoding="base64">{base64.b64encode(PNG).decode()}</file>'
            in exported)
    other = make_course(slug="course-two", trainer=trainer)
    upload(client, other, exported)
    copy = only_question(other)
    assert f"/courses/course-two/media/{match.group(1)}" in copy.text_html
    assert client.get(f"/courses/course-two/media/{match.group(1)}").data == PNG


@pytest.mark.parametrize("data,limit,words", [
    (PDF, None, "only PNG, JPEG, GIF and WebP images can be stored"),
    (PNG, 20, "it is larger than 0 KB"),
])
def test_refused_embedded_files_are_reported(client, app, trainer_course, data, limit, words):
    _trainer, course = trainer_course
    if limit:
        app.config["COURSE_IMAGE_MAX_BYTES"] = limit
    html = upload(client, course, with_file("doc.png", data)).get_data(as_text=True)
    assert "1 question imported" in html
    assert "question 1 (“Picture”): the embedded file “doc.png” was not imported: " + words in html.replace(
        "&#34;", '"')


def test_categories_with_parents_description_and_idnumber(client, trainer_course):
    _trainer, course = trainer_course
    upload(client, course, quiz("""
      <question type="category"><category><text>$course$/Delta/Epsilon/Zeta</text></category>
        <info format="plain_text"><text>Zeta questions</text></info><idnumber>zeta-1</idnumber></question>
      <question type="description"><name><text>Read me</text></name>
        <questiontext format="html"><text>Hello</text></questiontext></question>"""))
    cats = {c.path: c for c in db.session.scalars(db.select(QuestionCategory).where(
        QuestionCategory.course_id == course.id))}
    assert set(cats) == {"Delta", "Delta/Epsilon", "Delta/Epsilon/Zeta"}
    zeta = cats["Delta/Epsilon/Zeta"]
    assert (zeta.info, zeta.info_format, zeta.idnumber) == ("Zeta questions", "plain", "zeta-1")
    assert only_question(course).category_id == zeta.id
    exported = client.get(f"/courses/{course.slug}/questions/export?format=xml").get_data(as_text=True)
    again = moodle_xml.parse(exported)
    assert again.category_meta == {"Delta/Epsilon/Zeta": {"info": "Zeta questions", "info_format": "plain",
                                                          "idnumber": "zeta-1"}}


MATCH_AND_UNITS = quiz("""
  <question type="matching"><name><text>Capitals</text></name>
    <questiontext format="html"><text>Match.</text></questiontext>
    <shuffleanswers>false</shuffleanswers>
    <correctfeedback format="html"><text>All right!</text></correctfeedback>
    <partiallycorrectfeedback format="html"><text>Some of it.</text></partiallycorrectfeedback>
    <incorrectfeedback format="html"><text>None of it.</text></incorrectfeedback>
    <shownumcorrect/>
    <subquestion format="html"><text>Canada</text><answer><text>Ottawa</text></answer></subquestion>
    <subquestion format="html"><text>Italy</text><answer><text>Rome</text></answer></subquestion>
    <hint format="html"><text><![CDATA[<p>Think of <em>rivers</em>.</p>]]></text><shownumcorrect/></hint>
  </question>
  <question type="numerical"><name><text>Length</text></name>
    <questiontext format="html"><text>How long?</text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>1.5</text>
      <feedback format="html"><text></text></feedback><tolerance>0</tolerance></answer>
    <units><unit><multiplier>1</multiplier><unit_name>m</unit_name></unit>
      <unit><multiplier>100</multiplier><unit_name>cm</unit_name></unit></units>
    <unitgradingtype>1</unitgradingtype><unitpenalty>0.1000000</unitpenalty><showunits>0</showunits>
    <unitsleft>0</unitsleft>
  </question>""")


def test_review_shows_combined_feedback_hints_and_grades_units(client, app, auth, make_user, trainer_course):
    trainer, course = trainer_course
    result = moodle_xml.parse(MATCH_AND_UNITS)
    assert result.ok, result.errors
    final = editing.create_quiz(course, "final-quiz", "Final quiz")
    for question in bank.import_questions(course, result, "final-quiz").saved:
        editing.add_question(final, question)
    editing.apply_settings(final, {"published": True, "shuffle_answers": False}, {})
    db.session.commit()
    auth.logout()
    learner = make_user("learner")
    enrol(learner, course)
    auth.login(learner)
    assert client.post(quiz_url(course, final, "/start")).status_code == 302
    attempt = db.session.scalars(db.select(Attempt).order_by(Attempt.id.desc())).first()
    html = client.get(f"/quiz-attempts/{attempt.id}").get_data(as_text=True)
    assert "Some of it." not in html and "rivers" not in html  # nothing of the review before it
    assert "Give the unit with the number: m, cm" in html
    match = next(r for r in attempt.responses if r.qtype == "match")
    choices = match.order["choices"]
    fields = {f"q{match.position}_s0": str(choices.index("Ottawa")),
              f"q{match.position}_s1": str(choices.index("Ottawa"))}  # one right, one wrong
    number = next(r for r in attempt.responses if r.qtype == "numerical")
    token = token_of(html)
    client.post(f"/quiz-attempts/{attempt.id}/save", data={"token": token, "page": "0", **fields,
                                                           f"q{number.position}": "150 cm"})
    client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
    db.session.refresh(number)
    assert number.fraction == 1.0
    review = client.get(f"/quiz-attempts/{attempt.id}/review").get_data(as_text=True)
    assert "Some of it." in review and "All right!" not in review
    assert "You have correctly selected 1." in review
    assert "<p>Think of <em>rivers</em>.</p>" in review
    assert "The correct answer is: 1.5 m" in review
