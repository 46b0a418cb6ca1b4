"""A course exported as a zip and imported into a fresh site gives back the same
quiz: fixed and random slots, marks per slot, settings, categories and questions."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

from hub.courses import content
from hub.courses.content_export import export_zip
from hub.courses.models import Course
from hub.extensions import db
from hub.quizzes import bank, editing
from hub.quizzes.models import Question, QuestionCategory, Quiz
from hub.quizzes.parsed import QuestionDraft
from tests import factories
from tests.web.test_quizzes_content import SETTINGS, write_course


def _mc(name: str, category: str, mark: float = 1.0) -> QuestionDraft:
    return QuestionDraft(qtype="multichoice", name=name, text=f"{name}: which one?", category=category,
                         default_mark=mark, data={"single": True, "shuffle": True, "numbering": "abc", "answers": [
                             {"text": "Right", "fraction": 1.0, "feedback": "Yes"},
                             {"text": "Wrong", "fraction": 0.0, "feedback": "No"}]})


def _tf(name: str, category: str) -> QuestionDraft:
    return QuestionDraft(qtype="truefalse", name=name, text=f"{name} is true.", category=category,
                         data={"correct": True, "feedback_true": "", "feedback_false": ""})


def build_course() -> Course:
    """14 slots, 13.5 marks: 5 fixed (one Cloze worth 1 whose parts add up to 6, one
    with a default mark of 2, one slot with its own mark), 9 random draws from three
    categories (one with its subcategories)."""
    course = factories.make_course("round-trip", title="Round trip")
    quiz = editing.create_quiz(course, "final", "Final check")
    fixed = [bank.save_draft(course, draft)[0] for draft in (
        _mc("Choice", "final"),
        _mc("Worth two", "final", mark=2.0),
        QuestionDraft(qtype="multianswer", name="Gaps", category="final", default_mark=1.0,
                      text="Paris is in {3:MULTICHOICE:=France~Spain} and has {3:SHORTANSWER:=2} airports."),
        _tf("Earth", "Shared"),
        QuestionDraft(qtype="essay", name="Story", text="Tell us.", category="final", default_mark=3.0,
                      data={"response_format": "editor", "lines": 10, "required": True, "grader_info": "Be kind",
                            "template": ""}),
    )]
    for index in range(4):
        bank.save_draft(course, _mc(f"Pool {index}", "Pool"))
    for index in range(3):
        bank.save_draft(course, _tf(f"Deep {index}", "Pool/Deep"))
    for index in range(2):
        bank.save_draft(course, _tf(f"Shared {index}", "Shared"))
    bank.save_draft(course, _mc("Unused", "Spare"))  # a category no quiz uses
    bank.category(course, "Pool/Empty")  # and one without questions
    described = bank.category(course, "Shared")
    described.info = "Questions several quizzes use."
    if hasattr(described, "idnumber"):
        described.info_format, described.idnumber = "markdown", "SHARED-1"
    db.session.flush()
    editing.add_question(quiz, fixed[0])
    editing.add_random(quiz, bank.category(course, "Pool"), count=3, mark=0.5)
    editing.add_question(quiz, fixed[1])
    editing.add_question(quiz, fixed[2])
    editing.add_random(quiz, bank.category(course, "Pool"), count=1, include_sub=True, mark=1.0)
    editing.add_question(quiz, fixed[3], mark=1.5)
    editing.add_random(quiz, bank.category(course, "Shared"), count=2, mark=0.25)
    editing.add_random(quiz, bank.category(course, "Pool/Deep"), count=3, mark=1.0)
    editing.add_question(quiz, fixed[4], mark=2.0)
    editing.apply_settings(quiz, {
        "intro": "Read **carefully**.", "section": "main", "published": True, "pass_grade": 70, "attempts": 2,
        "grading_method": "average", "time_limit_minutes": 25, "opens": "2030-01-01T08:00",
        "closes": "2030-02-01T18:30", "shuffle_questions": True, "shuffle_answers": False,
        "questions_per_page": 3, "review_after_submit": ["score"], "review_after_close": ["score", "feedback"],
        "feedback": [{"min": 80, "text": "Well done"}, {"min": 0, "text": "Read again"}]},
        {s.slug: s for s in course.sections})
    second = editing.create_quiz(course, "warm-up", "Warm-up")
    editing.add_random(second, bank.category(course, "Shared"), count=2)
    db.session.commit()
    assert len(quiz.slots) == 14 and editing.total_marks(quiz) == 13.5
    return course


def snapshot() -> dict:
    """Everything a course's quizzes are made of, keyed by names, never by ids."""
    course = db.session.scalars(db.select(Course)).one()
    quizzes = {}
    for quiz in db.session.scalars(db.select(Quiz).where(Quiz.course_id == course.id).order_by(Quiz.position)):
        settings = editing.settings_of(quiz)
        slots = [(slot.position,
                  (slot.question.category.path, slot.question.name) if slot.question else None,
                  slot.random_category.path if slot.random_category else None,
                  slot.random_include_subcategories if slot.is_random else None,
                  slot.mark, slot.max_mark)
                 for slot in quiz.slots]
        quizzes[quiz.slug] = {"settings": settings, "position": quiz.position, "slots": slots,
                              "total": editing.total_marks(quiz), "opens": quiz.opens_at, "closes": quiz.closes_at}
    questions = {}
    for question in db.session.scalars(db.select(Question).where(Question.archived_at.is_(None))):
        draft = bank.draft_of(question)
        questions[(draft.category, draft.name)] = {
            "qtype": draft.qtype, "text": draft.text, "text_format": draft.text_format,
            "general_feedback": draft.general_feedback, "data": draft.data, "idnumber": draft.idnumber,
            "tags": draft.tags, "default_mark": draft.default_mark, "html": question.text_html,
            "stored": bank.strip_html_keys(question.data)}
    categories = sorted((c.path, c.info, getattr(c, "info_format", None), getattr(c, "idnumber", None))
                        for c in db.session.scalars(db.select(QuestionCategory)))
    return {"quizzes": quizzes, "questions": questions, "categories": categories}


def fresh_site() -> None:
    """Every row gone, as on a site that never saw the course."""
    db.session.commit()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def test_course_zip_round_trip_keeps_the_quiz(app):
    build_course()
    before = snapshot()
    archive = export_zip(db.session.scalars(db.select(Course)).one())
    fresh_site()
    report = content.import_zip(io.BytesIO(archive))
    db.session.commit()
    db.session.expire_all()
    assert report.courses == ["round-trip"]
    after = snapshot()
    final = after["quizzes"]["final"]
    assert len(final["slots"]) == 14 and final["total"] == 13.5
    assert final["opens"] == datetime(2030, 1, 1, 8, tzinfo=timezone.utc)
    assert after["quizzes"] == before["quizzes"]
    assert after["categories"] == before["categories"]
    assert "Pool/Empty" in [c[0] for c in after["categories"]]
    assert ("Shared", "Questions several quizzes use.") in [c[:2] for c in after["categories"]]
    assert set(after["questions"]) == set(before["questions"])
    for key, fields in before["questions"].items():
        assert after["questions"][key] == fields, key
    assert after["questions"][("final", "Gaps")]["default_mark"] == 1.0


def test_round_trip_twice_changes_nothing(app):
    """A second export of the imported course imports to the same quiz again (the
    import reuses slots and questions instead of adding more)."""
    build_course()
    course = db.session.scalars(db.select(Course)).one()
    content.import_zip(io.BytesIO(export_zip(course)))
    db.session.commit()
    db.session.expire_all()
    once = snapshot()
    content.import_zip(io.BytesIO(export_zip(db.session.scalars(db.select(Course)).one())))
    db.session.commit()
    db.session.expire_all()
    assert snapshot() == once


@pytest.mark.parametrize(("slots", "words"), [
    ("[{question: Nope}]", "no question “Nope” in the category “check”"),
    ("[{random: Missing, count: 1}]", "no question category “Missing”"),
    ("[{random: check, count: 4}]", "the category “check” has 3 question(s); the quiz draws 4"),
    ("[{question: One, mark: lots}]", "mark “lots” is not a number"),
    ("[{question: One}, {question: One}]", "“One” is in the quiz already"),
    ("[{colour: red}]", "unknown key “colour”"),
])
def test_bad_slots_name_the_entry(app, tmp_path, slots, words):
    settings = SETTINGS + f"    slots: {slots}\n"
    with pytest.raises(content.ContentError) as caught:
        content.import_path(write_course(tmp_path / "01-test", quizzes=settings))
    assert "quizzes (check): slots, entry" in str(caught.value) and words in str(caught.value)


def test_slots_mix_fixed_and_random_from_a_hand_written_folder(app, tmp_path):
    settings = SETTINGS + "    slots:\n      - {question: Two, mark: 2}\n      - {random: check, count: 2}\n"
    content.import_path(write_course(tmp_path / "01-test", quizzes=settings))
    quiz = db.session.scalars(db.select(Quiz)).one()
    assert [(s.question.name if s.question else s.random_category.path, s.mark) for s in quiz.slots] == [
        ("Two", 2.0), ("check", None), ("check", None)]
