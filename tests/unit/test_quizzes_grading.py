"""Grading of every question type and every grading method (pure functions)."""
from __future__ import annotations

import pytest

from hub.quizzes import cloze, gift, grading, itemstats


def data_of(source: str) -> tuple[str, dict]:
    question = gift.parse(source).questions[0]
    return question.qtype, question.data


SINGLE = data_of("Q{=Paris ~%50%Paris, France ~Lyon ~%-50%Berlin}")
MULTI = data_of("Q{~%50%Grant ~%50%Grant's wife ~%-100%No one ~%-50%Napoleon ~Someone}")


@pytest.mark.parametrize("choice,fraction,state", [(0, 1, "correct"), (1, 0.5, "partial"), (2, 0, "incorrect"),
                                                   (3, 0, "incorrect")])
def test_single_choice(choice, fraction, state):
    outcome = grading.grade(*SINGLE, {"choice": choice})
    assert outcome.fraction == fraction and outcome.state == state and outcome.matched == [choice]


@pytest.mark.parametrize("choices,fraction", [
    ([0, 1], 1.0), ([0], 0.5), ([0, 1, 4], 1.0), ([0, 1, 3], 0.5), ([0, 2], 0.0), ([2, 3], 0.0), ([1, 3], 0.0),
    ([0, 1, 2, 3, 4], 0.0),
])
def test_multiple_response_partial_credit_and_negative_weights_clamped(choices, fraction):
    assert grading.grade(*MULTI, {"choices": choices}).fraction == pytest.approx(fraction)


def test_unanswered_and_bad_indices():
    assert grading.grade(*SINGLE, None).state == "gaveup"
    assert grading.grade(*SINGLE, {"choice": 99}).state == "gaveup"
    assert grading.grade(*MULTI, {"choices": []}).state == "gaveup"
    assert grading.grade(*MULTI, {"choices": [99, -1]}).state == "gaveup"


def test_true_false():
    qtype, data = data_of("Q{F}")
    assert grading.grade(qtype, data, {"value": False}).fraction == 1
    assert grading.grade(qtype, data, {"value": True}).fraction == 0
    assert grading.grade(qtype, data, {}).state == "gaveup"


# Moodle takes the first answer that matches, so order matters: "ulysses s. grant" would
# hit "*Grant*" (50%) if it came before "Ulysses S. Grant".
SHORT = data_of("Q{=Grant =Ulysses S. Grant =%50%*Grant* =%25%U* =5\\*3}")


@pytest.mark.parametrize("text,fraction", [
    ("Grant", 1), ("  grant ", 1), ("GRANT", 1), ("General Grant", 0.5), ("Grantham", 0.5), ("ulysses   s. grant", 1),
    ("Unknown", 0.25), ("Lincoln", 0), ("5*3", 1), ("5x3", 0),
])
def test_short_answer_case_whitespace_wildcards_and_first_match(text, fraction):
    assert grading.grade(*SHORT, {"text": text}).fraction == fraction


def test_short_answer_case_sensitive():
    qtype, data = data_of("Q{=Paris}")
    data["case_sensitive"] = True
    assert grading.grade(qtype, data, {"text": "Paris"}).fraction == 1
    assert grading.grade(qtype, data, {"text": "paris"}).fraction == 0
    assert grading.grade(qtype, data, {"text": "   "}).state == "gaveup"


def test_wildcards():
    assert grading.wildcard_match("no one at all", "no*all")
    assert grading.wildcard_match("abc", "a**c")
    assert not grading.wildcard_match("abc", "a\\*c")
    assert grading.wildcard_match("a*c", "a\\*c")
    assert grading.wildcard_match("Café", "cafe\u0301")  # NFC normalised
    assert not grading.wildcard_match("nobody", "no one")
    assert not grading.wildcard_match("a.c", "abc") and not grading.wildcard_match("abc", "a.c")


NUMERIC = data_of("Q{#=1822:0#Exact =%50%1822:2#Close ~#Wrong}")


@pytest.mark.parametrize("text,fraction,matched", [
    ("1822", 1, [0]), ("1822.0", 1, [0]), ("1823", 0.5, [1]), ("1820", 0.5, [1]), ("1819.9", 0, [2]),
    ("1822.5", 0.5, [1]), ("18,22e2", 1, [0]), ("-1822", 0, [2]),
])
def test_numerical_tolerance_and_catch_all(text, fraction, matched):
    outcome = grading.grade(*NUMERIC, {"text": text})
    assert outcome.fraction == fraction and outcome.matched == matched


def test_numerical_ranges_and_invalid_numbers():
    qtype, data = data_of("Q{#3.141..3.142}")
    assert grading.grade(qtype, data, {"text": "3.141"}).fraction == 1
    assert grading.grade(qtype, data, {"text": "3.142"}).fraction == 1
    assert grading.grade(qtype, data, {"text": "3,1415"}).fraction == 1
    assert grading.grade(qtype, data, {"text": "3.143"}).fraction == 0
    invalid = grading.grade(qtype, data, {"text": "pi"})
    assert invalid.fraction == 0 and invalid.detail == {"invalid": True}
    assert grading.parse_number("1 000") == 1000 and grading.parse_number("\u22122") == -2
    assert grading.parse_number("inf") is None and grading.parse_number("1,2,3") is None


MATCH = data_of("Q{=Canada -> Ottawa =Italy -> Rome =Japan -> Tokyo = -> Paris}")


def test_matching():
    assert grading.match_choices(MATCH[1]) == ["Ottawa", "Rome", "Tokyo", "Paris"]
    assert grading.match_stems(MATCH[1]) == [0, 1, 2]
    all_right = {"choices": {"0": "Ottawa", "1": "Rome", "2": "Tokyo"}}
    assert grading.grade(*MATCH, all_right).fraction == 1
    two = grading.grade(*MATCH, {"choices": {"0": "Ottawa", "1": "Paris", "2": "Tokyo"}})
    assert two.fraction == pytest.approx(2 / 3) and two.state == "partial" and two.detail == {"right": [0, 2]}
    assert grading.grade(*MATCH, {"choices": {"0": "Ottawa"}}).fraction == pytest.approx(1 / 3)
    assert grading.grade(*MATCH, {"choices": {}}).state == "gaveup"
    assert not grading.is_complete("match", MATCH[1], {"choices": {"0": "Ottawa"}})
    assert grading.is_complete("match", MATCH[1], all_right)


def test_essay_needs_a_person_and_blank_essay_scores_zero():
    qtype, data = data_of("Write.{}")
    outcome = grading.grade(qtype, data, {"text": "My essay"})
    assert outcome.fraction is None and outcome.state == "needsgrading"
    assert grading.grade(qtype, data, {"text": "  "}).state == "gaveup"


def test_description_is_not_graded():
    assert grading.grade("description", {}, None).state == "complete"


def test_cloze_parts_weighted_by_their_marks():
    _template, parts, errors = cloze.parse(
        "A {1:MULTICHOICE:=France~Spain} B {2:NUMERICAL:=3.14:0.01~%50%3:0.2} C {1:SHORTANSWER:=Oslo~%50%Olso} "
        "D {1:MULTIRESPONSE:%50%a~%50%b~%-100%c}")
    assert errors == []
    data = {"parts": parts}
    right = {"parts": {"0": {"choice": 0}, "1": {"text": "3.141"}, "2": {"text": "oslo"}, "3": {"choices": [0, 1]}}}
    assert grading.grade("multianswer", data, right).fraction == 1
    mixed = {"parts": {"0": {"choice": 1}, "1": {"text": "3.1"}, "2": {"text": "Olso"}, "3": {"choices": [0, 2]}}}
    outcome = grading.grade("multianswer", data, mixed)
    # (0*1 + 0.5*2 + 0.5*1 + 0*1) / 5
    assert outcome.fraction == pytest.approx(1.5 / 5)
    assert [p.state for p in outcome.parts] == ["incorrect", "partial", "partial", "incorrect"]
    partial = grading.grade("multianswer", data, {"parts": {"1": {"text": "3.14"}}})
    assert partial.fraction == pytest.approx(2 / 5)
    assert not grading.is_complete("multianswer", data, {"parts": {"1": {"text": "3.14"}}})
    assert grading.grade("multianswer", data, {"parts": {}}).state == "gaveup"


def test_right_answers():
    assert grading.right_answers(*SINGLE) == [0]
    assert grading.right_answers(*MULTI) == [0, 1]
    assert grading.right_answers(*NUMERIC) == [0]


# --- attempt and quiz grades -----------------------------------------------------------------

def test_attempt_grade():
    assert grading.attempt_grade([(1.0, 1), (0.5, 2), (0.0, 1)]) == (2.0, 4, 50.0)
    assert grading.attempt_grade([(1.0, 1), (None, 5)]) == (None, 6, None)
    assert grading.attempt_grade([]) == (0.0, 0, None)


@pytest.mark.parametrize("method,expected", [("highest", 80), ("average", 50), ("first", 20), ("last", 50)])
def test_grading_methods(method, expected):
    assert grading.final_grade([20, 80, 50], method) == expected


def test_grading_methods_with_attempts_waiting_for_essay_marks():
    assert grading.final_grade([None, 60], "highest") == 60
    assert grading.final_grade([None, 60], "average") == 60
    assert grading.final_grade([None, 60], "first") is None
    assert grading.final_grade([60, None], "last") is None
    assert grading.final_grade([], "highest") is None
    with pytest.raises(ValueError):
        grading.final_grade([1], "median")


def test_pass_and_feedback_bands():
    assert grading.passes(70, 70) and not grading.passes(69.99, 70) and not grading.passes(None, 0)
    bands = [{"min": 0, "text_md": "Try again"}, {"min": 80, "text_md": "Great"}, {"min": 50, "text_md": "Good"}]
    assert grading.band_for(85, bands)["text_md"] == "Great"
    assert grading.band_for(50, bands)["text_md"] == "Good"
    assert grading.band_for(10, bands)["text_md"] == "Try again"
    assert grading.band_for(None, bands) is None


def test_moodle_fractions():
    assert grading.is_moodle_fraction(0.3333333) and grading.is_moodle_fraction(-0.5)
    assert not grading.is_moodle_fraction(0.33)
    assert grading.nearest_moodle_fraction(-0.34) == -0.3333333


# --- item statistics -------------------------------------------------------------------------

def test_facility_sd_and_discrimination():
    assert itemstats.facility([1, 0, 0.5, 0.5]) == 50
    assert itemstats.facility([]) is None
    assert itemstats.standard_deviation([1]) is None
    assert itemstats.standard_deviation([0, 1]) == pytest.approx(70.7106781)
    # learners who do well elsewhere get this question right: high discrimination
    # question [1,1,0,0] against the rest [4,3,1,0]: r = 3 / sqrt(1 * 10)
    assert itemstats.discrimination([1, 1, 0, 0], [5, 4, 1, 0]) == pytest.approx(94.86833, rel=1e-5)
    # the reverse: negative
    assert itemstats.discrimination([0, 0, 1, 1], [4, 3, 2, 1]) < 0
    # no spread: undefined
    assert itemstats.discrimination([1, 1, 1], [3, 2, 1]) is None
