"""A Moodle quiz's settings (``activities/quiz_N/quiz.xml``, ``grades.xml``) as the
hub's quiz settings in course.md. Pure: no Flask.

Layout: mod/quiz/backup/moodle2/backup_quiz_stepslib.php. Review options are bit
masks of when each may be shown (mod/quiz/classes/question/display_options.php)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

from .moodle_archive import read_xml
from .moodle_backup_questions import decimal, integer, plain_text, value

GRADE_METHODS = {"1": "highest", "2": "average", "3": "first", "4": "last"}
REVIEW_IMMEDIATELY_AFTER, REVIEW_AFTER_CLOSE = 0x01000, 0x00010
REVIEW_FIELDS = {"score": "reviewmarks", "correctness": "reviewcorrectness",
                 "correct_answers": "reviewrightanswer", "feedback": "reviewspecificfeedback"}


def random_filter(condition: str) -> tuple[str, bool]:
    """The category and "include subcategories" of a random slot, from Moodle 4.0–4.2's
    ``{"questioncategoryid": ..}`` or 4.3+'s ``{"filter": {"category": ...}}``; ("", False)
    when it names none."""
    try:
        data = json.loads(condition or "{}")
        if "questioncategoryid" in data:
            return (str(data.get("questioncategoryid")),
                    str(data.get("includingsubcategories", "0")).lower() in ("1", "true"))
        category = (data.get("filter") or {}).get("category") or {}
        values = category.get("values") or [str(data.get("cat", "")).split(",")[0]]
        options = category.get("filteroptions") or {}
        return str(values[0]), bool(options.get("includesubcategories"))
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        return "", False


def mark_number(number: float) -> int | float:
    number = round(number, 7)
    return int(number) if number.is_integer() else number


def quiz_settings(quiz: ET.Element, base: Path, intro: str) -> dict:
    """The settings of ``quiz`` (its ``<quiz>`` element; ``base`` its folder; ``intro``
    its introduction already in Markdown)."""
    def when(field_name: str) -> str | None:
        stamp = integer(quiz, field_name)
        try:
            return datetime.fromtimestamp(stamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if stamp > 0 else None
        except (OverflowError, OSError, ValueError):
            return None

    def review(bit: int) -> list[str]:
        return [key for key, name in REVIEW_FIELDS.items() if integer(quiz, name) & bit]

    seconds = max(0, integer(quiz, "timelimit"))
    grade = decimal(quiz, "grade", 10.0) or 10.0
    bands: list[dict] = []
    for feedback in quiz.iterfind("feedbacks/feedback"):
        text = plain_text(value(feedback, "feedbacktext"))
        minimum = max(0.0, min(100.0, decimal(feedback, "mingrade") / grade * 100))
        if text or bands:
            bands.append({"min": round(minimum, 2), "text": text})
    shuffle = quiz.find("sections/section")
    out: dict = {
        "pass_grade": pass_grade(base),
        "attempts": min(100, max(0, integer(quiz, "attempts_number"))),
        "grading_method": GRADE_METHODS.get(value(quiz, "grademethod", "1"), "highest"),
        "time_limit_minutes": min(24 * 60, max(1, -(-seconds // 60))) if seconds else None,
        "opens": when("timeopen"), "closes": when("timeclose"),
        "shuffle_questions": value(shuffle, "shufflequestions", "0") == "1",
        "shuffle_answers": value(quiz, "shuffleanswers", "1") == "1",
        "questions_per_page": min(100, max(0, integer(quiz, "questionsperpage"))),
        "review_after_submit": review(REVIEW_IMMEDIATELY_AFTER),
        "review_after_close": review(REVIEW_AFTER_CLOSE),
        "feedback": bands,
    }
    if intro.strip():
        out["intro"] = intro
    if out["opens"] and out["closes"] and out["closes"] <= out["opens"]:
        out["closes"] = None
    return out


def pass_grade(base: Path) -> float:
    """Moodle keeps the grade to pass in the gradebook (``grades.xml``)."""
    grades = read_xml(base, "grades.xml", required=False)
    item = grades.find("grade_items/grade_item") if grades is not None else None
    if item is None:
        return 0
    maximum, passing = decimal(item, "grademax"), decimal(item, "gradepass")
    return round(max(0.0, min(100.0, passing / maximum * 100)), 2) if maximum > 0 else 0
