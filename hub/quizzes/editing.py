"""Building quizzes: settings, slots (fixed or random questions), order and marks.
Shared by the trainer's editor and the content loader, so both validate alike."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from typing import Literal, overload

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ..database import utcnow
from ..extensions import db
from . import bank
from .models import GRADING_METHODS, REVIEW_KEYS, Attempt, Question, QuestionCategory, Quiz, QuizSlot, default_review
from .services import QuizError

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
SETTING_KEYS = ("title", "intro", "section", "position", "published", "pass_grade", "attempts", "grading_method",
                "time_limit_minutes", "opens", "closes", "shuffle_questions", "shuffle_answers",
                "questions_per_page", "review_after_submit", "review_after_close", "feedback")


def _when(value, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=timezone.utc)
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise QuizError(f"{field}: “{value}” is not a date and time (write 2025-09-01 or 2025-09-01T18:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@overload
def _int(value, field: str, low: int, high: int | None = None, allow_none: Literal[False] = False) -> int: ...
@overload
def _int(value, field: str, low: int, high: int | None = None, *, allow_none: bool) -> int | None: ...


def _int(value, field: str, low: int, high: int | None = None, allow_none: bool = False) -> int | None:
    if value in (None, "") and allow_none:
        return None
    try:
        number = int(value)
        if isinstance(value, float) and value != number:
            raise ValueError
    except (TypeError, ValueError):
        raise QuizError(f"{field}: “{value}” is not a whole number") from None
    if number < low or (high is not None and number > high):
        raise QuizError(f"{field} must be between {low} and {high}" if high is not None
                        else f"{field} must be at least {low}")
    return number


def review_options(value, field: str) -> dict:
    """``[score, feedback]`` (the ones shown) or ``{score: true, ...}`` → a full dict."""
    if value is None:
        return default_review()
    if isinstance(value, (list, tuple)):
        unknown = [v for v in value if v not in REVIEW_KEYS]
        if unknown:
            raise QuizError(f"{field}: unknown option {unknown[0]!r} (options: {', '.join(REVIEW_KEYS)})")
        return {key: key in value for key in REVIEW_KEYS}
    if isinstance(value, dict):
        unknown = [k for k in value if k not in REVIEW_KEYS]
        if unknown:
            raise QuizError(f"{field}: unknown option {unknown[0]!r} (options: {', '.join(REVIEW_KEYS)})")
        return {key: bool(value.get(key, False)) for key in REVIEW_KEYS}
    raise QuizError(f"{field} is a list of options: {', '.join(REVIEW_KEYS)}")


def feedback_bands(value) -> list[dict]:
    bands = []
    for item in value or []:
        if not isinstance(item, dict) or "min" not in item:
            raise QuizError("feedback: each band is written {min: 80, text: \"...\"}")
        try:
            minimum = float(item["min"])
        except (TypeError, ValueError):
            raise QuizError(f"feedback: min “{item['min']}” is not a number") from None
        if not 0 <= minimum <= 100:
            raise QuizError("feedback: min is a percentage between 0 and 100")
        text = str(item.get("text") or "")
        bands.append({"min": minimum, "text_md": text, "text_html": bank.render_text(text)})
    return sorted(bands, key=lambda b: -b["min"])


def apply_settings(quiz: Quiz, settings: dict, sections: dict | None = None) -> None:
    """Validate and apply quiz settings given as plain values (course.md or a form).
    Raises QuizError with a message naming the setting."""
    if "title" in settings:
        title = " ".join(str(settings["title"] or "").split())
        if not title:
            raise QuizError("title: a quiz needs a title")
        quiz.title = title[:200]
    if "intro" in settings:
        quiz.intro_md = str(settings["intro"] or "")
        quiz.intro_html = bank.render_text(quiz.intro_md)
    if "section" in settings and sections is not None:
        slug = settings["section"]
        if slug in (None, ""):
            quiz.section = None
        elif slug not in sections:
            raise QuizError(f"section: no section “{slug}” in this course")
        else:
            quiz.section = sections[slug]
    if "position" in settings:
        quiz.position = _int(settings["position"], "position", 0)
    if "published" in settings:
        quiz.published = bool(settings["published"])
    if "pass_grade" in settings:
        try:
            grade = float(settings["pass_grade"] or 0)
        except (TypeError, ValueError):
            raise QuizError(f"pass_grade: “{settings['pass_grade']}” is not a number") from None
        if not 0 <= grade <= 100:
            raise QuizError("pass_grade is a percentage between 0 and 100")
        quiz.pass_grade = grade
    if "attempts" in settings:
        quiz.attempts_allowed = _int(settings["attempts"] or 0, "attempts", 0, 100)
    if "grading_method" in settings:
        method = settings["grading_method"] or "highest"
        if method not in GRADING_METHODS:
            raise QuizError(f"grading_method must be one of {', '.join(GRADING_METHODS)}")
        quiz.grading_method = method
    if "time_limit_minutes" in settings:
        minutes = _int(settings["time_limit_minutes"], "time_limit_minutes", 1, 24 * 60, allow_none=True)
        quiz.time_limit_minutes = minutes or None
    if "opens" in settings:
        quiz.opens_at = _when(settings["opens"], "opens")
    if "closes" in settings:
        quiz.closes_at = _when(settings["closes"], "closes")
    if quiz.opens_at and quiz.closes_at and quiz.closes_at <= quiz.opens_at:
        raise QuizError("closes must be after opens")
    for key in ("shuffle_questions", "shuffle_answers"):
        if key in settings:
            setattr(quiz, key, bool(settings[key]))
    if "questions_per_page" in settings:
        quiz.questions_per_page = _int(settings["questions_per_page"] or 0, "questions_per_page", 0, 100)
    if "review_after_submit" in settings:
        quiz.review_after_submit = review_options(settings["review_after_submit"], "review_after_submit")
    if "review_after_close" in settings:
        quiz.review_after_close = review_options(settings["review_after_close"], "review_after_close")
    if "feedback" in settings:
        quiz.feedback_bands = feedback_bands(settings["feedback"])


def settings_of(quiz: Quiz) -> dict:
    """The quiz's settings as plain values (what course.md carries)."""
    def when(value):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None

    return {
        "title": quiz.title, "section": quiz.section.slug if quiz.section else None,
        "published": quiz.published, "pass_grade": quiz.pass_grade, "attempts": quiz.attempts_allowed,
        "grading_method": quiz.grading_method, "time_limit_minutes": quiz.time_limit_minutes,
        "opens": when(quiz.opens_at), "closes": when(quiz.closes_at),
        "shuffle_questions": quiz.shuffle_questions, "shuffle_answers": quiz.shuffle_answers,
        "questions_per_page": quiz.questions_per_page,
        "review_after_submit": [k for k in REVIEW_KEYS if (quiz.review_after_submit or {}).get(k)],
        "review_after_close": [k for k in REVIEW_KEYS if (quiz.review_after_close or {}).get(k)],
        "feedback": [{"min": b["min"], "text": b["text_md"]} for b in quiz.feedback_bands or []],
        "intro": quiz.intro_md or "",
    }


def create_quiz(course, slug: str, title: str) -> Quiz:
    slug = (slug or "").strip().lower()
    if not SLUG.match(slug):
        raise QuizError(_("The short name (slug) uses lower-case letters, digits and hyphens."))
    if db.session.scalar(select(Quiz.id).where(Quiz.course_id == course.id, Quiz.slug == slug)):
        raise QuizError(_("This course has a quiz with that short name already."))
    position = db.session.scalar(select(func.count()).select_from(Quiz).where(Quiz.course_id == course.id)) or 0
    quiz = Quiz(course_id=course.id, slug=slug, title=title, position=position, published=False,
                review_after_submit=default_review(), review_after_close=default_review(), feedback_bands=[])
    db.session.add(quiz)
    apply_settings(quiz, {"title": title})
    db.session.flush()
    return quiz


def archive_quiz(quiz: Quiz) -> None:
    quiz.archived_at = utcnow()
    quiz.published = False


def has_attempts(quiz: Quiz) -> bool:
    return db.session.scalar(select(Attempt.id).where(Attempt.quiz_id == quiz.id,
                                                      Attempt.is_preview.is_(False)).limit(1)) is not None


# --- slots ----------------------------------------------------------------------------------

def renumber(quiz: Quiz) -> None:
    for position, slot in enumerate(sorted(quiz.slots, key=lambda s: (s.position, s.id or 0))):
        slot.position = position


def add_question(quiz: Quiz, question: Question, mark: float | None = None) -> QuizSlot:
    if question.course_id != quiz.course_id:
        raise QuizError(_("That question belongs to another course."))
    if any(s.question_id == question.id for s in quiz.slots):
        raise QuizError(_("“%(name)s” is in the quiz already.", name=question.name))
    slot = QuizSlot(question=question, position=len(quiz.slots), mark=mark)
    quiz.slots.append(slot)
    return slot


def add_random(quiz: Quiz, cat: QuestionCategory, count: int = 1, include_sub: bool = False,
               mark: float | None = None) -> list[QuizSlot]:
    if cat.course_id != quiz.course_id:
        raise QuizError(_("That category belongs to another course."))
    count = _int(count, "count", 1, 100)
    available = db.session.scalar(select(func.count()).select_from(Question).where(
        Question.category_id.in_(bank.subcategory_ids(cat, include_sub)), Question.archived_at.is_(None),
        Question.qtype != "description")) or 0  # COUNT(*) always returns a row
    drawn = sum(1 for s in quiz.slots if s.random_category_id == cat.id) + count
    if available < drawn:
        raise QuizError(ngettext("The category “%(category)s” has %(num)d question; the quiz would draw %(drawn)d.",
                                 "The category “%(category)s” has %(num)d questions; the quiz would draw %(drawn)d.",
                                 available, category=cat.path, drawn=drawn))
    slots = []
    for _number in range(count):
        slot = QuizSlot(random_category=cat, random_include_subcategories=include_sub, position=len(quiz.slots),
                        mark=mark if mark is not None else 1.0)
        quiz.slots.append(slot)
        slots.append(slot)
    return slots


def move_slot(quiz: Quiz, slot: QuizSlot, delta: int) -> None:
    ordered = sorted(quiz.slots, key=lambda s: s.position)
    index = ordered.index(slot)
    target = max(0, min(len(ordered) - 1, index + delta))
    ordered.insert(target, ordered.pop(index))
    for position, item in enumerate(ordered):
        item.position = position


def remove_slot(quiz: Quiz, slot: QuizSlot) -> None:
    quiz.slots.remove(slot)
    db.session.delete(slot)
    renumber(quiz)


def set_mark(slot: QuizSlot, mark) -> None:
    try:
        value = float(mark)
    except (TypeError, ValueError):
        raise QuizError(_("“%(mark)s” is not a number.", mark=mark)) from None
    if not 0 <= value <= 1000:
        raise QuizError(_("A mark is a number from 0 to 1000."))
    slot.mark = value


def total_marks(quiz: Quiz) -> float:
    return sum(s.max_mark for s in quiz.slots if s.question is None or s.question.qtype != "description")
