"""Quizzes in several languages: ``quiz.<lang>.gift`` beside the quiz file. The reader
sees the questions in their language; the grade does not depend on it."""
from __future__ import annotations

import pytest

from hub.courses import content
from hub.courses.content_export import export_to_path
from hub.extensions import db
from hub.quizzes.models import Attempt, Question
from tests.web.quiz_support import token_of
from tests.web.test_quizzes_content import SETTINGS, write_course

ORIGINAL = """\
::One::Which service registers job seekers?{=The employment service#Right.~The tax office#No.}

::Two::A first interview should end with a next appointment.{TRUE#Yes, fix it.#It should.}

::Three::What do you call the one professional who holds the plan together?{=lead professional}

::Pairs::Match each task to its zone.{
=Outreach in prison -> Zone 1
=Skills assessment -> Zone 2
}
"""
DANISH = """\
::One::Hvilken instans registrerer jobsøgende?{=Jobcentret#Rigtigt.~Skattestyrelsen#Nej.}

::Two::En første samtale bør slutte med en ny aftale.{TRUE#Ja, aftal den.#Det bør den.}

::Three::Hvad kalder man den fagperson, der holder sammen på planen?{=tovholder =koordinator}

::Pairs::Sæt hver opgave sammen med sin zone.{
=Opsøgende arbejde i fængsel -> Zone 1: opsøgende arbejde
=Kompetencevurdering -> Zone 2: afklaring
}
"""
UNSHUFFLED = SETTINGS.replace("questions_per_page: 2", "questions_per_page: 0")


def imported(tmp_path, **files):
    folder = write_course(tmp_path / "01-test", quizzes=UNSHUFFLED, gift_text=ORIGINAL)
    for name, text in files.items():
        (folder / name.replace("_", ".")).write_text(text, encoding="utf-8")
    report = content.import_path(folder)
    db.session.commit()
    return folder, report


def take(client, answers: dict) -> Attempt:
    """Start, answer by position (the same in every language) and submit."""
    assert client.post("/courses/test-course/enrol").status_code == 302
    assert client.post("/courses/test-course/quizzes/check/start").status_code == 302
    attempt = db.session.scalars(db.select(Attempt).order_by(Attempt.id.desc())).first()
    page = client.get(f"/quiz-attempts/{attempt.id}").get_data(as_text=True)
    token = token_of(page)
    pairs = next(r for r in attempt.responses if r.qtype == "match")
    fields = {f"q{pairs.position}_s{stem}": str(pairs.order["choices"].index(
        pairs.snapshot["data"]["pairs"][stem]["answer"])) for stem in pairs.order["stems"]}
    client.post(f"/quiz-attempts/{attempt.id}/save", data={"token": token, "page": "0", **answers, **fields})
    client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
    return db.session.get(Attempt, attempt.id), page


def test_a_danish_reader_takes_the_quiz_in_danish_with_the_same_grade(app, client, login, tmp_path):
    imported(tmp_path, quiz_da_gift=DANISH)
    login(language="da")
    client.post("/language", data={"lang": "da"})
    attempt, page = take(client, {"q0": "0", "q1": "true", "q2": "tovholder"})
    assert "Hvilken instans registrerer jobsøgende?" in page and "Jobcentret" in page
    assert "Opsøgende arbejde i fængsel" in page and "Zone 2: afklaring" in page
    assert "Which service" not in page and "The employment service" not in page
    assert attempt.state == "finished" and attempt.grade == 100
    review = client.get(f"/quiz-attempts/{attempt.id}/review").get_data(as_text=True)
    assert "Rigtigt." in review and "Det bør den." in review and "Right." not in review


def test_an_english_reader_of_the_same_quiz_gets_the_same_grade(app, client, login, tmp_path):
    imported(tmp_path, quiz_da_gift=DANISH)
    login()
    attempt, page = take(client, {"q0": "0", "q1": "true", "q2": "lead professional"})
    assert "Which service registers job seekers?" in page and "Hvilken" not in page
    assert attempt.grade == 100


def test_a_short_answer_is_right_in_any_of_the_quizs_languages(app, client, login, tmp_path):
    imported(tmp_path, quiz_da_gift=DANISH)
    login()  # an English page, a Danish answer
    attempt, _page = take(client, {"q0": "0", "q1": "true", "q2": "koordinator"})
    assert attempt.grade == 100


@pytest.mark.parametrize("translation, words", [
    (DANISH.replace("~Skattestyrelsen#Nej.", "~%50%Skattestyrelsen#Nej."), "“One” needs the same answers"),
    (DANISH.replace("{TRUE#", "{FALSE#"), "“Two” says TRUE where the original says FALSE"),
    (DANISH.split("::Pairs::")[0], "missing: Pairs"),
    (DANISH.replace("::One::", "::Uno::"), "not in quiz.gift: Uno"),
    (DANISH.replace("=Kompetencevurdering -> Zone 2: afklaring\n", "=Kompetencevurdering -> Zone 2: afklaring\n"
                    "=Jobsøgningskursus -> Zone 3: kvalificering\n"), "“Pairs” needs as many pairs"),
])
def test_a_translation_that_strays_from_the_original_is_refused(app, tmp_path, translation, words):
    with pytest.raises(content.ContentError) as error:
        imported(tmp_path, quiz_da_gift=translation)
    assert "quiz.da.gift" in str(error.value) and words in str(error.value), str(error.value)


def test_a_translation_in_the_course_language_is_refused(app, tmp_path):
    with pytest.raises(content.ContentError) as error:
        imported(tmp_path, quiz_en_gift=ORIGINAL)
    assert "'en' is the course language: edit quiz.gift instead" in str(error.value)


def test_export_writes_the_translation_and_it_imports_again(app, tmp_path):
    from hub.courses.services import get_by_slug

    imported(tmp_path, quiz_da_gift=DANISH)
    out = export_to_path(get_by_slug("test-course"), tmp_path / "out")
    written = (out / "quiz.da.gift").read_text(encoding="utf-8")
    assert "::One::" in written and "Jobcentret" in written and "tovholder" in written
    report = content.import_path(out)  # the exported folder imports again, translation and all
    db.session.commit()
    assert report.errors == []
    assert {t.language for q in db.session.scalars(db.select(Question)) for t in q.translations} == {"da"}


def test_removing_the_file_removes_the_translation(app, tmp_path):
    folder, _report = imported(tmp_path, quiz_da_gift=DANISH)
    (folder / "quiz.da.gift").unlink()
    content.import_path(folder)
    db.session.commit()
    assert all(not q.translations for q in db.session.scalars(db.select(Question)))


def test_the_quiz_is_named_in_the_readers_language(app, client, login, tmp_path):
    folder = write_course(tmp_path / "01-test", quizzes=UNSHUFFLED, gift_text=ORIGINAL)
    (folder / "course.da.md").write_text("---\ntitle: Testkursus\nquizzes:\n  check: Tjek din forståelse\n---\n"
                                         "Et kursus.\n", encoding="utf-8")
    content.import_path(folder)
    db.session.commit()
    login(language="da")
    client.post("/language", data={"lang": "da"})
    page = client.get("/courses/test-course/quizzes/check").get_data(as_text=True)
    assert "<h1>Tjek din forståelse</h1>" in page and "Check your understanding" not in page
    assert "Tjek din forståelse" in client.get("/courses/test-course").get_data(as_text=True)


def test_a_quiz_title_for_an_unknown_quiz_is_refused(app, tmp_path):
    folder = write_course(tmp_path / "01-test", quizzes=UNSHUFFLED, gift_text=ORIGINAL)
    (folder / "course.da.md").write_text("---\ntitle: Testkursus\nquizzes:\n  nope: Nej\n---\nEt kursus.\n",
                                         encoding="utf-8")
    with pytest.raises(content.ContentError) as error:
        content.import_path(folder)
    assert "no quiz 'nope' in course.md" in str(error.value)
