"""The course question bank: list and filter, add/edit every type (a GIFT box per
question, as in Moodle's GIFT import; a Cloze text for embedded answers), preview,
delete, categories, and GIFT / Moodle XML import and export."""
from __future__ import annotations

import re

from flask import Response as HttpResponse
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..extensions import db
from ..forms import EmptyForm
from ..pagination import id_arg, paginate
from . import bank, cloze, gift, grading, present
from .blueprint import bp, managed_course
from .forms import TYPE_LABELS, CategoryForm, ImportForm, QuestionForm
from .models import Question, QuestionCategory, QuestionTag, Quiz, QuizSlot, Response, question_tag_link
from .parsed import QuestionDraft, default_name, type_key

TEMPLATES = {
    "multichoice": "Which service helps a newly arrived refugee get their qualifications recognised?{\n"
                   "=The national recognition centre (ENIC-NARIC)#Right: it assesses foreign diplomas.\n"
                   "~The tax office#No.\n~A temporary work agency#No.\n}",
    "multiresponse": "Which of these are protected characteristics under EU equality law?{\n"
                     "~%50%Ethnic origin\n~%50%Religion or belief\n~%-100%Shoe size\n}",
    "truefalse": "A work trial always requires a signed employment contract.{FALSE#It does not.#Right.}",
    "shortanswer": "What is the abbreviation for young people not in employment, education or training?"
                   "{=NEET =NEETs#Right (plural).}",
    "numerical": "How many counselling zones does the hub's pathway model have?{#6}",
    "match": "Match each step with its purpose.{\n=Outreach -> Making first contact\n"
             "=Profiling -> Finding strengths and needs\n=Follow-up -> Keeping a job\n}",
    "essay": "Describe how you would prepare a first interview with an interpreter.{}",
    "description": "Read the case below before answering the next questions.",
    "multianswer": "Supported employment follows the principle {1:MULTICHOICE:=place, then train~train, then place}. "
                   "The model for people with mental illness is called {1:SHORTANSWER:=IPS~%50%individual placement*}.",
}


def _question(course, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.course_id != course.id:
        abort(404)
    return question


@bp.route("/courses/<course_slug>/questions")
def bank_list(course_slug: str):
    course = managed_course(course_slug)
    args = request.args
    stmt = select(Question).where(Question.course_id == course.id)
    stmt = stmt.where(Question.archived_at.is_not(None) if args.get("archived") else Question.archived_at.is_(None))
    category = db.session.get(QuestionCategory, args.get("category", type=int) or 0)
    if category is not None and category.course_id == course.id:
        stmt = stmt.where(Question.category_id.in_(bank.subcategory_ids(category, bool(args.get("sub")))))
    else:
        category = None
    tag = db.session.get(QuestionTag, args.get("tag", type=int) or 0)
    if tag is not None and tag.course_id == course.id:
        stmt = stmt.where(Question.id.in_(select(question_tag_link.c.question_id)
                                          .where(question_tag_link.c.tag_id == tag.id)))
    kind = args.get("type", "")
    if kind == "multiresponse":
        stmt = stmt.where(Question.qtype == "multichoice")
    elif kind in TYPE_LABELS:
        stmt = stmt.where(Question.qtype == kind)
    words = (args.get("q") or "").strip()[:100]
    if words:
        like = f"%{words}%"
        stmt = stmt.where(or_(Question.name.ilike(like), Question.text_md.ilike(like)))
    page = paginate(stmt.order_by(Question.category_id, Question.name, Question.id), per_page=30)
    # single choice and multiple response share Moodle's "multichoice" type
    items = [q for q in page.items if kind not in ("multichoice", "multiresponse") or type_key(q.qtype, q.data) == kind]
    usage: dict[int | None, list[str]] = {}  # keys: question ids (the column is nullable)
    for question_id, title in db.session.execute(select(QuizSlot.question_id, Quiz.title).join(Quiz).where(
            QuizSlot.question_id.in_([q.id for q in items] or [0]))):
        usage.setdefault(question_id, []).append(title)
    return render_template("quizzes/bank/list.html", course=course, page=page, items=items, usage=usage,
                           categories=bank.category_choices(course), tags=bank.tags_of(course), type_labels=TYPE_LABELS,
                           filters={"category": category.id if category else None, "tag": tag.id if tag else None,
                                    "type": kind, "q": words, "sub": bool(args.get("sub")),
                                    "archived": bool(args.get("archived"))},
                           form=EmptyForm(), type_key=type_key)


# --- add and edit -------------------------------------------------------------------------

def _editor_mode(qtype: str) -> str:
    return "cloze" if qtype == "multianswer" else "gift"


def _box_source(question: Question) -> str:
    draft = bank.draft_of(question)
    if question.qtype == "multianswer":
        return question.text_md
    return gift.write_question(draft, default_format=question.text_format, with_name=False, with_meta=False)


def _box_to_draft(form: QuestionForm, mode: str) -> QuestionDraft | None:
    """The form as a draft, or None with the problems added to the form's errors."""
    text_format = form.text_format.data
    source = (form.source.data or "").replace("\r\n", "\n").strip()
    if mode == "cloze":
        _template, _parts, errors = cloze.parse(source)
        if errors:
            form.source.errors.extend(errors)
            return None
        draft = QuestionDraft(qtype="multianswer", name="", text=source, text_format=text_format,
                              general_feedback=(form.general_feedback.data or "").strip())
    else:
        # The box holds one question: its blank lines are paragraph breaks, not separators.
        joined = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)*", "\n\\\\n\n", source)
        result = gift.parse(joined, default_format=text_format)
        for problem in result.errors:
            form.source.errors.append(_("Line %(line)d: %(problem)s", line=problem.line, problem=problem.message))
        if result.errors:
            return None
        if len(result.questions) != 1:
            form.source.errors.append(ngettext("The box holds one question; this text contains %(num)d question.",
                                               "The box holds one question; this text contains %(num)d questions.",
                                               len(result.questions)))
            return None
        for warning in result.warnings:
            flash(_("Line %(line)d: %(problem)s", line=warning.line, problem=warning.message), "warning")
        draft = result.questions[0]
        if not draft.named:
            draft.name = ""
        if draft.qtype == "shortanswer":
            draft.data["case_sensitive"] = bool(form.case_sensitive.data)
        if draft.qtype == "essay":
            draft.data["lines"] = form.response_lines.data or 15
            draft.data["grader_info"] = (form.grader_info.data or "").strip()
    draft.name = " ".join((form.name.data or draft.name or default_name(draft.text)).split())[:255]
    draft.default_mark = 0.0 if draft.qtype == "description" else float(form.default_mark.data)
    draft.tags = [t.strip() for t in (form.tags.data or "").split(",") if t.strip()]
    return draft


def _target_category(course, form) -> QuestionCategory | None:
    if (form.new_category.data or "").strip():
        return bank.category(course, form.new_category.data)
    cat = db.session.get(QuestionCategory, int(form.category.data) if (form.category.data or "").isdigit() else 0)
    if cat is None or cat.course_id != course.id:
        return bank.category(course, bank.DEFAULT_CATEGORY)
    return cat


@bp.route("/courses/<course_slug>/questions/new", methods=["GET", "POST"], defaults={"question_id": None})
@bp.route("/courses/<course_slug>/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit_question(course_slug: str, question_id: int | None):
    course = managed_course(course_slug)
    question = _question(course, question_id) if question_id else None
    wanted = request.args.get("type", "multichoice")
    qtype = question.qtype if question else ("multianswer" if wanted == "multianswer" else wanted)
    if qtype not in TYPE_LABELS:
        abort(404)
    mode = _editor_mode(qtype)
    form = QuestionForm()
    form.category.choices = bank.category_choices(course)
    if request.method == "GET":
        if question:
            form.name.data, form.category.data = question.name, str(question.category_id)
            form.tags.data = ", ".join(question.tag_names)
            form.default_mark.data = question.default_mark
            form.text_format.data = question.text_format
            form.source.data = _box_source(question)
            form.general_feedback.data = question.general_feedback_md
            form.case_sensitive.data = bool(question.data.get("case_sensitive"))
            form.response_lines.data = question.data.get("lines", 15)
            form.grader_info.data = question.data.get("grader_info", "")
        else:
            form.source.data = TEMPLATES.get(wanted, TEMPLATES["multichoice"])
            form.category.data = request.args.get("category", "")
            form.default_mark.data = 1
    elif form.validate_on_submit():
        draft = _box_to_draft(form, mode)
        cat = _target_category(course, form) if draft else None
        if draft and cat:
            clash = db.session.scalar(select(Question.id).where(
                Question.category_id == cat.id, Question.name == draft.name,
                Question.id != (question.id if question else 0)))
            if clash:
                form.name.errors.append(_("Another question in this category has this name; names keep "
                                          "re-imports apart."))
            else:
                created = question is None
                if question is None:
                    question = Question(course_id=course.id, category_id=cat.id, created_by_id=current_user.id)
                    db.session.add(question)
                question.category_id = cat.id
                bank.keep_extras(question, draft)
                try:
                    bank.apply_draft(question, draft)
                except bank.BankError as error:
                    db.session.rollback()
                    form.source.errors.append(str(error))
                else:
                    bank.set_tags(question, draft.tags)
                    db.session.commit()
                    flash(_("Question saved.") if not created else _("Question created."), "success")
                    if request.form.get("then") == "preview":
                        return redirect(url_for(".preview_question", course_slug=course.slug,
                                                question_id=question.id))
                    return redirect(url_for(".bank_list", course_slug=course.slug, category=question.category_id))
    return render_template("quizzes/bank/edit.html", course=course, question=question, form=form, mode=mode,
                           qtype=qtype, type_labels=TYPE_LABELS, used=bank.is_used(question) if question else False)


@bp.route("/courses/<course_slug>/questions/<int:question_id>/preview", methods=["GET", "POST"])
def preview_question(course_slug: str, question_id: int):
    """Try a question as a learner would; nothing is stored."""
    course = managed_course(course_slug)
    question = _question(course, question_id)
    response = Response(position=0, page=0, question_id=question.id, qtype=question.qtype,
                        max_mark=question.default_mark,
                        snapshot={"data": question.data, "text_html": question.text_html,
                                  "general_feedback_html": question.general_feedback_html},
                        order=_identity_order(question), answer=None)
    options = None
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        response.answer = present.read_answer(response, request.form)
        outcome = grading.grade(question.qtype, question.data, response.answer)
        response.fraction, response.state = outcome.fraction, outcome.state
        response.mark = None if outcome.fraction is None else outcome.fraction * response.max_mark
        options = {"score": True, "correctness": True, "correct_answers": True, "feedback": True}
    view = present.question_view(response, 1 if question.qtype != "description" else None, options)
    return render_template("quizzes/bank/preview.html", course=course, question=question, view=view,
                           form=EmptyForm(), graded=options is not None, type_labels=TYPE_LABELS)


def _identity_order(question: Question) -> dict:
    data = question.data or {}
    if question.qtype == "multichoice":
        return {"answers": list(range(len(data.get("answers", []))))}
    if question.qtype == "match":
        return {"stems": grading.match_stems(data), "choices": sorted(grading.match_choices(data))}
    if question.qtype == "multianswer":
        return {"parts": {str(i): list(range(len(p.get("answers", [])))) for i, p in enumerate(data.get("parts", []))}}
    return {}


@bp.route("/courses/<course_slug>/questions/<int:question_id>/delete", methods=["POST"])
def delete_question(course_slug: str, question_id: int):
    course = managed_course(course_slug)
    question = _question(course, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    outcome = bank.delete_question(question)
    db.session.commit()
    flash(_("Question deleted.") if outcome == "deleted" else
          _("The question has attempts, so it was archived: removed from quizzes and the bank list, kept for the "
            "attempts' history."), "success")
    return redirect(url_for(".bank_list", course_slug=course.slug))


@bp.route("/courses/<course_slug>/questions/<int:question_id>/restore", methods=["POST"])
def restore_question(course_slug: str, question_id: int):
    course = managed_course(course_slug)
    question = _question(course, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    question.archived_at = None
    db.session.commit()
    flash(_("Question restored."), "success")
    return redirect(url_for(".bank_list", course_slug=course.slug, category=question.category_id))


# --- categories ----------------------------------------------------------------------------

@bp.route("/courses/<course_slug>/questions/categories", methods=["GET", "POST"])
def categories(course_slug: str):
    course = managed_course(course_slug)
    form = CategoryForm()
    if form.validate_on_submit():
        path = bank.clean_path(form.path.data)
        if bank.category(course, path, create=False):
            form.path.errors.append(_("This category exists already."))
        else:
            bank.category(course, path)
            db.session.commit()
            flash(_("Category created."), "success")
            return redirect(url_for(".categories", course_slug=course.slug))
    counts = dict(db.session.execute(select(Question.category_id, func.count()).where(
        Question.course_id == course.id, Question.archived_at.is_(None)).group_by(Question.category_id)).all())
    return render_template("quizzes/bank/categories.html", course=course, form=form, cats=bank.categories(course),
                           counts=counts, rename_form=CategoryForm(formdata=None), empty_form=EmptyForm())


@bp.route("/courses/<course_slug>/questions/categories/<int:category_id>/<action>", methods=["POST"])
def category_action(course_slug: str, category_id: int, action: str):
    course = managed_course(course_slug)
    cat = db.session.get(QuestionCategory, category_id)
    if cat is None or cat.course_id != course.id or action not in ("rename", "delete"):
        abort(404)
    try:
        if action == "rename":
            form = CategoryForm()
            if not form.validate_on_submit():
                raise bank.BankError(_("Give the category a name."))
            bank.rename_category(cat, form.path.data)
        else:
            if not EmptyForm().validate_on_submit():
                abort(400)
            bank.delete_category(cat)
    except bank.BankError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Category renamed.") if action == "rename" else _("Category deleted."), "success")
    return redirect(url_for(".categories", course_slug=course.slug))


# --- import and export ---------------------------------------------------------------------

@bp.route("/courses/<course_slug>/questions/import", methods=["GET", "POST"])
def import_questions(course_slug: str):
    course = managed_course(course_slug)
    form = ImportForm()
    form.category.choices = [("", _("Default"))] + bank.category_choices(course)
    outcome = None
    if form.validate_on_submit():
        upload = form.file.data
        result = bank.read_upload(upload.filename or "", upload.stream)
        if form.new_category.data and form.new_category.data.strip():
            default = bank.clean_path(form.new_category.data)
        else:
            chosen = db.session.get(QuestionCategory, int(form.category.data) if form.category.data.isdigit() else 0)
            default = chosen.path if chosen is not None and chosen.course_id == course.id else bank.DEFAULT_CATEGORY
        outcome = bank.import_questions(course, result, default, only_valid=form.only_valid.data, user=current_user,
                                        end_batch=db.session.commit)
        if outcome.skipped or not outcome.total:
            db.session.rollback()
        else:
            db.session.commit()
            flash(ngettext("%(num)d question imported.", "%(num)d questions imported.", outcome.total), "success")
    return render_template("quizzes/bank/import.html", course=course, form=form, outcome=outcome,
                           type_labels=TYPE_LABELS)


@bp.route("/courses/<course_slug>/questions/export")
def export_questions(course_slug: str):
    course = managed_course(course_slug)
    file_format = "xml" if request.args.get("format") == "xml" else "gift"
    questions = bank.questions_for_export(course, id_arg("category"))
    body = bank.export(questions, file_format)
    name = f"{course.slug}-questions.{'xml' if file_format == 'xml' else 'gift'}"
    mimetype = "application/xml" if file_format == "xml" else "text/plain"
    return HttpResponse(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
