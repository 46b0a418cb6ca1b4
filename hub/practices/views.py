"""Reading the good-practice collection: the ranked list with filters, a practice's
page with its score profile, and the collection as CSV or JSON."""
from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import charts
from ..extensions import db
from ..i18n import country_name
from ..page_cache import public_page
from ..pagination import paginate
from . import documents, ranking, services, vocab, workflow
from .blueprint import bp, practice_or_404
from .forms import DocumentForm, StepForm
from .models import PracticeDocument


@bp.route("/")
@public_page
def index():
    filters = services.Filters.from_args(request.args)
    page = paginate(services.ranked(current_user, filters), per_page=int(current_app.config["PRACTICES_PER_PAGE"]))
    return render_template("practices/index.html", page=page, filters=filters, active=filters.active(),
                           choices=services.filter_choices(current_user), vocab=vocab, sorts=_sort_labels())


def _sort_labels() -> dict[str, str]:
    return {"score": _("Highest score"), "title": _("Title"), "country": _("Country"),
            "newest": _("Newest"), "reviewed": _("Last reviewed")}


@bp.route("/<slug>")
@public_page
def practice(slug: str):
    item = practice_or_404(slug)
    result = services.profile_of(item)
    rows = services.indicator_rows(item, result)
    chart = charts.score_chart([(row.label, row.mean) for row in rows], ranking.MAX_SCORE,
                               _("Score profile of %(title)s", title=item.title), chart_id="score-profile")
    return render_template("practices/practice.html", practice=item, profile=result, rows=rows, chart=chart,
                           related=services.related_by_tags(item), vocab=vocab,
                           actions=workflow.allowed_actions(current_user, item),
                           editable=workflow.can_edit(current_user, item), statuses=workflow.STATUS_LABELS,
                           step_form=StepForm(), document_form=DocumentForm())


@bp.route("/<slug>/documents/<int:document_id>/<path:name>")
def document(slug: str, document_id: int, name: str):
    """A tool or document, for whoever may see the practice."""
    item = practice_or_404(slug)
    found = db.get_or_404(PracticeDocument, document_id)
    if found.practice_id != item.id:
        abort(404)
    return documents.serve(found)


@bp.route("/<slug>/pdf")
def practice_pdf(slug: str):
    """The practice on A4, to print or pass on to colleagues."""
    from .pdf import render_practice

    item = practice_or_404(slug)
    result = services.profile_of(item)
    data = render_practice(item, result, services.indicator_rows(item, result), services.practice_url(item),
                           _facts(item))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="practice-{item.slug}.pdf"'})


def _facts(item) -> list[tuple[str, str]]:
    running = ", ".join(filter(None, [str(item.start_year or ""), _("ongoing") if item.ongoing
                                      else str(item.end_year or "")]))
    return [
        (_("Country"), ", ".join(filter(None, [country_name(item.country), item.region]))),
        (_("Organisation"), item.organisation),
        (_("Target groups"), "; ".join(str(vocab.TARGET_GROUPS.get(g, g)) for g in item.target_groups)),
        (_("Counselling zones"), "; ".join(str(vocab.ZONES[z][0]) for z in item.zones if z in vocab.ZONES)),
        (_("Approach"), ", ".join(item.tags)),
        (_("Running"), running or _("not stated in the sources")),
        (_("Funding"), item.funding),
        (_("Participants per year"), item.participants_per_year or _("not stated in the sources")),
        (_("Evaluation"), str(vocab.EVALUATION_TYPES.get(item.evaluation, item.evaluation))),
    ]


@bp.route("/export.<any(csv, json):fmt>")
def export(fmt: str):
    """The visible collection (with the list's filters) as a file."""
    filters = services.Filters.from_args(request.args)
    practices = list(db.session.scalars(services.ranked(current_user, filters)))
    if fmt == "csv":
        return Response(services.export_csv(practices), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="practices.csv"'})
    return Response(services.export_json(practices), mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="practices.json"'})
