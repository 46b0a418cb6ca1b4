"""The attempt lifecycle: start (or resume), save as the learner goes, finish and grade
exactly once, close overdue attempts, mark essays, decide what a review may show.

Time is the server's: the deadline is fixed when the attempt starts (start + time limit,
never later than the quiz's close date). Answers arriving up to ``QUIZ_GRACE_SECONDS``
after it still count (a slow network, the timer's own auto-submit); later ones are
refused and the attempt is closed with what had been saved. Attempts whose learner
never comes back are closed the same way by the next visit to the quiz, its results,
or ``hub quizzes close-overdue``.

Finishing is one conditional ``UPDATE ... WHERE state = 'inprogress'``: of two
submissions (double click, two tabs, a replayed request) exactly one changes the row,
and only that one grades and announces the grade. Writers also load the attempt with
``SELECT ... FOR UPDATE`` (PostgreSQL; SQLite writers are serialised by BEGIN
IMMEDIATE), so a late save cannot change answers after the attempt was finished."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, select, update

from .. import signals
from ..database import utcnow, write_transaction
from ..extensions import db
from ..templating import format_moment
from . import bank, grading, translations
from .models import REVIEW_KEYS, Attempt, Question, Quiz, Response
from .services import QuizError

DEFAULT_GRACE_SECONDS = 60


class AttemptClosed(QuizError):
    """The attempt is finished; nothing can change it any more."""


@dataclass
class SaveResult:
    saved: int = 0  # responses changed
    counted: bool = True  # False: arrived after the deadline and its grace period
    finished: bool = False  # the attempt was finished by this request


def grace() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("QUIZ_GRACE_SECONDS", DEFAULT_GRACE_SECONDS)))


# --- queries ------------------------------------------------------------------------------

def get_for_write(attempt_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.id == attempt_id).with_for_update())


def open_attempt(user, quiz: Quiz, preview: bool = False) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id, Attempt.is_preview.is_(preview),
        Attempt.state == "inprogress").order_by(Attempt.number.desc()).limit(1))


def attempts_of(user, quiz: Quiz, preview: bool = False) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id, Attempt.is_preview.is_(preview))
        .order_by(Attempt.number)))


def attempts_left(user, quiz: Quiz) -> int | None:
    """None = unlimited."""
    if not quiz.attempts_allowed:
        return None
    used = db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id, Attempt.is_preview.is_(False))) or 0
    return max(0, quiz.attempts_allowed - used)


def pages_of(attempt: Attempt) -> list[int]:
    return sorted({r.page for r in attempt.responses})


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    return attempt.state == "inprogress" and attempt.deadline is not None and now > attempt.deadline + grace()


# --- starting -----------------------------------------------------------------------------

def start_problem(user, quiz: Quiz, now: datetime, preview: bool = False) -> str | None:
    """Why ``user`` cannot start a new attempt now (None: they can)."""
    if not quiz.slots:
        return _("This quiz has no questions yet.")
    if preview:
        return None
    if quiz.opens_at and now < quiz.opens_at:
        return _("This quiz opens on %(when)s.", when=format_moment(quiz.opens_at))
    if quiz.closes_at and now >= quiz.closes_at:
        return _("This quiz closed on %(when)s.", when=format_moment(quiz.closes_at))
    if attempts_left(user, quiz) == 0:
        return _("You have used all the attempts this quiz allows.")
    return None


def start_attempt(user, quiz: Quiz, now: datetime | None = None, preview: bool = False,
                  rng: random.Random | None = None) -> tuple[Attempt, bool]:
    """Resume the open attempt or start a new one → (attempt, started)."""
    now = now or utcnow()
    close_overdue(quiz=quiz, now=now)
    current = open_attempt(user, quiz, preview)
    if current is not None:
        return current, False
    problem = start_problem(user, quiz, now, preview)
    if problem:
        raise QuizError(problem)
    rng = rng or random.SystemRandom()
    number = (db.session.scalar(select(func.max(Attempt.number)).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id, Attempt.is_preview.is_(preview))) or 0) + 1
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes)
    if quiz.closes_at and not preview:
        deadline = min(deadline, quiz.closes_at) if deadline else quiz.closes_at
    attempt = Attempt(quiz=quiz, user_id=user.id, number=number, is_preview=preview, state="inprogress",
                      started_at=now, deadline=deadline, secret=secrets.token_urlsafe(32), max_marks=0)
    db.session.add(attempt)
    picked = _pick_questions(user, quiz, rng)
    if quiz.shuffle_questions:
        rng.shuffle(picked)
    per_page = quiz.questions_per_page or len(picked) or 1
    for position, (slot, question, mark) in enumerate(picked):
        attempt.responses.append(Response(
            position=position, page=position // per_page, slot_id=slot.id, question_id=question.id,
            qtype=question.qtype, max_mark=0.0 if question.qtype == "description" else mark,
            snapshot={"data": translations.graded_data(question), "text_html": question.text_html,
                      "general_feedback_html": question.general_feedback_html, "name": question.name,
                      "translations": translations.snapshot(question)},
            order=_answer_order(question, quiz.shuffle_answers, rng), answer=None, state="todo"))
    attempt.max_marks = sum(r.max_mark for r in attempt.responses)
    db.session.flush()
    return attempt, True


def _pick_questions(user, quiz: Quiz, rng: random.Random) -> list[tuple]:
    """(slot, question, mark) per slot; random slots draw questions not already in the
    attempt, preferring ones this learner has not met in earlier attempts."""
    slots = sorted(quiz.slots, key=lambda s: s.position)
    used = {s.question_id for s in slots if s.question_id is not None}
    seen = set(db.session.scalars(select(Response.question_id).join(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)))
    picked = []
    for slot in slots:
        if slot.question is not None:
            if slot.question.archived_at is None:
                picked.append((slot, slot.question, slot.max_mark))
            continue
        # a slot without a question is a random draw (deleting either target deletes the slot)
        assert slot.random_category is not None
        ids = bank.subcategory_ids(slot.random_category, slot.random_include_subcategories)
        candidates = [q for q in db.session.scalars(select(Question).where(
            Question.category_id.in_(ids), Question.archived_at.is_(None), Question.qtype != "description")
            .order_by(Question.id)) if q.id not in used]
        if not candidates:
            raise QuizError(_("The quiz cannot draw another question from the category “%(category)s”. Please "
                              "tell the course trainer.", category=slot.random_category.path))
        fresh = [q for q in candidates if q.id not in seen]
        question = rng.choice(fresh or candidates)
        used.add(question.id)
        picked.append((slot, question, slot.mark if slot.mark is not None else question.default_mark))
    return picked


def _answer_order(question: Question, shuffle: bool, rng: random.Random) -> dict:
    data = question.data or {}

    def maybe_shuffled(items: Iterable, allowed: bool) -> list:
        items = list(items)
        if allowed:
            rng.shuffle(items)
        return items

    if question.qtype == "multichoice":
        return {"answers": maybe_shuffled(range(len(data.get("answers", []))), shuffle and data.get("shuffle", True))}
    if question.qtype == "match":
        # The choices are always shuffled (in written order they would give the answers away).
        return {"stems": maybe_shuffled(grading.match_stems(data), shuffle and data.get("shuffle", True)),
                "choices": maybe_shuffled(grading.match_choices(data), True)}
    if question.qtype == "multianswer":
        return {"parts": {str(i): maybe_shuffled(range(len(part.get("answers", []))), bool(part.get("shuffle")))
                          for i, part in enumerate(data.get("parts", []))
                          if part.get("kind") in ("multichoice", "multiresponse")}}
    return {}


# --- saving -------------------------------------------------------------------------------

def save_answers(attempt: Attempt, answers: dict[int, dict | None], now: datetime | None = None) -> SaveResult:
    """Store ``{position: answer}`` for questions of the attempt (the page the learner
    sent). Past the deadline's grace the answers are not counted and the attempt is
    closed with what was saved before."""
    now = now or utcnow()
    if attempt.state != "inprogress":
        raise AttemptClosed(_("This attempt has been submitted already; it cannot be changed."))
    if is_overdue(attempt, now):
        finish_attempt(attempt, now)
        return SaveResult(counted=False, finished=True)
    result = SaveResult()
    by_position = {r.position: r for r in attempt.responses}
    for position, answer in answers.items():
        response = by_position.get(position)
        if response is None or response.qtype == "description":
            continue
        if answer != response.answer:
            response.answer = answer
            response.saved_at = now
            result.saved += 1
        response.state = "todo" if grading.is_blank(response.qtype, answer) else "answered"
    attempt.last_saved_at = now
    if attempt.deadline is not None and now > attempt.deadline:
        finish_attempt(attempt, now)  # in the grace period: counted, and time is up
        result.finished = True
    return result


# --- finishing and grading ------------------------------------------------------------------

def finish_attempt(attempt: Attempt, now: datetime | None = None) -> bool:
    """Finish and grade ``attempt`` once; False if another request finished it first."""
    now = now or utcnow()
    overdue = is_overdue(attempt, now)
    finished_at = attempt.deadline if overdue else now
    result = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.state == "inprogress")
        .values(state="finished", finished_at=finished_at, closed_overdue=overdue)
        .execution_options(synchronize_session=False))
    changed = cast("CursorResult[Any]", result).rowcount
    db.session.refresh(attempt, ["state", "finished_at", "closed_overdue"])
    if changed != 1:
        return False
    grade_attempt(attempt)
    announce(attempt)
    return True


def grade_attempt(attempt: Attempt) -> None:
    """(Re)grade every response from the attempt's snapshot; marks a person gave to an
    essay are kept."""
    for response in attempt.responses:
        if response.graded_by_id is not None and response.qtype == "essay":
            continue
        outcome = grading.grade(response.qtype, response.snapshot.get("data", {}), response.answer)
        response.fraction = outcome.fraction
        response.state = outcome.state
        response.mark = None if outcome.fraction is None else round(outcome.fraction * response.max_mark, 7)
    _total(attempt)


def _total(attempt: Attempt) -> None:
    marks, total, grade = grading.attempt_grade(
        [(r.fraction, r.max_mark) for r in attempt.responses if r.qtype != "description"])
    attempt.marks, attempt.max_marks, attempt.grade = marks, total, grade
    attempt.needs_grading = any(r.state == "needsgrading" for r in attempt.responses)


def announce(attempt: Attempt) -> None:
    """Tell other features (progress, certificates) about a counted grade, before commit."""
    if attempt.is_preview:
        return
    signals.quiz_attempt_graded.send(signals.app(), user=attempt.user, attempt=attempt)


def close_overdue(quiz: Quiz | None = None, now: datetime | None = None, user=None) -> int:
    """Finish every attempt past its deadline and grace period, grading what was saved."""
    now = now or utcnow()
    cutoff = now - grace()
    stmt = select(Attempt.id).where(Attempt.state == "inprogress", Attempt.deadline.is_not(None),
                                    Attempt.deadline < cutoff)
    if quiz is not None:
        stmt = stmt.where(Attempt.quiz_id == quiz.id)
    if user is not None:
        stmt = stmt.where(Attempt.user_id == user.id)
    closed = 0
    for attempt_id in list(db.session.scalars(stmt)):
        attempt = get_for_write(attempt_id)
        if attempt is not None and attempt.state == "inprogress" and finish_attempt(attempt, now):
            closed += 1
    return closed


def overdue_exists(quiz: Quiz | None = None, now: datetime | None = None, user=None) -> bool:
    """Cheap check for GET views, so they open a write transaction only when needed."""
    now = now or utcnow()
    stmt = select(Attempt.id).where(Attempt.state == "inprogress", Attempt.deadline.is_not(None),
                                    Attempt.deadline < now - grace())
    if quiz is not None:
        stmt = stmt.where(Attempt.quiz_id == quiz.id)
    if user is not None:
        stmt = stmt.where(Attempt.user_id == user.id)
    return db.session.scalar(stmt.limit(1)) is not None


def close_overdue_lazily(quiz: Quiz | None = None, user=None) -> None:
    """For GET views: attempts whose time ran out are closed by whoever comes by next
    (in a write transaction of their own, opened only when there is one to close)."""
    if overdue_exists(quiz=quiz, user=user):
        with write_transaction():
            close_overdue(quiz=quiz, user=user)


def grade_essay(response: Response, mark, comment: str, grader, now: datetime | None = None) -> None:
    """A trainer's mark (0..max) and comment for an essay; the attempt grade follows."""
    attempt = response.attempt
    if attempt.state != "finished":
        raise QuizError(_("Essays are marked after the attempt is submitted."))
    try:
        value = float(mark)
    except (TypeError, ValueError):
        raise QuizError(_("The mark must be a number.")) from None
    if not 0 <= value <= response.max_mark + 1e-9:
        raise QuizError(_("The mark must be between 0 and %(max)s.", max=f"{response.max_mark:g}"))
    response.mark = value
    response.fraction = value / response.max_mark if response.max_mark else 0.0
    response.state = grading.state_for(response.fraction)
    response.comment_md = comment or ""
    response.comment_html = bank.render_text(comment or "")
    response.graded_by_id = grader.id
    response.graded_at = now or utcnow()
    _total(attempt)
    announce(attempt)


# --- review -------------------------------------------------------------------------------

def review_options(attempt: Attempt, viewer, now: datetime | None = None) -> dict | None:
    """What the review of ``attempt`` may show ``viewer``: None while the attempt is open
    (nothing beyond the learner's own answers), everything for trainers and previews,
    otherwise the quiz's "after submission" or "after the quiz closes" choices."""
    now = now or utcnow()
    if attempt.state != "finished":
        return None
    full = {key: True for key in REVIEW_KEYS}
    if attempt.is_preview or (viewer is not None and viewer.id != attempt.user_id):
        return full
    quiz = attempt.quiz
    if quiz.closes_at and now >= quiz.closes_at:
        return {key: bool((quiz.review_after_close or {}).get(key)) for key in REVIEW_KEYS}
    return {key: bool((quiz.review_after_submit or {}).get(key)) for key in REVIEW_KEYS}
