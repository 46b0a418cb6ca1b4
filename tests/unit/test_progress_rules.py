"""Completion rules measured against facts, and the SVG charts: pure functions."""
from __future__ import annotations

from datetime import datetime, timezone
from xml.etree import ElementTree

import pytest

from hub import charts
from hub.progress.reports import _cell
from hub.progress.rules import FORUM, LESSON, QUIZ, Facts, QuizFact, Requirement, measure, normalise_rules, started

T = datetime(2026, 3, 1, tzinfo=timezone.utc)


def lessons(*ids):
    return [Requirement(LESSON, str(i), f"Lesson {i}") for i in ids]


@pytest.mark.parametrize("raw, expected", [
    (None, {"lessons": "all", "quizzes": [], "forum_posts": 0}),
    ({}, {"lessons": "all", "quizzes": [], "forum_posts": 0}),
    ({"lessons": "none", "quizzes": ["a", "a", " b "], "forum_posts": "3"},
     {"lessons": "none", "quizzes": ["a", "b"], "forum_posts": 3}),
    ({"lessons": False, "quizzes": "a, b", "forum_posts": -2}, {"lessons": "none", "quizzes": ["a", "b"], "forum_posts": 0}),
    ({"lessons": True, "forum_posts": "many"}, {"lessons": "all", "quizzes": [], "forum_posts": 0}),
])
def test_normalise_rules(raw, expected):
    assert normalise_rules(raw) == expected


def test_lessons_only():
    m = measure(lessons(1, 2, 3, 4), Facts(lessons_done={1: T, 3: T}))
    assert (m.required, m.done, m.percent, m.met) == (4, 2, 50, False)
    assert m.next_item.title == "Lesson 2"
    m = measure(lessons(1, 2), Facts(lessons_done={1: T, 2: T}))
    assert m.met and m.percent == 100 and m.next_item is None


def test_quiz_needs_a_pass_not_just_a_grade():
    reqs = [Requirement(QUIZ, "q", "Quiz")]
    assert not measure(reqs, Facts()).met
    assert not measure(reqs, Facts(quizzes={"q": QuizFact(False, 40.0)})).met
    m = measure(reqs, Facts(quizzes={"q": QuizFact(True, 90.0, T)}))
    assert m.met and m.items[0].grade == 90.0 and m.items[0].done_at == T


def test_forum_posts_count_up_to_target():
    reqs = [Requirement(FORUM, "forum", "Posts", target=3)]
    m = measure(reqs, Facts(posts=2))
    assert not m.met and m.items[0].count == 2
    assert measure(reqs, Facts(posts=3)).met
    assert measure(reqs, Facts(posts=7)).met


def test_combination_needs_every_rule():
    reqs = lessons(1) + [Requirement(QUIZ, "q", "Quiz"), Requirement(FORUM, "forum", "Posts", target=1)]
    facts = Facts(lessons_done={1: T}, quizzes={"q": QuizFact(True, 80)}, posts=0)
    m = measure(reqs, facts)
    assert (m.done, m.required, m.percent, m.met) == (2, 3, 66, False)
    assert m.next_item.kind == FORUM
    facts.posts = 1
    assert measure(reqs, facts).met


def test_no_rules_is_untracked_and_never_met():
    m = measure([], Facts(lessons_done={1: T}))
    assert not m.tracked and not m.met and m.percent == 0 and m.next_item is None


def test_started():
    assert not started(Facts())
    assert started(Facts(lessons_viewed={3}))
    assert started(Facts(posts=1))
    assert started(Facts(quizzes={"q": QuizFact(False, 10)}))


def _parse(svg) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))


def test_funnel_chart_is_valid_svg_without_inline_style():
    svg = charts.funnel_chart([("Enrolled", 10), ("Started", 8), ("Half <done>", 5), ("Completed", 2)], "Funnel")
    root = _parse(svg)  # well-formed XML: the label was escaped
    assert "style" not in str(svg)
    assert root.get("role") == "img"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Half <done>" in texts and "2 (20%)" in texts
    widths = [float(r.get("width")) for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("fill") == charts.BAR]
    assert widths[0] > widths[1] > widths[2] > widths[3] > 0


def test_funnel_chart_with_no_learners():
    root = _parse(charts.funnel_chart([("Enrolled", 0), ("Completed", 0)], "Empty"))
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Empty"


def test_column_chart_scales_bars():
    svg = charts.column_chart([("Jan", 0), ("Feb", 4), ("Mar", 2)], "Per month")
    root = _parse(svg)
    assert "style" not in str(svg)
    bars = [r for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    heights = [float(b.get("height")) for b in bars]
    assert heights[0] == 0 and heights[1] == pytest.approx(2 * heights[2])


@pytest.mark.parametrize("value, expected", [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-x", "'-x"),
                                             ("@cmd", "'@cmd"), ("Ana", "Ana"), (None, ""), (42, "42")])
def test_csv_cells_never_run_as_formulas(value, expected):
    assert _cell(value) == expected
