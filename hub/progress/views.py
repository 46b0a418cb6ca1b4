"""The learner's dashboard, the trainer's completion rules and course report, the
administrators' site overview; and the template helpers the course pages use to
show progress (``progress/_course_progress.html``, ``progress/_course_badge.html``)."""
from __future__ import annotations

from typing import Iterable

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from .. import charts
from ..courses.lookups import course_or_404
from ..courses.models import ENROLMENT_ACTIVE, Course, Enrolment
from ..extensions import db
from ..i18n import country_name
from ..pagination import page_number
from ..permissions import TRAINER, ensure, has_role, is_member, require
from . import reports, services, sources
from .forms import CompletionRulesForm

bp = Blueprint("progress", __name__)

REPORT_PAGE_SIZE = 25


# --- learner ---------------------------------------------------------------------------

@bp.route("/dashboard")
@require("progress.dashboard")
def dashboard():
    from ..certificates.services import certificates_of

    enrolments = db.session.scalars(
        select(Enrolment).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.user_id == current_user.id, Course.archived_at.is_(None))
        .options(contains_eager(Enrolment.course))
        .order_by(Enrolment.enrolled_at.desc())).all()
    completed = [e for e in enrolments if e.completed_at is not None]
    learning = [e for e in enrolments if e.completed_at is None and e.status == ENROLMENT_ACTIVE]
    progress = services.progress_in_courses(current_user, learning)
    current = [progress[e.course_id] for e in learning]
    completed.sort(key=lambda e: e.completed_at, reverse=True)
    return render_template("progress/dashboard.html", current=current, completed=completed,
                           certificates=certificates_of(current_user), teaching=_teaching())


def _teaching() -> list[Course]:
    """Courses whose report the current user may see (trainers, administrators)."""
    if not has_role(current_user, TRAINER):
        return []
    courses = db.session.scalars(select(Course).where(Course.archived_at.is_(None))
                                 .options(selectinload(Course.trainers))
                                 .order_by(Course.position, Course.title)).all()
    return [c for c in courses if services.can_see_report(current_user, c)]


# --- trainer: completion rules ------------------------------------------------------------

@bp.route("/progress/<slug>/rules", methods=["GET", "POST"])
def rules(slug: str):
    course = course_or_404(slug)
    ensure("progress.rules", course)
    current = services.normalise_rules(course.completion_rules)
    form = CompletionRulesForm(data=None if request.method == "POST" else {
        "lessons": current["lessons"], "quizzes": current["quizzes"], "forum_posts": current["forum_posts"],
        "prerequisites": list(course.prerequisite_slugs or []), "certificate_mode": course.certificate_mode})
    quizzes = sources.course_quizzes(course)
    quiz_choices = [(q.slug, sources.quiz_title(q)) for q in quizzes]
    known = {slug for slug, _title in quiz_choices}
    quiz_choices += [(s, _("%(slug)s (no such quiz: ignored)", slug=s)) for s in current["quizzes"] if s not in known]
    form.quizzes.choices = quiz_choices
    others = db.session.scalars(select(Course).where(Course.id != course.id, Course.archived_at.is_(None))
                                .order_by(Course.position, Course.title)).all()
    form.prerequisites.choices = [(c.slug, c.title) for c in others]
    if form.validate_on_submit():
        try:
            services.update_rules(course, lessons=form.lessons.data, quizzes=form.quizzes.data or [],
                                  forum_posts=form.forum_posts.data, prerequisites=form.prerequisites.data or [],
                                  certificate_mode=form.certificate_mode.data)
        except services.ProgressError as error:
            form.prerequisites.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Completion rules saved; learners were re-evaluated."), "success")
            return redirect(url_for("progress.rules", slug=course.slug))
    status = 400 if form.errors else 200
    return render_template("progress/rules.html", course=course, form=form,
                           summary=services.describe_rules(course)), status


# --- trainer: course report ----------------------------------------------------------------

def _report_data(course: Course):
    query = reports.ReportQuery.from_args(request.args)
    reqs, rows = reports.course_report(course, query)
    return query, reqs, rows


@bp.route("/progress/<slug>/report")
def report(slug: str):
    course = course_or_404(slug)
    ensure("progress.report", course)
    query, reqs, rows = _report_data(course)
    page = reports.ListPage(rows, page_number(), REPORT_PAGE_SIZE)
    if page.page > page.pages:
        abort(404)
    reports.attach_certificates(course, page.items)
    steps = reports.funnel(course, rows)  # of the learners the filters select
    funnel_steps = [(_("Enrolled"), steps["enrolled"]), (_("Started"), steps["started"]),
                    (_("Half done"), steps["half"]), (_("Completed"), steps["completed"])]
    months = reports.completions_by_month(course)
    month_labels = [(format_date(first, "MMM yy"), n) for first, n in months]
    from ..certificates.forms import IssueForm
    return render_template(
        "progress/report.html", course=course, query=query, reqs=reqs, page=page, total=len(rows),
        choices=reports.filter_choices(course), funnel_steps=funnel_steps, months=month_labels,
        funnel_svg=charts.funnel_chart(funnel_steps, _("Completion funnel")),
        timeline_svg=charts.column_chart(month_labels, _("Completions per month"), "completions"),
        issue_form=IssueForm(formdata=None, course_id=course.id), summary=services.describe_rules(course))


@bp.route("/progress/<slug>/report.csv")
def report_csv(slug: str):
    course = course_or_404(slug)
    ensure("progress.report", course)
    _query, reqs, rows = _report_data(course)
    reports.attach_certificates(course, rows)
    labels = {"name": _("Name"), "email": _("Email"), "country": _("Country"), "organisation": _("Organisation"),
              "profession": _("Profession"), "enrolled": _("Enrolled"), "percent": _("Progress (%)"),
              "completed": _("Completed"), "certificate": _("Certificate code")}
    text = reports.csv_text(course, reqs, rows, labels, country_name=country_name, profession_name=profession_name)
    # content_type, not mimetype: Werkzeug adds a charset to a text/* mimetype again.
    return Response(text, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="report-{course.slug}.csv"'})


# --- administrators: site overview ----------------------------------------------------------

@bp.route("/progress/overview")
@require("progress.overview")
def overview():
    data = reports.site_overview()
    months = [(format_date(first, "MMM yy"), n) for first, n in reports.completions_by_month(None)]
    return render_template("progress/overview.html", data=data, months=months,
                           timeline_svg=charts.column_chart(months, _("Completions per month, all courses"),
                                                            "site-completions"))


# --- template helpers for course pages ---------------------------------------------------------

def _progress_cache() -> dict:
    if "_hub_progress" not in g:
        g._hub_progress = {}
    return g._hub_progress


def course_progress_for(course: Course, enrolment: Enrolment | None = None):
    """The current user's progress in ``course``, once per request."""
    cache = _progress_cache()
    if course.id not in cache:
        if enrolment is None and is_member(current_user):
            enrolment = _my_enrolments().get(course.id)
        cache[course.id] = services.course_progress(current_user, course, enrolment)
    return cache[course.id]


def _my_enrolments() -> dict[int, Enrolment]:
    """All of the current user's enrolments in one query (catalogue badges)."""
    if "_hub_my_enrolments" not in g:
        rows: Iterable[Enrolment] = db.session.scalars(select(Enrolment).where(Enrolment.user_id == current_user.id)) \
            if is_member(current_user) else []
        g._hub_my_enrolments = {e.course_id: e for e in rows}
    return g._hub_my_enrolments


def _all_my_progress(shown: Iterable[Course]) -> None:
    """The current user's progress in every course of the page they follow, in one go
    (the first card asks; the others find it in the request's cache)."""
    if "_hub_progress_all" not in g:
        g._hub_progress_all = True
        on_page = {course.id for course in shown}
        learning = [e for e in _my_enrolments().values()
                    if e.course_id in on_page and e.completed_at is None and e.status == ENROLMENT_ACTIVE]
        for course_id, progress in services.progress_in_courses(current_user, learning).items():
            _progress_cache().setdefault(course_id, progress)


def course_badge_for(course: Course, shown: Iterable[Course] = ()) -> dict | None:
    """Catalogue card: None (not enrolled), enrolled with percent, or completed.
    ``shown``: every course on the page, whose progress is worked out together."""
    enrolment = _my_enrolments().get(course.id)
    if enrolment is None:
        return None
    if enrolment.completed_at is not None:
        return {"state": "completed", "completed_at": enrolment.completed_at, "percent": 100}
    if enrolment.status != ENROLMENT_ACTIVE:
        return None
    _all_my_progress(shown or [course])
    progress = course_progress_for(course, enrolment)
    return {"state": "enrolled", "percent": progress.percent, "tracked": progress.tracked}


def item_url(course: Course, item) -> str:
    """Where to go for a required item (lesson page, quiz, course forum)."""
    if item.kind == "lesson":
        return url_for("courses.lesson", slug=course.slug, lesson_slug=item.requirement.obj.slug)
    if item.kind == "quiz":
        return sources.quiz_url(item.requirement.obj)
    return sources.forum_url(course)


def profession_name(code: str) -> str:
    from ..accounts.forms import PROFESSION_LABELS
    return str(PROFESSION_LABELS.get(code, code))


@bp.app_context_processor
def progress_helpers():
    return {
        "course_progress_for": course_progress_for,
        "course_badge_for": course_badge_for,
        "missing_prerequisites_for": lambda course: services.missing_prerequisites(current_user, course),
        "progress_item_url": item_url,
        "certificate_for": _certificate_for,
        "profession_name": profession_name,
    }


def _certificate_for(course: Course):
    from ..certificates.services import live_certificate
    if not is_member(current_user):
        return None
    return live_certificate(current_user.id, course.id)
