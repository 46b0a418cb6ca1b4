"""Translated lessons keep their original's shape; the report counts what is translated."""
from __future__ import annotations

from pathlib import Path

from hub.courses.translation_check import check, shape_difference, skeleton

ROOT = Path(__file__).resolve().parents[2]
LESSON = """---
title: Basic needs first
---
## Housing

!!! checklist "Before the person leaves"
    - Urgent items have an action.
    - The next appointment is fixed.

| Status | Access |
|---|---|
| Asylum seeker | 6 months |
"""


def test_the_skeleton_keeps_the_shape_and_drops_the_words():
    assert skeleton(LESSON) == ["h2", "box checklist", "item 2", "item 2", "row 2", "rule", "row 2"]


def test_a_translation_missing_a_checklist_item_differs():
    spanish = LESSON.replace("    - The next appointment is fixed.\n", "")
    assert shape_difference(LESSON, spanish.replace("Housing", "Vivienda")) == (
        "after element 2 (box checklist) the original has [item 2], the translation [nothing]")
    assert shape_difference(LESSON, LESSON.replace("Housing", "Vivienda")) == ""


def test_the_report_counts_lessons_words_pages_and_quizzes(tmp_path):
    course = tmp_path / "01-zone"
    course.mkdir()
    (course / "course.md").write_text("---\ntitle: Zone\n---\nText.\n", encoding="utf-8")
    (course / "course.es.md").write_text("---\ntitle: Zona\n---\nTexto.\n", encoding="utf-8")
    (course / "01-needs.md").write_text(LESSON, encoding="utf-8")
    (course / "02-more.md").write_text(LESSON, encoding="utf-8")
    (course / "01-needs.es.md").write_text(LESSON.replace("Housing", "Vivienda"), encoding="utf-8")
    (course / "quiz.es.gift").write_text("::A::B{T}\n", encoding="utf-8")
    (course / "02-more.da.md").write_text("---\ntitle: Mere\n---\n## Bolig\n", encoding="utf-8")
    report = check(tmp_path)
    rows = {(r.course, r.language): (r.lessons, r.course_page, r.quiz) for r in report.rows}
    assert rows == {("01-zone", "da"): (1, False, False), ("01-zone", "es"): (1, True, True)}
    assert report.lessons_per_course == {"01-zone": 2}
    assert len(report.problems) == 1 and report.problems[0].startswith("01-zone/02-more.da.md: shape differs")


def test_every_shipped_translation_keeps_its_originals_shape():
    report = check(ROOT / "content" / "modules")
    assert report.problems == []
    introduction = {r.language for r in report.rows if r.course == "00-introduction" and r.lessons == 5}
    assert {"es", "da"} <= introduction


def test_the_command_prints_the_report_and_fails_on_a_changed_shape(runner, tmp_path):
    course = tmp_path / "01-zone"
    course.mkdir()
    (course / "course.md").write_text("---\ntitle: Zone\n---\nText.\n", encoding="utf-8")
    (course / "01-needs.md").write_text(LESSON, encoding="utf-8")
    (course / "01-needs.es.md").write_text(LESSON.replace("Housing", "Vivienda"), encoding="utf-8")
    result = runner.invoke(args=["content", "translations", str(tmp_path)])
    assert result.exit_code == 0 and "01-zone" in result.output and " es " in result.output and "1 of 1" in result.output
    (course / "01-needs.es.md").write_text(LESSON.replace("| Asylum seeker | 6 months |\n", ""), encoding="utf-8")
    result = runner.invoke(args=["content", "translations", str(tmp_path)])
    assert result.exit_code == 1 and "shape differs from 01-needs.md" in result.output
