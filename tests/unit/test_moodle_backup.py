"""Reading Moodle course backups (hub.courses.moodle_backup): the course folder it
writes from a backup built in Moodle's layout (tests/moodle_backup_fixture.py), and
the refusals of what is not a readable backup."""
from __future__ import annotations

import io
import re
import tarfile
from pathlib import Path

import pytest
import yaml

from hub.courses.moodle_backup import BackupError, convert, unpack
from hub.courses.moodle_backup_quiz import random_filter
from hub.quizzes import moodle_xml
from tests.moodle_backup_fixture import backup_files, mbz, mbz_zip


def front(path: Path) -> tuple[dict, str]:
    _empty, meta, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(meta), body


@pytest.fixture
def converted(tmp_path):
    unpack(io.BytesIO(mbz(backup_files())), tmp_path / "backup")
    return convert(tmp_path / "backup", tmp_path / "out")


def test_course_sections_and_lessons_keep_moodles_order(converted):
    folder, report = converted
    meta, body = front(folder / "course.md")
    assert (meta["slug"], meta["title"], meta["language"], meta["published"]) == (
        "se101", "Supported employment basics", "es", False)
    assert "Learn **IPS** step by step." in body
    # sections by their number (the backup lists them out of order); unnamed ones get Moodle's names
    assert [s["title"] for s in meta["sections"]] == ["General", "Getting started", "Deeper"]
    lessons = sorted(folder.glob("0*.md"))
    assert [front(p)[0]["title"] for p in lessons] == ["Place, then train", "The IPS handbook"]
    assert [front(p)[0]["section"] for p in lessons] == ["getting-started", "deeper"]
    assert report.lessons == ["Place, then train", "The IPS handbook"]


def test_page_html_becomes_markdown_with_its_images(converted):
    folder, _report = converted
    meta, body = front(next(folder.glob("*place-then-train.md")))
    assert "### Why place first" in body and "_on the job_" in body and "* Zero exclusion" in body
    image = [line for line in body.splitlines() if line.startswith("![The IPS cycle](images/")]
    assert image, body
    assert (folder / image[0].split("(")[1].rstrip(")")).read_bytes().startswith(b"\x89PNG")
    assert "@@PLUGINFILE@@" not in body and "Handout" in body and "handout.pdf" not in body


def test_book_chapters_in_page_order_hidden_left_out(converted):
    folder, _report = converted
    meta, body = front(next(folder.glob("*the-ips-handbook.md")))
    assert meta["published"] is False  # the book was hidden in Moodle
    assert body.index("## Getting to know the person") < body.index("### Follow-along support")
    assert "Draft notes" not in body and "](images/" in body


def test_quiz_settings_slots_and_marks(converted):
    folder, _report = converted
    quiz = front(folder / "course.md")[0]["quizzes"][0]
    assert {k: quiz[k] for k in ("slug", "section", "pass_grade", "attempts", "grading_method",
                                 "time_limit_minutes", "opens", "closes", "shuffle_questions", "shuffle_answers",
                                 "questions_per_page")} == {
        "slug": "check-your-understanding", "section": "deeper", "pass_grade": 60.0, "attempts": 3,
        "grading_method": "average", "time_limit_minutes": 21, "opens": "2026-01-01T00:00:00Z", "closes": None,
        "shuffle_questions": True, "shuffle_answers": False, "questions_per_page": 2}
    assert quiz["review_after_submit"] == ["score", "feedback"]
    assert quiz["review_after_close"] == ["score", "correctness", "correct_answers"]
    assert quiz["feedback"] == [{"min": 80.0, "text": "Well done"}, {"min": 0.0, "text": "Read the book again"}]
    assert "**open book**" in quiz["intro"]
    assert quiz["slots"] == [
        {"question": "Place then train", "category": "Default for SE101", "mark": 2},
        {"question": "Gaps", "category": "Default for SE101", "mark": 1},
        {"random": "Default for SE101/Pool", "count": 2, "mark": 0.5},  # Moodle 4.3+ and 4.0 filters alike
        {"question": "Rapid job search", "category": "Default for SE101", "mark": 1},
    ]


def test_quiz_file_reads_as_moodle_xml(converted):
    folder, _report = converted
    result = moodle_xml.parse((folder / "quiz-check-your-understanding.xml").read_text(encoding="utf-8"))
    assert result.errors == []
    by_name = {q.name: q for q in result.questions}
    assert set(by_name) == {"Place then train", "Gaps", "Rapid job search", "Pool question 1", "Pool question 2",
                            "Pool question 3"}
    newest = by_name["Place then train"]
    assert "Which comes first?" in newest.text and "/courses/se101/media/" in newest.text  # the newest version
    assert (newest.idnumber, newest.tags, newest.default_mark) == ("IPS-1", ["IPS"], 2.0)
    assert "{1:SHORTANSWER:=individual}" in by_name["Gaps"].text and "{#1}" not in by_name["Gaps"].text
    assert by_name["Rapid job search"].data["correct"] is True


def test_unused_questions_and_empty_categories_go_to_the_bank_file(converted):
    folder, _report = converted
    assert front(folder / "course.md")[0]["question_bank"] == "questions.xml"
    result = moodle_xml.parse((folder / "questions.xml").read_text(encoding="utf-8"))
    assert result.errors == []
    assert {q.name: q.qtype for q in result.questions} == {
        "Acronym": "shortanswer", "Principles": "numerical", "Roles": "match", "Reflect": "essay"}
    assert "Default for SE101/Empty drawer" in result.categories and "Default" not in result.categories


def test_report_lists_what_was_not_converted(converted):
    _folder, report = converted
    lines = report.lines()
    assert "forum activity “Announcements” (General): not converted" in lines
    assert "assign activity “Write a plan” (Getting started): not converted" in lines
    assert "question “Wage sum” (calculated): question type not supported" in lines
    assert any("“Wage sum” was left out" in line for line in lines)
    assert "file “handout.pdf” in “Place, then train”: only images are imported" in lines
    assert "summary of the section “Getting started”: not imported" in lines
    assert (report.images, report.questions) == (2, 10)


def test_old_zip_backups_read_the_same(tmp_path):
    unpack(io.BytesIO(mbz_zip(backup_files())), tmp_path / "backup")
    folder, report = convert(tmp_path / "backup", tmp_path / "out")
    assert report.quizzes == ["Check your understanding"] and (folder / "course.md").is_file()


@pytest.mark.parametrize(("condition", "expected"), [
    ('{"questioncategoryid":"12","includingsubcategories":"1"}', ("12", True)),
    ('{"cat":"12,20","filter":{"category":{"values":["12"],"filteroptions":{"includesubcategories":false}}}}',
     ("12", False)),
    ("not json", ("", False)),
])
def test_random_slot_filters_of_each_moodle_version(condition, expected):
    assert random_filter(condition) == expected


def _unpack_and_convert(data: bytes, tmp_path: Path, **limits):
    unpack(io.BytesIO(data), tmp_path / "backup", **limits)
    return convert(tmp_path / "backup", tmp_path / "out")


@pytest.mark.parametrize(("data", "words"), [
    (b"just some text, not an archive", "not a Moodle backup (.mbz)"),
    (mbz({"readme.txt": b"hello"}), "moodle_backup.xml is missing"),
    (mbz({**backup_files(), "course/course.xml": b"<course><fullname>Broken</course>"}),
     "course/course.xml is not valid XML (line 1)"),
    (mbz({**backup_files(), "moodle_backup.xml": b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"}),
     "moodle_backup.xml uses XML entities"),
    (mbz({**backup_files(), "moodle_backup.xml": backup_files()["moodle_backup.xml"].replace(
        b"<type>course</type>", b"<type>activity</type>")}), "this is a backup of one activity, not of a course"),
    (mbz(backup_files())[:400], "the backup is damaged"),
    (mbz({**backup_files(), "moodle_backup.xml": backup_files()["moodle_backup.xml"].replace(
        b"<directory>activities/page_5</directory>", b"<directory>../../etc</directory>")}),
     "../../etc: unsafe path in the backup"),
])
def test_bad_backups_are_refused_with_a_reason(tmp_path, data, words):
    with pytest.raises(BackupError) as caught:
        _unpack_and_convert(data, tmp_path)
    assert words in str(caught.value)


def test_archive_bombs_and_unsafe_paths_are_refused(tmp_path):
    bomb = mbz({**backup_files(), "files/00/big": bytes(3 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024  # tiny packed, large unpacked
    with pytest.raises(BackupError, match="unpacks to more than 2 MB"):
        _unpack_and_convert(bomb, tmp_path, max_bytes=2 * 1024 * 1024)
    with pytest.raises(BackupError, match="unpacks to more than 2 MB"):
        _unpack_and_convert(mbz_zip({"files/00/big": bytes(3 * 1024 * 1024)}), tmp_path / "z",
                            max_bytes=2 * 1024 * 1024)
    with pytest.raises(BackupError, match="more than 5 files"):
        _unpack_and_convert(mbz(backup_files()), tmp_path / "n", max_files=5)
    with pytest.raises(BackupError, match="unsafe path"):
        _unpack_and_convert(mbz({"../evil.xml": b"x"}), tmp_path / "p")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        link = tarfile.TarInfo("moodle_backup.xml")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    with pytest.raises(BackupError, match="links and special files"):
        _unpack_and_convert(buffer.getvalue(), tmp_path / "l")


def test_nonsense_numbers_fall_back_to_defaults(tmp_path):
    files = backup_files()
    quiz = files["activities/quiz_7/quiz.xml"].decode()
    for tag, nonsense in (("timelimit", "soon"), ("attempts_number", "-4"), ("timeopen", "99999999999999999"),
                          ("questionsperpage", "nan"), ("grade", "0"), ("reviewmarks", "all")):
        quiz = re.sub(f"<{tag}>[^<]*</{tag}>", f"<{tag}>{nonsense}</{tag}>", quiz)
    quiz = quiz.replace("<maxmark>2.0000000</maxmark>", "<maxmark>inf</maxmark>")
    old_filter = '{"questioncategoryid": "13", "includingsubcategories": "0"}'
    assert old_filter in quiz
    quiz = quiz.replace(old_filter, "[1, 2]")
    files["activities/quiz_7/quiz.xml"] = quiz.encode()
    folder, report = _unpack_and_convert(mbz(files), tmp_path)
    item = front(folder / "course.md")[0]["quizzes"][0]
    assert (item["time_limit_minutes"], item["attempts"], item["opens"], item["questions_per_page"]) == (
        None, 0, None, 0)
    assert item["review_after_submit"] == ["feedback"] and item["slots"][0]["mark"] == 1
    assert any(s.reason == "slot" and s.title == "random question" for s in report.skipped)
