"""Scoring as Moodle scores, in plain functions (no Flask, no database).

Every question type's answer data (``data``) and a learner's response (``answer``)
are plain dicts; indices always refer to the order the question was written in, never
to the shuffled order the learner saw (the attempt maps one to the other).

Answer data per type (texts are the author's source; ``*_html`` keys may sit beside):

- ``multichoice``: ``{"single": bool, "shuffle": bool, "answers": [{"text", "fraction", "feedback"}]}``
- ``truefalse``: ``{"correct": bool, "feedback_true", "feedback_false"}``
- ``shortanswer``: ``{"case_sensitive": bool, "answers": [{"text", "fraction", "feedback"}]}``
- ``numerical``: ``{"answers": [{"value": float | None (None = any answer), "tolerance", "fraction", "feedback"}]}``
- ``match``: ``{"shuffle": bool, "pairs": [{"question", "answer"}]}`` (empty question = distractor)
- ``essay``: ``{"response_format", "lines", "grader_info", "template"}``
- ``multianswer`` (Cloze): ``{"parts": [{"kind": "shortanswer"|"numerical"|"multichoice"|"multiresponse",
  "mark": int, "answers": [...], ...}]}``
- ``description``: ``{}``

Responses: multichoice ``{"choice": i}`` / ``{"choices": [i, ...]}``, truefalse ``{"value": bool}``,
shortanswer/numerical/essay ``{"text": str}``, match ``{"choices": {"stem index": "answer text"}}``,
multianswer ``{"parts": {"part index": <response of the part>}}``.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

EPSILON = 1e-7
# Moodle's question_bank::fraction_options_full(): the only weights its forms accept.
MOODLE_FRACTIONS = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3,
                    0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)
GRADED_TYPES = ("multichoice", "truefalse", "shortanswer", "numerical", "match", "essay", "multianswer")


def is_moodle_fraction(fraction: float) -> bool:
    return any(abs(abs(fraction) - allowed) < 5e-6 for allowed in MOODLE_FRACTIONS)


def nearest_moodle_fraction(fraction: float) -> float:
    best = min(MOODLE_FRACTIONS, key=lambda allowed: abs(abs(fraction) - allowed))
    return -best if fraction < 0 else best


@dataclass
class Outcome:
    """The grade of one response. ``fraction`` is None while a person must grade it."""

    fraction: float | None
    state: str  # correct | partial | incorrect | gaveup | needsgrading | complete
    matched: list[int] = field(default_factory=list)  # answers the response hit (for feedback)
    parts: list["Outcome"] = field(default_factory=list)  # Cloze: one per embedded answer
    detail: dict = field(default_factory=dict)  # per type: match stems right/wrong


def state_for(fraction: float) -> str:
    if fraction >= 1 - EPSILON:
        return "correct"
    if fraction <= EPSILON:
        return "incorrect"
    return "partial"


def _graded(fraction: float, matched: list[int] | None = None, **kwargs) -> Outcome:
    fraction = min(1.0, max(0.0, fraction))
    return Outcome(fraction, state_for(fraction), matched or [], **kwargs)


# --- helpers -----------------------------------------------------------------------------

def normalise_text(text: str) -> str:
    """NFC, trimmed, inner whitespace collapsed: "  no   one " == "no one"."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def wildcard_match(response: str, pattern: str, case_sensitive: bool = False) -> bool:
    """Moodle's compare_string_with_wildcard: ``*`` matches anything (runs of ``*`` are
    one), ``\\*`` is a literal star, the whole response must match."""
    pattern = unicodedata.normalize("NFC", pattern or "").strip()
    response = normalise_text(response)
    bits = re.split(r"(?<!\\)\*+", pattern)
    regex = "^" + ".*".join(re.escape(re.sub(r"\s+", " ", bit.replace("\\*", "*"))) for bit in bits) + "$"
    flags = re.DOTALL | (0 if case_sensitive else re.IGNORECASE)
    return re.match(regex, response, flags) is not None


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(text: str | None) -> float | None:
    """A learner's number: ``3.14``, ``3,14`` (decimal comma), ``-2``, ``1e3``; None if not one."""
    if text is None:
        return None
    value = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if "," in value and "." not in value and value.count(",") == 1:
        value = value.replace(",", ".")
    if not _NUMBER.match(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def is_blank(qtype: str, answer: dict | None) -> bool:
    """True when the learner gave no response at all."""
    if not answer:
        return True
    if qtype == "multichoice":
        return answer.get("choice") is None and not answer.get("choices")
    if qtype == "truefalse":
        return answer.get("value") is None
    if qtype in ("shortanswer", "numerical", "essay"):
        return not (answer.get("text") or "").strip()
    if qtype == "match":
        return not any(v for v in (answer.get("choices") or {}).values())
    if qtype == "multianswer":
        parts = answer.get("parts") or {}
        return all(_part_blank(p) for p in parts.values())
    return True


def _part_blank(part: dict | None) -> bool:
    if not part:
        return True
    if "text" in part:
        return not (part.get("text") or "").strip()
    return part.get("choice") is None and not part.get("choices")


def is_complete(qtype: str, data: dict, answer: dict | None) -> bool:
    """Every blank filled: what the summary page calls "Answered"."""
    if qtype == "description":
        return True
    if is_blank(qtype, answer):
        return False
    assert answer is not None  # is_blank is True for None
    if qtype == "match":
        stems = [i for i, pair in enumerate(data.get("pairs", [])) if (pair.get("question") or "").strip()]
        chosen = answer.get("choices") or {}
        return all(chosen.get(str(i)) for i in stems)
    if qtype == "multianswer":
        parts = answer.get("parts") or {}
        return all(not _part_blank(parts.get(str(i))) for i in range(len(data.get("parts", []))))
    return True


# --- one grader per type -----------------------------------------------------------------

def grade(qtype: str, data: dict, answer: dict | None) -> Outcome:
    """Grade ``answer`` to a question of ``qtype`` with answer ``data``."""
    if qtype == "description":
        return Outcome(None, "complete")
    if qtype == "essay":
        if is_blank(qtype, answer):
            return Outcome(0.0, "gaveup")
        return Outcome(None, "needsgrading")
    if is_blank(qtype, answer):
        return Outcome(0.0, "gaveup")
    assert answer is not None  # is_blank is True for None
    grader = _GRADERS.get(qtype)
    if grader is None:
        raise ValueError(f"unknown question type {qtype!r}")
    return grader(data, answer)


def _grade_multichoice(data: dict, answer: dict) -> Outcome:
    answers = data.get("answers", [])
    if data.get("single", True):
        choice = answer.get("choice")
        if not isinstance(choice, int) or not 0 <= choice < len(answers):
            return Outcome(0.0, "gaveup")
        return _graded(float(answers[choice].get("fraction", 0)), [choice])
    chosen = sorted({c for c in answer.get("choices") or [] if isinstance(c, int) and 0 <= c < len(answers)})
    if not chosen:
        return Outcome(0.0, "gaveup")
    # Moodle: the sum of the chosen answers' weights, negative weights included, kept in 0..1.
    return _graded(sum(float(answers[c].get("fraction", 0)) for c in chosen), chosen)


def _grade_truefalse(data: dict, answer: dict) -> Outcome:
    value = bool(answer.get("value"))
    return _graded(1.0 if value == bool(data.get("correct")) else 0.0, [0 if value else 1])


def _grade_shortanswer(data: dict, answer: dict) -> Outcome:
    text = answer.get("text") or ""
    for index, item in enumerate(data.get("answers", [])):  # Moodle: the first matching answer counts
        if wildcard_match(text, item.get("text", ""), bool(data.get("case_sensitive"))):
            return _graded(float(item.get("fraction", 0)), [index])
    return _graded(0.0)


def numerical_matches(number: float, item: dict) -> bool:
    value = item.get("value")
    if value is None:
        return True  # "*": any answer (Moodle's catch-all for wrong-answer feedback)
    tolerance = abs(float(item.get("tolerance") or 0))
    slack = 1e-12 * max(1.0, abs(float(value)), tolerance)
    return float(value) - tolerance - slack <= number <= float(value) + tolerance + slack


_NUMBER_FIRST = re.compile(r"^\s*([+\-\u2212]?(?:\d[\d\s\u00a0]*(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")
_NUMBER_LAST = re.compile(r"^\s*(.*?)\s*([+\-\u2212]?(?:\d[\d\s\u00a0]*(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)\s*$")


def number_with_unit(text: str | None, units: list[dict], units_left: bool = False) -> tuple[float | None, bool]:
    """(value in the first unit, whether a known unit was given) for a response such as
    "150 cm": Moodle's answer processor divides the number by the unit's multiplier.
    No unit or an unknown one: the number as it is, and the unit is wrong."""
    match = (_NUMBER_LAST if units_left else _NUMBER_FIRST).match(text or "")
    if match is None:
        return None, False
    number_text, unit = (match.group(2), match.group(1)) if units_left else (match.group(1), match.group(2))
    number = parse_number(number_text)
    if number is None:
        return None, False
    for item in units:
        if unit == item.get("name"):
            return number / float(item.get("multiplier") or 1), True
    return number, False


def _grade_numerical(data: dict, answer: dict) -> Outcome:
    units = data.get("units") or []
    if units:
        number, unit_right = number_with_unit(answer.get("text"), units, bool(data.get("units_left")))
    else:
        number, unit_right = parse_number(answer.get("text")), True
    if number is None:
        return Outcome(0.0, "incorrect", detail={"invalid": True})
    for index, item in enumerate(data.get("answers", [])):
        if numerical_matches(number, item):
            fraction = float(item.get("fraction", 0))
            grading_type = int(data.get("unit_grading") or 0)
            if not unit_right and grading_type in (1, 2):
                # Moodle's unit penalty: a share of this response's grade (1) or of the question's (2)
                penalty = float(data.get("unit_penalty") or 0)
                fraction -= penalty * fraction if grading_type == 1 else penalty
            return _graded(fraction, [index])
    return _graded(0.0)


def match_stems(data: dict) -> list[int]:
    return [i for i, pair in enumerate(data.get("pairs", [])) if (pair.get("question") or "").strip()]


def match_choices(data: dict) -> list[str]:
    """The distinct answers of a matching question, in the order written."""
    seen: list[str] = []
    for pair in data.get("pairs", []):
        text = (pair.get("answer") or "").strip()
        if text and text not in seen:
            seen.append(text)
    return seen


def _grade_match(data: dict, answer: dict) -> Outcome:
    stems = match_stems(data)
    if not stems:
        return _graded(0.0)
    chosen = answer.get("choices") or {}
    right = [i for i in stems if (chosen.get(str(i)) or "").strip() == data["pairs"][i]["answer"].strip()]
    return _graded(len(right) / len(stems), right, detail={"right": right})


def _grade_multianswer(data: dict, answer: dict) -> Outcome:
    parts_answer = answer.get("parts") or {}
    outcomes: list[Outcome] = []
    total = earned = 0.0
    for index, part in enumerate(data.get("parts", [])):
        kind = part.get("kind")
        sub = parts_answer.get(str(index))
        if kind == "multiresponse":
            outcome = grade("multichoice", {**part, "single": False}, sub)
        elif kind == "multichoice":
            outcome = grade("multichoice", {**part, "single": True}, sub)
        else:
            outcome = grade(kind, part, sub)
        outcomes.append(outcome)
        mark = float(part.get("mark", 1) or 0)
        total += mark
        earned += mark * (outcome.fraction or 0.0)
    if total <= 0:
        return Outcome(0.0, "incorrect", parts=outcomes)
    return _graded(earned / total, parts=outcomes)


_GRADERS = {
    "multichoice": _grade_multichoice,
    "truefalse": _grade_truefalse,
    "shortanswer": _grade_shortanswer,
    "numerical": _grade_numerical,
    "match": _grade_match,
    "multianswer": _grade_multianswer,
}


# --- the right answer, for review pages ---------------------------------------------------

def right_answers(qtype: str, data: dict) -> list[int]:
    """Indices of the answers that earn full marks (multichoice, shortanswer, numerical),
    or all answers with positive weight for multiple response."""
    answers = data.get("answers", [])
    if qtype == "multichoice" and not data.get("single", True):
        return [i for i, a in enumerate(answers) if float(a.get("fraction", 0)) > 0]
    best = max((float(a.get("fraction", 0)) for a in answers), default=0)
    return [i for i, a in enumerate(answers) if best > 0 and abs(float(a.get("fraction", 0)) - best) < EPSILON
            and not (qtype == "numerical" and a.get("value") is None)]


# --- attempt and quiz grades --------------------------------------------------------------

def attempt_grade(marks: list[tuple[float | None, float]]) -> tuple[float | None, float, float | None]:
    """``marks`` = [(fraction or None, max mark)] per question → (sum of marks or None while
    any waits for a person, total of max marks, percent or None)."""
    total = sum(max_mark for _fraction, max_mark in marks)
    if any(fraction is None and max_mark > 0 for fraction, max_mark in marks):
        return None, total, None
    earned = sum((fraction or 0.0) * max_mark for fraction, max_mark in marks)
    if total <= 0:
        return earned, total, None
    return earned, total, round(100.0 * earned / total, 5)


def final_grade(grades: list[float | None], method: str) -> float | None:
    """The quiz grade from the finished attempts' grades in the order taken. Attempts
    still waiting for essay marking (None) are left out of highest/average; for
    first/last the grade is unknown until that attempt is marked (as in Moodle)."""
    if not grades:
        return None
    if method == "first":
        return grades[0]
    if method == "last":
        return grades[-1]
    known = [g for g in grades if g is not None]
    if not known:
        return None
    if method == "average":
        return round(sum(known) / len(known), 5)
    if method == "highest":
        return max(known)
    raise ValueError(f"unknown grading method {method!r}")


def passes(grade: float | None, pass_grade: float) -> bool:
    return grade is not None and grade + 1e-6 >= float(pass_grade or 0)


def band_for(grade: float | None, bands: list[dict]) -> dict | None:
    """The overall-feedback band for ``grade``: the one with the highest ``min`` not above it."""
    if grade is None:
        return None
    for band in sorted(bands or [], key=lambda b: -float(b.get("min", 0))):
        if grade + 1e-6 >= float(band.get("min", 0)):
            return band
    return None
