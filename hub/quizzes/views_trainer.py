"""Trainer pages for quizzes: the course's quiz list, settings, building a quiz from the
bank (fixed and random questions), preview, results with CSV, statistics and the queue
of essays to grade. The question bank itself is in views_bank.py."""
from __future__ import annotations

from datetime import timezone

from flask import Response as HttpResponse
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..forms import EmptyForm
from ..pagination import id_arg, paginate
from . import attempts, bank, editing, present, results, services
from .blueprint import bp, managed_course, managed_quiz
from .forms import (
    GRADING_LABELS,
    REVIEW_LABELS,
    TYPE_LABELS,
    EssayGradeForm,
    MarkForm,
    QuizCreateForm,
    QuizSettingsForm,
    RandomForm,
    parse_bands,
)
from .models import REVIEW_KEYS, Attempt, Question, QuestionCategory, QuizSlot, Response
from .services import QuizError


def back_to(endpoint: str, course, quiz=None, **kwargs):
    if quiz is None:
        return redirect(url_for(endpoint, course_slug=course.slug, **kwargs))
    return redirect(url_for(endpoint, course_slug=course.slug, quiz_slug=quiz.slug, **kwargs))


# --- the course's quizzes -------------------------------------------------------------------

@bp.route("/courses/<course_slug>/quizzes", methods=["GET", "POST"])
def manage(course_slug: str):
    course = managed_course(course_slug)
    form = QuizCreateForm()
    if form.validate_on_submit():
        try:
            quiz = editing.create_quiz(course, form.slug.data, form.title.data)
        except QuizError as error:
            form.slug.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Quiz created. Choose its settings, then add questions."), "success")
            return back_to(".settings", course, quiz)
    quizzes = services.quizzes_of(course, include_unpublished=True)
    counts = dict(db.session.execute(select(Attempt.quiz_id, func.count()).where(
        Attempt.quiz_id.in_([q.id for q in quizzes] or [0]), Attempt.is_preview.is_(False),
        Attempt.state == "finished").group_by(Attempt.quiz_id)).all())
    waiting = dict(db.session.execute(select(Attempt.quiz_id, func.count()).where(
        Attempt.quiz_id.in_([q.id for q in quizzes] or [0]), Attempt.needs_grading.is_(True))
        .group_by(Attempt.quiz_id)).all())
    return render_template("quizzes/manage/list.html", course=course, quizzes=quizzes, form=form, counts=counts,
                           waiting=waiting)


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/settings", methods=["GET", "POST"])
def settings(course_slug: str, quiz_slug: str):
    course, quiz = managed_quiz(course_slug, quiz_slug)
    form = QuizSettingsForm()
    sections = {s.slug: s for s in course.sections if s.archived_at is None}
    form.section.choices = [("", _("(no section)"))] + [(s.slug, s.title) for s in sections.values()]
    if request.method == "GET":
        _fill_settings(form, quiz)
    elif form.validate_on_submit():
        values = {
            "title": form.title.data, "intro": form.intro.data, "section": form.section.data or None,
            "published": form.published.data, "attempts": form.attempts_allowed.data,
            "grading_method": form.grading_method.data, "pass_grade": float(form.pass_grade.data),
            "time_limit_minutes": form.time_limit_minutes.data,
            "opens": form.opens_at.data.replace(tzinfo=timezone.utc) if form.opens_at.data else None,
            "closes": form.closes_at.data.replace(tzinfo=timezone.utc) if form.closes_at.data else None,
            "shuffle_questions": form.shuffle_questions.data, "shuffle_answers": form.shuffle_answers.data,
            "questions_per_page": form.questions_per_page.data, "feedback": parse_bands(form.feedback.data),
            "review_after_submit": {k: getattr(form, f"review_submit_{k}").data for k in REVIEW_KEYS},
            "review_after_close": {k: getattr(form, f"review_close_{k}").data for k in REVIEW_KEYS},
        }
        try:
            editing.apply_settings(quiz, values, sections)
        except QuizError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Settings saved."), "success")
            return back_to(".settings", course, quiz)
    return render_template("quizzes/manage/settings.html", course=course, quiz=quiz, form=form,
                           review_keys=REVIEW_KEYS, review_labels=REVIEW_LABELS, tab="settings")


def _fill_settings(form: QuizSettingsForm, quiz) -> None:
    form.title.data, form.intro.data = quiz.title, quiz.intro_md
    form.section.data = quiz.section.slug if quiz.section else ""
    form.published.data, form.attempts_allowed.data = quiz.published, quiz.attempts_allowed
    form.grading_method.data, form.pass_grade.data = quiz.grading_method, quiz.pass_grade
    form.time_limit_minutes.data = quiz.time_limit_minutes
    form.opens_at.data = quiz.opens_at.replace(tzinfo=None) if quiz.opens_at else None
    form.closes_at.data = quiz.closes_at.replace(tzinfo=None) if quiz.closes_at else None
    form.shuffle_questions.data, form.shuffle_answers.data = quiz.shuffle_questions, quiz.shuffle_answers
    form.questions_per_page.data = quiz.questions_per_page
    form.feedback.data = "\n".join(f"{services.format_percent(b['min'])} | {b['text_md']}"
                                   for b in quiz.feedback_bands or [])
    for moment, values in (("submit", quiz.review_after_submit), ("close", quiz.review_after_close)):
        for key in REVIEW_KEYS:
            getattr(form, f"review_{moment}_{key}").data = bool((values or {}).get(key))


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/archive", methods=["POST"])
def archive(course_slug: str, quiz_slug: str):
    course, quiz = managed_quiz(course_slug, quiz_slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    editing.archive_quiz(quiz)
    db.session.commit()
    flash(_("The quiz was archived: learners no longer see it; attempts and grades are kept."), "success")
    return back_to(".manage", course)


# --- building the quiz ----------------------------------------------------------------------

@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/questions")
def build(course_slug: str, quiz_slug: str):
    course, quiz = managed_quiz(course_slug, quiz_slug)
    category_id = id_arg("category")
    stmt = select(Question).where(Question.course_id == course.id, Question.archived_at.is_(None))
    if category_id:
        stmt = stmt.where(Question.category_id == category_id)
    in_quiz = {s.question_id for s in quiz.slots if s.question_id}
    if in_quiz:
        stmt = stmt.where(Question.id.not_in(in_quiz))
    page = paginate(stmt.order_by(Question.category_id, Question.name), per_page=50)
    random_form = RandomForm()
    random_form.category.choices = bank.category_choices(course)
    available = {c.id: db.session.scalar(select(func.count()).select_from(Question).where(
        Question.category_id == c.id, Question.archived_at.is_(None))) for c in bank.categories(course)}
    return render_template("quizzes/manage/build.html", course=course, quiz=quiz, page=page, tab="build",
                           categories=bank.category_choices(course), category_id=category_id, random_form=random_form,
                           form=EmptyForm(), mark_form=MarkForm(), type_labels=TYPE_LABELS, available=available,
                           total=editing.total_marks(quiz), has_attempts=editing.has_attempts(quiz))


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/questions/add", methods=["POST"])
def add_questions(course_slug: str, quiz_slug: str):
    course, quiz = managed_quiz(course_slug, quiz_slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ids = [int(v) for v in request.form.getlist("question") if v.isdigit()]
    added = 0
    for question in db.session.scalars(select(Question).where(Question.id.in_(ids or [0]),
                                                              Question.course_id == course.id)):
        try:
            editing.add_question(quiz, question)
            added += 1
        except QuizError as error:
            flash(str(error), "warning")
    db.session.commit()
    if added:
        flash(ngettext_added(added), "success")
    else:
        flash(_("Select the questions to add first."), "warning")
    return back_to(".build", course, quiz)


def ngettext_added(count: int) -> str:
    from flask_babel import ngettext
    return ngettext("%(num)d question added.", "%(num)d questions added.", count)


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/questions/random", methods=["POST"])
def add_random(course_slug: str, quiz_slug: str):
    course, quiz = managed_quiz(course_slug, quiz_slug)
    form = RandomForm()
    form.category.choices = bank.category_choices(course)
    if not form.validate_on_submit():
        flash(_("Choose a category and how many questions to draw (1 to 100)."), "error")
        return back_to(".build", course, quiz)
    cat = db.session.get(QuestionCategory, int(form.category.data or 0))
    if cat is None or cat.course_id != course.id:
        abort(404)
    try:
        editing.add_random(quiz, cat, form.count.data, form.include_sub.data)
    except QuizError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Random questions added."), "success")
    return back_to(".build", course, quiz)


def _slot(quiz, slot_id: int) -> QuizSlot:
    slot = db.session.get(QuizSlot, slot_id)
    if slot is None or slot.quiz_id != quiz.id:
        abort(404)
    return slot


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/slots/<int:slot_id>/<action>", methods=["POST"])
def slot_action(course_slug: str, quiz_slug: str, slot_id: int, action: str):
    course, quiz = managed_quiz(course_slug, quiz_slug)
    slot = _slot(quiz, slot_id)
    if action == "mark":
        form = MarkForm()
        if not form.validate_on_submit():
            flash(_("A mark is a number from 0 to 1000."), "error")
            return back_to(".build", course, quiz)
        editing.set_mark(slot, form.mark.data)
    else:
        if not EmptyForm().validate_on_submit():
            abort(400)
        if action == "up":
            editing.move_slot(quiz, slot, -1)
        elif action == "down":
            editing.move_slot(quiz, slot, 1)
        elif action == "remove":
            editing.remove_slot(quiz, slot)
        else:
            abort(404)
    db.session.commit()
    return redirect(url_for(".build", course_slug=course.slug, quiz_slug=quiz.slug) + "#slots")


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/preview", methods=["POST"])
def preview(course_slug: str, quiz_slug: str):
    course, quiz = managed_quiz(course_slug, quiz_slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        attempt, _started = attempts.start_attempt(current_user, quiz, preview=True)
    except QuizError as error:
        db.session.rollback()
        flash(str(error), "error")
        return back_to(".build", course, quiz)
    db.session.commit()
    return redirect(url_for(".attempt", attempt_id=attempt.id, page=attempt.current_page))


# --- results, statistics, essays -------------------------------------------------------------

@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/results", endpoint="results")
def results_page(course_slug: str, quiz_slug: str):
    course, quiz = managed_quiz(course_slug, quiz_slug)
    attempts.close_overdue_lazily(quiz=quiz)
    if request.args.get("format") == "csv":
        body = results.results_csv(quiz)
        return HttpResponse(body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{course.slug}-{quiz.slug}-results.csv"'})
    return render_template("quizzes/manage/results.html", course=course, quiz=quiz, rows=results.learner_rows(quiz),
                           tab="results", grading_labels=GRADING_LABELS)


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/statistics")
def statistics(course_slug: str, quiz_slug: str):
    course, quiz = managed_quiz(course_slug, quiz_slug)
    attempts.close_overdue_lazily(quiz=quiz)
    first_only = request.args.get("attempts") == "first"
    rows, count = results.question_statistics(quiz, first_only=first_only)
    return render_template("quizzes/manage/statistics.html", course=course, quiz=quiz, rows=rows, count=count,
                           first_only=first_only, tab="statistics", type_labels=TYPE_LABELS)


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/grading")
def grading_queue(course_slug: str, quiz_slug: str):
    course, quiz = managed_quiz(course_slug, quiz_slug)
    attempts.close_overdue_lazily(quiz=quiz)
    show_all = request.args.get("show") == "all"
    return render_template("quizzes/manage/grading.html", course=course, quiz=quiz, tab="grading",
                           responses=results.essay_queue(quiz, include_graded=show_all), show_all=show_all)


@bp.route("/courses/<course_slug>/quizzes/<quiz_slug>/grading/<int:response_id>", methods=["GET", "POST"])
def grade_essay(course_slug: str, quiz_slug: str, response_id: int):
    course, quiz = managed_quiz(course_slug, quiz_slug)
    response = db.session.get(Response, response_id)
    if response is None or response.qtype != "essay" or response.attempt.quiz_id != quiz.id:
        abort(404)
    form = EssayGradeForm()
    if request.method == "GET":
        form.mark.data = response.mark if response.graded_by_id else None
        form.comment.data = response.comment_md
    elif form.validate_on_submit():
        try:
            attempts.grade_essay(response, form.mark.data, form.comment.data, current_user)
        except QuizError as error:
            form.mark.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Mark saved; the attempt's grade is updated."), "success")
            return back_to(".grading_queue", course, quiz)
    view = present.question_view(response, None, {"score": False, "correctness": False,
                                                  "correct_answers": True, "feedback": False})
    return render_template("quizzes/manage/grade_essay.html", course=course, quiz=quiz, response=response,
                           form=form, view=view, tab="grading")
