"""The trainer's reports: learners and grades, CSV, per-question statistics, and the
queue of essays waiting for a mark."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..extensions import db
from . import grading, itemstats
from .models import Attempt, Question, Quiz, Response
from .services import format_percent


def finished_attempts(quiz: Quiz) -> list[Attempt]:
    return list(db.session.scalars(
        select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False), Attempt.state == "finished")
        .options(selectinload(Attempt.responses), selectinload(Attempt.user))
        .order_by(Attempt.user_id, Attempt.number)))


@dataclass
class LearnerRow:
    user: User
    attempts: list[Attempt] = field(default_factory=list)
    open_attempt: Attempt | None = None
    final: float | None = None
    passed: bool = False
    waiting: bool = False


def learner_rows(quiz: Quiz) -> list[LearnerRow]:
    rows: dict[int, LearnerRow] = {}
    for attempt in db.session.scalars(
            select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False))
            .options(selectinload(Attempt.user)).order_by(Attempt.number)):
        row = rows.setdefault(attempt.user_id, LearnerRow(attempt.user))
        if attempt.state == "finished":
            row.attempts.append(attempt)
        else:
            row.open_attempt = attempt
    for row in rows.values():
        row.final = grading.final_grade([a.grade for a in row.attempts], quiz.grading_method)
        row.passed = grading.passes(row.final, quiz.pass_grade)
        row.waiting = any(a.needs_grading for a in row.attempts)
    return sorted(rows.values(), key=lambda r: (r.user.display_name.lower(), r.user.id))


def _cell(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; quote them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def results_csv(quiz: Quiz) -> str:
    attempts = finished_attempts(quiz)
    finals = {row.user.id: row.final for row in learner_rows(quiz)}
    width = max((len(a.responses) for a in attempts), default=0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["learner", "email", "attempt", "started", "finished", "marks", "max_marks", "grade_percent",
                     "final_grade_percent", "passed"] + [f"q{i + 1}" for i in range(width)])
    for attempt in attempts:
        final = finals.get(attempt.user_id)
        marks = [("" if r.mark is None else round(r.mark, 4)) for r in attempt.responses]
        writer.writerow([_cell(attempt.user.public_name), _cell(attempt.user.email), attempt.number,
                         attempt.started_at.isoformat(timespec="seconds"),
                         attempt.finished_at.isoformat(timespec="seconds") if attempt.finished_at else "",
                         "" if attempt.marks is None else round(attempt.marks, 4), round(attempt.max_marks, 4),
                         "" if attempt.grade is None else format_percent(attempt.grade),
                         "" if final is None else format_percent(final),
                         "yes" if grading.passes(final, quiz.pass_grade) else "no"] + marks)
    return out.getvalue()


@dataclass
class QuestionStats:
    question: Question
    position: int  # first place it appears in attempts (for ordering)
    count: int
    facility: float | None
    sd: float | None
    discrimination: float | None
    random: bool


def question_statistics(quiz: Quiz, first_only: bool = False) -> tuple[list[QuestionStats], int]:
    """Statistics per question over graded attempts (or each learner's first one)."""
    attempts = [a for a in finished_attempts(quiz) if a.marks is not None and a.max_marks > 0]
    if first_only:
        firsts: dict[int, Attempt] = {}
        for attempt in attempts:
            firsts.setdefault(attempt.user_id, attempt)
        attempts = list(firsts.values())
    per_question: dict[int, list[tuple[Response, Attempt]]] = {}
    for attempt in attempts:
        for response in attempt.responses:
            if response.qtype == "description" or response.fraction is None or response.max_mark <= 0:
                continue
            per_question.setdefault(response.question_id, []).append((response, attempt))
    rows = []
    for question_id, pairs in per_question.items():
        # unmarked responses and attempts were left out above: the "is not None" tests only inform mypy
        fractions = [r.fraction for r, _a in pairs if r.fraction is not None]
        question = db.session.get(Question, question_id)
        assert question is not None  # response.question_id is a cascading foreign key
        rows.append(QuestionStats(
            question=question, position=min(r.position for r, _a in pairs), count=len(pairs),
            facility=itemstats.facility(fractions), sd=itemstats.standard_deviation(fractions),
            discrimination=itemstats.discrimination([r.fraction * r.max_mark for r, _a in pairs
                                                     if r.fraction is not None],
                                                    [a.marks for _r, a in pairs if a.marks is not None]),
            random=any(r.slot is not None and r.slot.is_random for r, _a in pairs)))
    return sorted(rows, key=lambda s: (s.position, s.question.name)), len(attempts)


def essay_queue(quiz: Quiz, include_graded: bool = False) -> list[Response]:
    stmt = (select(Response).join(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.state == "finished",
                                                 Response.qtype == "essay")
            .options(selectinload(Response.attempt).selectinload(Attempt.user))
            .order_by(Attempt.is_preview, Attempt.finished_at, Response.position))
    if include_graded:
        stmt = stmt.where(Response.state != "gaveup")
    else:
        stmt = stmt.where(Response.state == "needsgrading")
    return list(db.session.scalars(stmt))
