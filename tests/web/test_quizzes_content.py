"""Quizzes in course folders: the content loader (import, re-import keeping attempts,
errors with file and line, export) and the shipped quizzes."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from hub.courses import content
from hub.courses.content_export import export_to_path
from hub.courses.models import Course, Enrolment
from hub.extensions import db
from hub.quizzes import attempts, bank, gift, services
from hub.quizzes.models import Attempt, Question, Quiz

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "content" / "modules").glob("*/quiz.gift"))

COURSE_MD = """\
---
slug: test-course
title: Test course
summary: A course for the quiz loader tests.
kind: zone
zone: 1
language: en
order: 1
estimated_hours: 1
published: true
enrolment:
  mode: open
completion:
  lessons: all
  quizzes: [check]
  forum_posts: 0
  certificate: auto
  prerequisites: []
sections:
  - slug: basics
    title: Basics
quizzes:
{quizzes}
---
A course.
"""

LESSON = """\
---
slug: first
title: First lesson
section: basics
minutes: 5
---
Text of the lesson.

## Sources

- A source.
"""

QUIZ_GIFT = """\
// The test quiz
::One::First question?{=right ~wrong}

::Two::Second question?{T}

::Three::Third question?{=yes}
"""

SETTINGS = """\
  - slug: check
    title: Check your understanding
    file: quiz.gift
    section: basics
    pass_grade: 60
    attempts: 3
    grading_method: last
    time_limit_minutes: 20
    shuffle_answers: false
    questions_per_page: 2
    review_after_submit: [score, feedback]
    feedback:
      - {min: 80, text: "Great"}
      - {min: 0, text: "Read again"}
"""


def write_course(folder: Path, quizzes: str = SETTINGS, gift_text: str = QUIZ_GIFT, name: str = "quiz.gift") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.md").write_text(COURSE_MD.format(quizzes=textwrap.indent(quizzes.strip("\n"), "")),
                                      encoding="utf-8")
    (folder / "01-first.md").write_text(LESSON, encoding="utf-8")
    (folder / name).write_text(gift_text, encoding="utf-8")
    return folder


def import_folder(folder: Path):
    return content.import_path(folder)


def the_quiz() -> Quiz:
    return db.session.scalars(db.select(Quiz)).one()


def test_loader_imports_quiz_and_settings(app, tmp_path):
    import_folder(write_course(tmp_path / "01-test"))
    quiz = the_quiz()
    assert (quiz.slug, quiz.title, quiz.section.slug, quiz.pass_grade, quiz.attempts_allowed, quiz.grading_method,
            quiz.time_limit_minutes, quiz.questions_per_page, quiz.published) == (
        "check", "Check your understanding", "basics", 60, 3, "last", 20, 2, True)
    assert quiz.review_after_submit == {"score": True, "correctness": False, "correct_answers": False,
                                        "feedback": True}
    assert [b["min"] for b in quiz.feedback_bands] == [80, 0]
    assert [s.question.name for s in quiz.slots] == ["One", "Two", "Three"]
    assert {s.question.category.path for s in quiz.slots} == {"check"}


def test_reimport_keeps_attempts_and_updates_text(app, tmp_path, make_user):
    folder = write_course(tmp_path / "01-test")
    import_folder(folder)
    quiz = the_quiz()
    ids = {s.question.name: s.question_id for s in quiz.slots}
    learner = make_user("learner")
    course = db.session.scalars(db.select(Course)).one()
    db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
    attempt, _started = attempts.start_attempt(learner, quiz)
    attempts.save_answers(attempt, {0: {"choice": 0}, 1: {"value": True}, 2: {"text": "yes"}})
    attempts.finish_attempt(attempt)
    db.session.commit()
    assert services.passed_quiz(learner, quiz)
    changed = QUIZ_GIFT.replace("First question?", "First question, reworded?").replace(
        "::Three::Third question?{=yes}", "::Four::A new question?{F}")
    (folder / "quiz.gift").write_text(changed, encoding="utf-8")
    (folder / "course.md").write_text((folder / "course.md").read_text().replace("pass_grade: 60", "pass_grade: 50"))
    import_folder(folder)
    db.session.expire_all()
    quiz = the_quiz()
    assert quiz.pass_grade == 50
    assert [s.question.name for s in quiz.slots] == ["One", "Two", "Four"]
    assert quiz.slots[0].question_id == ids["One"] and quiz.slots[0].question.text_md == "First question, reworded?"
    three = db.session.get(Question, ids["Three"])
    assert three is not None and three.archived_at is not None  # kept for the attempt, gone from the quiz
    kept = db.session.get(Attempt, attempt.id)
    assert kept.state == "finished" and kept.grade == 100 and len(kept.responses) == 3
    assert services.passed_quiz(learner, quiz)


@pytest.mark.parametrize("quizzes,gift_text,where,words", [
    (SETTINGS, "::One::Broken{~only}\n\n::Two::ok{T}\n\n::Three::bad{#x}\n", "01-test/quiz.gift:1",
     "at least two answers"),
    (SETTINGS, "::One::Broken{~only}\n\n::Two::ok{T}\n\n::Three::bad{#x}\n", "01-test/quiz.gift:5", "not a number"),
    (SETTINGS.replace("grading_method: last", "grading_method: best"), QUIZ_GIFT, "01-test/course.md",
     "grading_method must be one of"),
    (SETTINGS.replace("section: basics", "section: nowhere"), QUIZ_GIFT, "01-test/course.md", "no section"),
    (SETTINGS.replace("file: quiz.gift", "file: missing.gift"), QUIZ_GIFT, "01-test/course.md", "not found"),
    (SETTINGS + "    colour: blue\n", QUIZ_GIFT, "01-test/course.md", "unknown setting “colour”"),
    (SETTINGS.replace("pass_grade: 60", "pass_grade: 160"), QUIZ_GIFT, "01-test/course.md", "between 0 and 100"),
    (SETTINGS.replace("review_after_submit: [score, feedback]", "review_after_submit: [marks]"), QUIZ_GIFT,
     "01-test/course.md", "unknown option 'marks'"),
])
def test_loader_errors_name_file_and_line(app, tmp_path, quizzes, gift_text, where, words):
    folder = write_course(tmp_path / "01-test", quizzes=quizzes, gift_text=gift_text)
    with pytest.raises(content.ContentError) as caught:
        import_folder(folder)
    problems = [str(e) for e in caught.value.errors]
    assert any(p.startswith(where) and words in p for p in problems), problems
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Quiz)) == 0


def test_loader_reads_moodle_xml_and_draw(app, tmp_path):
    xml = bank.moodle_xml.dumps(gift.parse(QUIZ_GIFT).questions)
    settings = SETTINGS.replace("file: quiz.gift", "file: quiz.xml") + "    draw: 2\n"
    import_folder(write_course(tmp_path / "01-test", quizzes=settings, gift_text=xml, name="quiz.xml"))
    quiz = the_quiz()
    assert len(quiz.slots) == 2 and all(s.is_random for s in quiz.slots)
    assert quiz.slots[0].random_category.path == "check"


def test_draw_uses_the_files_category_and_needs_one(app, tmp_path):
    settings = SETTINGS + "    draw: 2\n"
    import_folder(write_course(tmp_path / "01-test", quizzes=settings, gift_text="$CATEGORY: pool\n\n" + QUIZ_GIFT))
    assert {s.random_category.path for s in the_quiz().slots} == {"pool"}
    mixed = "$CATEGORY: pool\n\n" + QUIZ_GIFT + "\n$CATEGORY: other\n\n::Four::x?{T}\n"
    with pytest.raises(content.ContentError) as caught:
        import_folder(write_course(tmp_path / "02-test", quizzes=settings, gift_text=mixed))
    assert "draw needs all the questions" in str(caught.value)


def test_export_writes_gift_and_settings_that_import_again(app, tmp_path):
    import_folder(write_course(tmp_path / "src" / "01-test"))
    course = db.session.scalars(db.select(Course)).one()
    target = export_to_path(course, tmp_path / "out")
    exported_gift = (target / "quiz.gift").read_text(encoding="utf-8")
    assert "$CATEGORY" not in exported_gift and "::One::First question?{" in exported_gift
    meta = yaml.safe_load((target / "course.md").read_text(encoding="utf-8").split("---")[1])
    item = meta["quizzes"][0]
    assert (item["slug"], item["file"], item["pass_grade"], item["attempts"], item["grading_method"],
            item["time_limit_minutes"], item["section"]) == ("check", "quiz.gift", 60, 3, "last", 20, "basics")
    assert item["review_after_submit"] == ["score", "feedback"]
    first = [(q.name, q.text_md, q.data) for q in db.session.scalars(db.select(Question).order_by(Question.id))]
    import_folder(target)
    db.session.expire_all()
    again = [(q.name, q.text_md, q.data) for q in db.session.scalars(db.select(Question).order_by(Question.id))]
    assert again == first


def test_export_falls_back_to_moodle_xml_for_cloze(app, tmp_path):
    import_folder(write_course(tmp_path / "src" / "01-test"))
    course = db.session.scalars(db.select(Course)).one()
    quiz = the_quiz()
    from hub.quizzes import editing
    from hub.quizzes.parsed import QuestionDraft
    cloze, _created = bank.save_draft(course, QuestionDraft(qtype="multianswer", name="Gap",
                                                            text="Paris is in {1:MC:=France~Spain}."), "check")
    editing.add_question(quiz, cloze)
    db.session.commit()
    target = export_to_path(course, tmp_path / "out")
    assert (target / "quiz.xml").exists()
    meta = yaml.safe_load((target / "course.md").read_text(encoding="utf-8").split("---")[1])
    assert meta["quizzes"][0]["file"] == "quiz.xml"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.parent.name for p in SHIPPED])
def test_shipped_quiz_files_are_clean_moodle_gift(path):
    result = gift.parse(path.read_text(encoding="utf-8"))
    assert result.errors == [], [str(e) for e in result.errors]
    assert result.warnings == [], [str(w) for w in result.warnings]
    assert len(result.questions) >= 8
    assert all(q.named for q in result.questions), "every shipped question has a ::title:: (stable re-imports)"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.parent.name for p in SHIPPED])
def test_shipped_course_quizzes_import(app, path):
    report = content.import_path(path.parent)
    assert report.errors == []
    course = db.session.scalars(db.select(Course)).one()
    quizzes = services.quizzes_of(course)
    assert quizzes and all(len(q.slots) >= 8 for q in quizzes)
    assert set(course.completion_rules["quizzes"]) <= {q.slug for q in quizzes}


def test_authoring_guide_example_is_valid_gift():
    guide = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = guide.split("## Quizzes", 1)[1].split("\n## ", 1)[0]
    example = section.split("```\n", 2)[1].split("```", 1)[0]
    result = gift.parse(example)
    assert result.errors == [] and result.warnings == []
    assert set(result.counts()) == {"multichoice", "multiresponse", "truefalse", "shortanswer", "numerical",
                                    "match", "essay", "description"}
    assert result.questions[0].tags == ["referral"] and result.questions[0].idnumber == "PS-01"
