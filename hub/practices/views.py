"""Reading the good-practice collection: the ranked list with filters, a practice's
page with its score profile, and the collection as CSV or JSON."""
from __future__ import annotations

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import charts
from ..extensions import db
from ..pagination import paginate
from . import ranking, services, vocab, workflow
from .blueprint import bp, practice_or_404
from .forms import StepForm


@bp.route("/")
def index():
    filters = services.Filters.from_args(request.args)
    page = paginate(services.ranked(current_user, filters), per_page=int(current_app.config["PRACTICES_PER_PAGE"]))
    return render_template("practices/index.html", page=page, filters=filters, active=filters.active(),
                           choices=services.filter_choices(current_user), vocab=vocab, sorts=_sort_labels())


def _sort_labels() -> dict[str, str]:
    return {"score": _("Highest score"), "title": _("Title"), "country": _("Country"),
            "newest": _("Newest"), "reviewed": _("Last reviewed")}


@bp.route("/<slug>")
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
                           step_form=StepForm())


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
