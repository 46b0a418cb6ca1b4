"""Learner pages: the quiz page with the attempts history, the attempt (page by page,
saved on every page change and in the background), the summary before submitting,
and the review.

Why the save and submit endpoints are exempt from the site-wide CSRF token:
an attempt may last longer than a CSRF token (or the login session) lives, and the
learner must not lose their answers to an expired token. Instead each attempt has its
own random secret (256 bits), embedded in the attempt's forms and checked in constant
time. A cross-site page cannot read it, so it cannot forge a save or a submit; the
session cookie is SameSite=Lax as well, and a logged-in user other than the owner
gets 404. When the login session has expired the secret alone still lets the page
save (and submit) that one attempt — the answers are kept and the learner is asked
to log in again. Attempt pages are sent with ``Cache-Control: no-store``."""
from __future__ import annotations

import hmac

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..courses.lookups import course_or_404
from ..courses.services import is_course_trainer
from ..database import utcnow, write_transaction
from ..extensions import csrf, db
from ..forms import EmptyForm
from ..permissions import can, ensure, is_member
from . import attempts, grading, present, services
from .blueprint import bp
from .models import Attempt
from .services import QuizError


def load_quiz(course_slug: str, quiz_slug: str):
    """(course, quiz) or 404 (also when the viewer may not see the quiz)."""
    course = course_or_404(course_slug)
    quiz = services.quiz_for_slug(course, quiz_slug)
    if quiz is None or not can(current_user, "quiz.view", quiz):
        abort(404)
    return course, quiz


def no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>")
def quiz(course_slug: str, quiz_slug: str):
    course, quiz = load_quiz(course_slug, quiz_slug)
    attempts.close_overdue_lazily(quiz=quiz)
    history, open_attempt, final, counting = [], None, None, None
    options = {}
    if is_member(current_user):
        history = attempts.attempts_of(current_user, quiz)
        open_attempt = next((a for a in history if a.state == "inprogress"), None)
        finished = [a for a in history if a.state == "finished"]
        final = services.final_grade(current_user, quiz)
        counting = services.counting_attempt(finished, quiz.grading_method)
        options = {a.id: attempts.review_options(a, current_user) for a in finished}
    may_attempt = can(current_user, "quiz.attempt", quiz)
    problem = None
    if may_attempt and open_attempt is None:
        problem = attempts.start_problem(current_user, quiz, utcnow())
    return render_template(
        "quizzes/quiz.html", course=course, quiz=quiz, history=history, open_attempt=open_attempt,
        final=final, counting=counting, options=options, may_attempt=may_attempt, problem=problem,
        enrolled=services.is_enrolled(current_user, course), manage=can(current_user, "quiz.manage", quiz),
        attempts_left=attempts.attempts_left(current_user, quiz) if is_member(current_user) else None,
        show_final=bool(options) and all(o and o.get("score") for o in options.values()),
        passed=grading.passes(final, quiz.pass_grade), band=grading.band_for(final, quiz.feedback_bands),
        form=EmptyForm())


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/start", methods=["POST"])
def start(course_slug: str, quiz_slug: str):
    course, quiz = load_quiz(course_slug, quiz_slug)
    ensure("quiz.attempt", quiz)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        attempt, started = attempts.start_attempt(current_user, quiz)
        db.session.commit()
    except QuizError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".quiz", course_slug=course.slug, quiz_slug=quiz.slug))
    except IntegrityError:  # a second tab started the same attempt at the same moment
        db.session.rollback()
        return redirect(url_for(".quiz", course_slug=course.slug, quiz_slug=quiz.slug))
    if not started:
        flash(_("You have an attempt in progress; continue where you left off."), "info")
    return redirect(url_for(".attempt", attempt_id=attempt.id, page=attempt.current_page))


# --- the attempt ----------------------------------------------------------------------------

def own_attempt(attempt_id: int, for_write: bool = False) -> Attempt:
    """The current user's attempt, else 404 (never reveal others' attempts)."""
    ensure("member")
    attempt = attempts.get_for_write(attempt_id) if for_write else db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


def token_attempt(attempt_id: int) -> Attempt:
    """The attempt a save/submit names, checked by its secret (see the module docstring)."""
    attempt = attempts.get_for_write(attempt_id)
    if attempt is None:
        abort(404)
    if is_member(current_user) and attempt.user_id != current_user.id:
        abort(404)
    token = request.form.get("token", "")
    if not hmac.compare_digest(token.encode(), attempt.secret.encode()):
        abort(400, description=_("This page no longer matches your attempt. Reload it and try again."))
    return attempt


def page_arg(attempt: Attempt, raw) -> int:
    pages = attempts.pages_of(attempt)
    try:
        page = int(raw)
    except (TypeError, ValueError):
        return pages[0] if pages else 0
    return page if page in pages else (pages[0] if pages else 0)


def after_closed(attempt: Attempt):
    if is_member(current_user):
        return redirect(url_for(".review", attempt_id=attempt.id))
    return redirect(url_for("accounts.login", next=url_for(".review", attempt_id=attempt.id)))


@bp.route("/quiz-attempts/<int:attempt_id>")
def attempt(attempt_id: int):
    attempt = own_attempt(attempt_id)
    if attempts.is_overdue(attempt, utcnow()):
        with write_transaction():
            attempt = own_attempt(attempt_id, for_write=True)
            attempts.finish_attempt(attempt)
        flash(_("The time limit was reached; your attempt was submitted with the answers you had saved."), "info")
    if attempt.state != "inprogress":
        return redirect(url_for(".review", attempt_id=attempt.id))
    page = page_arg(attempt, request.args.get("page"))
    pages = attempts.pages_of(attempt)
    responses = [r for r in attempt.responses if r.page == page]
    numbers = _numbers(attempt)
    return no_store(render_template(
        "quizzes/attempt.html", attempt=attempt, quiz=attempt.quiz, course=attempt.quiz.course, page=page,
        pages=pages, views=present.question_views_numbered(responses, numbers), question_nav=_nav(attempt, numbers),
        now=utcnow()))


def _numbers(attempt: Attempt) -> dict[int, int | None]:
    numbers: dict[int, int | None] = {}
    n = 0
    for response in attempt.responses:
        if response.qtype == "description":
            numbers[response.position] = None
        else:
            n += 1
            numbers[response.position] = n
    return numbers


def _nav(attempt: Attempt, numbers: dict) -> list[dict]:
    return [{"number": numbers[r.position], "page": r.page, "position": r.position,
             "answered": not grading.is_blank(r.qtype, r.answer)}
            for r in attempt.responses if numbers[r.position] is not None]


def _save_page(attempt: Attempt) -> attempts.SaveResult:
    page = page_arg(attempt, request.form.get("page"))
    answers = {r.position: present.read_answer(r, request.form) for r in attempt.responses if r.page == page}
    result = attempts.save_answers(attempt, answers)
    if not result.finished:
        attempt.current_page = page
    return result


@csrf.exempt
@bp.route("/quiz-attempts/<int:attempt_id>/save", methods=["POST"])
def save(attempt_id: int):
    """Save the page, then go where the learner asked (next, previous, a page, summary)."""
    attempt = token_attempt(attempt_id)
    action = request.form.get("action", "next")
    try:
        result = _save_page(attempt)
        if action == "timeup" and not result.finished:
            attempts.finish_attempt(attempt)
            result.finished = True
    except attempts.AttemptClosed as error:
        db.session.rollback()
        flash(str(error), "info")
        return after_closed(attempt)
    db.session.commit()
    if result.finished:
        if result.counted:
            flash(_("Time is up: your attempt was submitted."), "info")
        else:
            flash(_("The time limit had passed: these last answers could not be counted. Your attempt was "
                    "submitted with the answers saved before the deadline."), "warning")
        return after_closed(attempt)
    target = _target(attempt, action)
    if not is_member(current_user):
        flash(_("Your answers are saved. Please log in again to continue your attempt."), "info")
        return redirect(url_for("accounts.login", next=target))
    return redirect(target)


def _target(attempt: Attempt, action: str) -> str:
    pages = attempts.pages_of(attempt)
    page = attempt.current_page
    if action == "summary":
        return url_for(".summary", attempt_id=attempt.id)
    if action == "prev":
        earlier = [p for p in pages if p < page]
        page = earlier[-1] if earlier else page
    elif action.startswith("page-") and action[5:].isdigit():
        page = int(action[5:]) if int(action[5:]) in pages else page
    else:
        later = [p for p in pages if p > page]
        if not later:
            return url_for(".summary", attempt_id=attempt.id)
        page = later[0]
    return url_for(".attempt", attempt_id=attempt.id, page=page)


@csrf.exempt
@bp.route("/quiz-attempts/<int:attempt_id>/autosave", methods=["POST"])
def autosave(attempt_id: int):
    """The page's background save (JavaScript): JSON in, JSON out."""
    attempt = token_attempt(attempt_id)
    try:
        result = _save_page(attempt)
    except attempts.AttemptClosed:
        db.session.rollback()
        return jsonify(saved=0, finished=True, redirect=url_for(".review", attempt_id=attempt.id)), 409
    db.session.commit()
    body = {"saved": result.saved, "counted": result.counted, "finished": result.finished,
            "saved_at": attempt.last_saved_at.isoformat() if attempt.last_saved_at else None,
            "login_required": not is_member(current_user),
            # What is saved now, per question of the page: the page rewrites its
            # "Not yet answered" / "Answered" lines from this, never from its own guess.
            "states": {str(r.position): present.answer_state(r) for r in attempt.responses
                       if r.page == attempt.current_page and r.qtype != "description"}}
    if result.finished:
        body["redirect"] = url_for(".review", attempt_id=attempt.id)
    return jsonify(body)


@bp.route("/quiz-attempts/<int:attempt_id>/summary")
def summary(attempt_id: int):
    attempt = own_attempt(attempt_id)
    if attempts.is_overdue(attempt, utcnow()):
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    if attempt.state != "inprogress":
        return redirect(url_for(".review", attempt_id=attempt.id))
    numbers = _numbers(attempt)
    return no_store(render_template("quizzes/summary.html", attempt=attempt, quiz=attempt.quiz,
                                    course=attempt.quiz.course, question_nav=_nav(attempt, numbers), now=utcnow()))


@csrf.exempt
@bp.route("/quiz-attempts/<int:attempt_id>/submit", methods=["POST"])
def submit(attempt_id: int):
    """Submit all and finish. A second submission (double click, another tab, a replay)
    finds the attempt finished and changes nothing."""
    attempt = token_attempt(attempt_id)
    if attempt.state != "inprogress":
        flash(_("This attempt was submitted already."), "info")
        return after_closed(attempt)
    overdue = attempts.is_overdue(attempt, utcnow())
    attempts.finish_attempt(attempt)
    db.session.commit()
    if overdue:
        flash(_("The time limit had passed: your attempt was submitted with the answers saved before the deadline."),
              "warning")
    else:
        flash(_("Your attempt was submitted."), "success")
    return after_closed(attempt)


@bp.route("/quiz-attempts/<int:attempt_id>/review")
def review(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not can(current_user, "quiz.review_attempt", attempt):
        if not is_member(current_user):
            ensure("member")
        abort(404)
    if attempts.is_overdue(attempt, utcnow()):
        with write_transaction():
            locked = attempts.get_for_write(attempt_id)
            if locked is not None:  # else it was deleted meanwhile: 404 below
                attempts.finish_attempt(locked)
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is None:
            abort(404)
    if attempt.state == "inprogress":
        if attempt.user_id == current_user.id:
            return redirect(url_for(".attempt", attempt_id=attempt.id, page=attempt.current_page))
        abort(404)
    options = attempts.review_options(attempt, current_user)
    assert options is not None  # None only while in progress, handled above
    quiz = attempt.quiz
    numbers = _numbers(attempt)
    trainer = attempt.user_id != current_user.id and is_course_trainer(current_user, quiz.course)
    return no_store(render_template(
        "quizzes/review.html", attempt=attempt, quiz=quiz, course=quiz.course, options=options,
        views=present.question_views_numbered(attempt.responses, numbers, options), trainer=trainer,
        band=grading.band_for(attempt.grade, quiz.feedback_bands) if options.get("feedback") else None))
