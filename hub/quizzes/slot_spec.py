"""A quiz's slots as course.md carries them (``slots:``), and which questions its
file must hold so an export imports back into the same quiz.

The short forms stay for hand-written folders: no ``slots`` means every question of
the file is a fixed slot in file order, ``draw: N`` means N random draws from the
file's one category. Anything else (random draws mixed with fixed questions, marks
of their own, subcategories) is written out slot by slot::

    slots:
      - {question: Choice, mark: 2}            # a question of the file (its title)
      - {question: Earth, category: Shared}    # ... of another category than the quiz's
      - {random: Pool, count: 3, mark: 0.5, subcategories: true}
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from . import bank, editing
from .models import Question, QuestionCategory, Quiz, QuizSlot
from .services import QuizError

ENTRY_KEYS = {"question", "category", "random", "count", "subcategories", "mark"}


@dataclass
class QuizContent:
    """What the export writes for one quiz: the questions of its file (in order) and
    either nothing (all fixed), ``draw`` or ``slots``."""

    questions: list[Question] = field(default_factory=list)
    draw: int | None = None
    slots: list[dict] | None = None


def _live(category_ids: list[int]) -> list[Question]:
    return list(db.session.scalars(select(Question).join(QuestionCategory).where(
        Question.category_id.in_(category_ids), Question.archived_at.is_(None)).order_by(
        QuestionCategory.path, Question.id)))


def describe(quiz: Quiz) -> QuizContent:
    """The shortest description of ``quiz`` that imports back into the same slots."""
    slots = sorted(quiz.slots, key=lambda s: s.position)
    fixed = [s.question for s in slots if s.question is not None]
    randoms = [s for s in slots if s.is_random]
    own = bank.category(quiz.course, quiz.slug, create=False)
    own_rest = [q for q in _live([own.id]) if q not in fixed] if own is not None else []
    if not randoms and not own_rest and all(s.mark is None for s in slots):
        return QuizContent(questions=fixed)
    sources = {(s.random_category_id, s.random_include_subcategories) for s in randoms}
    source = randoms[0].random_category if randoms else None
    if (not fixed and len(sources) == 1 and source is not None and not randoms[0].random_include_subcategories
            and all(s.mark == 1.0 for s in randoms) and (own is None or source.id == own.id or not own_rest)):
        return QuizContent(questions=_live([source.id]), draw=len(randoms))
    questions = list(fixed)
    entries: list[dict] = []
    for slot in slots:
        if slot.question is not None:
            entry: dict = {"question": slot.question.name}
            if slot.question.category.path != quiz.slug:
                entry["category"] = slot.question.category.path
        else:
            assert slot.random_category is not None
            entry = {"random": slot.random_category.path, "count": 1}
            if slot.random_include_subcategories:
                entry["subcategories"] = True
            ids = bank.subcategory_ids(slot.random_category, slot.random_include_subcategories)
            questions.extend(q for q in _live(ids) if q not in questions)
        if slot.mark is not None:
            entry["mark"] = _number(slot.mark)
        previous = entries[-1] if entries else None
        if previous and "random" in entry and {**previous, "count": 1} == entry:
            previous["count"] += 1
        else:
            entries.append(entry)
    questions.extend(q for q in own_rest if q not in questions)
    return QuizContent(questions=questions, slots=entries)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def apply(quiz: Quiz, course, entries, questions: list[Question]) -> None:
    """Set the quiz's slots from ``entries`` (course.md ``slots:``), reusing the slots
    it has so attempts keep pointing at them. Raises QuizError naming the entry."""
    if not isinstance(entries, list) or not entries:
        raise QuizError("slots: a list of {question: title} and {random: category, count: n} entries")
    by_key = {(q.category.path, q.name): q for q in questions}
    fixed = {s.question_id: s for s in quiz.slots if s.question_id is not None}
    randoms: dict[tuple[int, bool], list[QuizSlot]] = defaultdict(list)
    for slot in quiz.slots:
        if slot.is_random and slot.random_category_id is not None:
            randoms[(slot.random_category_id, slot.random_include_subcategories)].append(slot)
    drawn: dict[tuple[int, bool], int] = defaultdict(int)
    wanted: list[QuizSlot] = []
    for number, entry in enumerate(entries, 1):
        where = f"slots, entry {number}"
        if not isinstance(entry, dict):
            raise QuizError(f"{where}: write {{question: title}} or {{random: category, count: n}}")
        unknown = sorted(set(entry) - ENTRY_KEYS)
        if unknown:
            raise QuizError(f"{where}: unknown key “{unknown[0]}” (known: {', '.join(sorted(ENTRY_KEYS))})")
        mark = _mark(entry.get("mark"), where)
        if "question" in entry:
            path = bank.clean_path(str(entry.get("category") or quiz.slug))
            question = by_key.get((path, str(entry["question"])))
            if question is None:
                raise QuizError(f"{where}: the file has no question “{entry['question']}” in the category “{path}”")
            if any(s.question is question for s in wanted):
                raise QuizError(f"{where}: “{entry['question']}” is in the quiz already")
            slot = fixed.pop(question.id) if question.id in fixed else QuizSlot(question=question)
            slot.mark = mark
            wanted.append(slot)
        elif "random" in entry:
            cat = bank.category(course, str(entry["random"]), create=False)
            if cat is None:
                raise QuizError(f"{where}: no question category “{entry['random']}”")
            count = editing._int(entry.get("count", 1), f"{where}: count", 1, 100)
            key = (cat.id, bool(entry.get("subcategories", False)))
            drawn[key] += count
            available = db.session.scalar(select(func.count()).select_from(Question).where(
                Question.category_id.in_(bank.subcategory_ids(cat, key[1])), Question.archived_at.is_(None),
                Question.qtype != "description")) or 0
            if available < drawn[key]:
                raise QuizError(f"{where}: the category “{cat.path}” has {available} question(s); "
                                f"the quiz draws {drawn[key]}")
            for _draw in range(count):
                slot = (randoms[key].pop(0) if randoms[key]
                        else QuizSlot(random_category=cat, random_include_subcategories=key[1]))
                slot.mark = mark
                wanted.append(slot)
        else:
            raise QuizError(f"{where}: write {{question: title}} or {{random: category, count: n}}")
    replace_slots(quiz, wanted)


def _mark(value, where: str) -> float | None:
    if value is None:
        return None
    try:
        mark = float(value)
    except (TypeError, ValueError):
        raise QuizError(f"{where}: mark “{value}” is not a number") from None
    if not 0 <= mark <= 1000:
        raise QuizError(f"{where}: a mark is a number from 0 to 1000")
    return mark


def replace_slots(quiz: Quiz, wanted: list[QuizSlot]) -> None:
    for slot in list(quiz.slots):
        if slot not in wanted:
            quiz.slots.remove(slot)
            db.session.delete(slot)
    for position, slot in enumerate(wanted):
        slot.position = position
        if slot not in quiz.slots:
            quiz.slots.append(slot)
