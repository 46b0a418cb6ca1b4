"""Writing and reviewing practices: a member's new record and edits, the workflow
steps, a reviewer's scores, the history and the comparison of two versions."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..extensions import db
from ..pagination import id_arg, paginate
from ..permissions import ensure, require
from . import documents, services, vocab, workflow
from .blueprint import bp, practice_or_404
from .forms import DocumentForm, PracticeForm, StepForm, score_form_class, weights_form_class
from .models import PracticeDocument


def editable_or_404(slug: str):
    practice = practice_or_404(slug)
    if not workflow.can_edit(current_user, practice):
        abort(403)
    return practice


@bp.route("/new", methods=["GET", "POST"])
@require("member")
def new():
    form = PracticeForm()
    if form.validate_on_submit():
        columns, sections, facets = form.values()
        practice = workflow.create(current_user, columns, sections, facets)
        db.session.commit()
        flash(_("Your practice is saved as a draft. Submit it for review when it is complete."), "success")
        return redirect(url_for(".practice", slug=practice.slug))
    return render_template("practices/form.html", form=form, practice=None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    practice = editable_or_404(slug)
    form = PracticeForm()
    if request.method == "GET":
        form.fill(practice)
    if form.validate_on_submit():
        columns, sections, facets = form.values()
        workflow.update(current_user, practice, columns, sections, facets)
        db.session.commit()
        flash(_("Your changes are saved."), "success")
        return redirect(url_for(".practice", slug=practice.slug))
    return render_template("practices/form.html", form=form, practice=practice)


@bp.route("/<slug>/step", methods=["POST"])
@login_required
def step(slug: str):
    practice = practice_or_404(slug)
    form = StepForm()
    action = request.form.get("action", "")
    if not form.validate_on_submit():
        abort(400)
    try:
        workflow.apply(current_user, practice, action, form.note.data or "")
    except workflow.WorkflowError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The practice is now: %(status)s.", status=workflow.STATUS_LABELS[practice.status]), "success")
    return redirect(url_for(".practice", slug=practice.slug))


@bp.route("/<slug>/score", methods=["GET", "POST"])
@login_required
def score(slug: str):
    practice = practice_or_404(slug)
    ensure("practice.review", practice)
    form = score_form_class()()
    if request.method == "GET":
        for item in practice.scores:
            if item.reviewer_id == current_user.id and item.indicator in form:
                form[item.indicator].score.data = str(item.score)
                form[item.indicator].why.data = item.justification
    if form.validate_on_submit():
        scores = {key: (int(form[key].score.data), form[key].why.data) for key in vocab.INDICATOR_LABELS}
        try:
            workflow.save_scores(current_user, practice, scores)
        except workflow.WorkflowError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Your scores are saved."), "success")
            return redirect(url_for(".practice", slug=practice.slug, _anchor="scores"))
    return render_template("practices/score.html", form=form, practice=practice, vocab=vocab)


@bp.route("/<slug>/history")
@login_required
def history(slug: str):
    practice = editable_or_404(slug)
    return render_template("practices/history.html", practice=practice, revisions=list(reversed(practice.revisions)),
                           labels=workflow.ACTION_LABELS, statuses=workflow.STATUS_LABELS)


@bp.route("/<slug>/compare")
@login_required
def compare(slug: str):
    practice = editable_or_404(slug)
    numbers = [id_arg(key) for key in ("a", "b")]
    revisions = {r.number: r for r in practice.revisions}
    if any(n not in revisions for n in numbers):
        abort(404)
    older, newer = sorted((revisions[n] for n in numbers), key=lambda r: r.number)
    return render_template("practices/compare.html", practice=practice, older=older, newer=newer,
                           changes=workflow.compare(older, newer))


@bp.route("/indicators", methods=["GET", "POST"])
@require("practice.indicators")
def indicators():
    """Administrators weigh the indicators; every practice is rescored at once."""
    form = weights_form_class()()
    current = services.weights()
    if request.method == "GET":
        for key in vocab.INDICATOR_LABELS:
            form[key].data = current.get(key, 1.0)
    if form.validate_on_submit():
        count = services.set_weights({key: float(form[key].data) for key in vocab.INDICATOR_LABELS})
        db.session.commit()
        flash(ngettext("The weights are saved and %(num)d practice was ranked again.",
                       "The weights are saved and %(num)d practices were ranked again.", count), "success")
        return redirect(url_for(".indicators"))
    return render_template("practices/indicators.html", form=form, thresholds=services.thresholds())


@bp.route("/<slug>/documents", methods=["POST"])
@login_required
def upload_document(slug: str):
    practice = editable_or_404(slug)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            document = documents.add(practice, current_user, form.file.data, form.title.data or "")
        except documents.DocumentError as error:
            flash(str(error), "error")
        else:
            workflow.record_revision(practice, current_user, "edited", _("Added %(name)s", name=document.filename))
            db.session.commit()
            flash(_("%(name)s is attached to the practice.", name=document.filename), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for(".practice", slug=practice.slug, _anchor="documents"))


@bp.route("/<slug>/documents/<int:document_id>/delete", methods=["POST"])
@login_required
def delete_document(slug: str, document_id: int):
    practice = editable_or_404(slug)
    document = db.get_or_404(PracticeDocument, document_id)
    if document.practice_id != practice.id or not StepForm().validate_on_submit():
        abort(404)
    name = document.filename
    documents.remove(document)
    workflow.record_revision(practice, current_user, "edited", _("Removed %(name)s", name=name))
    db.session.commit()
    flash(_("%(name)s is removed.", name=name), "success")
    return redirect(url_for(".practice", slug=practice.slug, _anchor="documents"))


@bp.route("/mine")
@require("member")
def mine():
    page = paginate(services.mine(current_user), per_page=25)
    return render_template("practices/mine.html", page=page, statuses=workflow.STATUS_LABELS)


@bp.route("/review")
@require("practice.review")
def review_queue():
    page = paginate(services.review_queue(), per_page=25)
    return render_template("practices/queue.html", page=page, statuses=workflow.STATUS_LABELS)
