"""Certificates: the learner's list and PDFs, administrators' issue/revoke/reissue,
the public verification page and the Open Badges documents."""
from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import or_, select

from ..accounts.models import User
from ..courses.lookups import certified_course_or_404
from ..courses.models import Course
from ..courses.services import title_in
from ..extensions import db, limiter
from ..pagination import paginate
from ..permissions import can, ensure, require
from ..security import safe_next
from ..urls import public_url
from . import badge_layout, badges, services
from .forms import IssueForm, IssueOneForm, ReissueForm, RevokeForm, VerifyForm
from .models import Certificate
from .pdf import render_certificate

bp = Blueprint("certificates", __name__)

VERIFY_LIMIT = "60 per minute"


@bp.app_context_processor
def certificate_helpers():
    """``certificate_earning(cert)`` for the pages that say what a certificate states."""
    return {"certificate_earning": services.certificate_earning}


# --- learners -----------------------------------------------------------------------

@bp.route("/certificates/")
@require("member")
def mine():
    return render_template("certificates/mine.html", certificates=services.certificates_of(current_user))


@bp.route("/certificates/<int:cert_id>/certificate.pdf")
def download(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    ensure("certificate.download", cert)
    data = render_certificate(cert, public_url("certificates.verify", code=cert.code),
                              earning=services.certificate_earning(cert))
    course = db.session.get(Course, cert.course_id)
    name = f"certificate-{course.slug if course else cert.course_id}-{cert.code}.pdf"
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name,
                     max_age=0)


# --- administrators -------------------------------------------------------------------

@bp.route("/certificates/manage")
@require("certificate.manage")
def manage():
    stmt = select(Certificate).join(Course, Course.id == Certificate.course_id)
    course_slug = request.args.get("course", "")
    query = request.args.get("q", "").strip()
    state = request.args.get("state", "")
    if course_slug:
        stmt = stmt.where(Course.slug == course_slug)
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(Certificate.learner_name.ilike(like), Certificate.code == services.normalise_code(query)))
    if state == "live":
        stmt = stmt.where(Certificate.revoked_at.is_(None))
    elif state == "revoked":
        stmt = stmt.where(Certificate.revoked_at.is_not(None))
    page = paginate(stmt.order_by(Certificate.issued_at.desc(), Certificate.id.desc()), per_page=30)
    courses = db.session.scalars(select(Course).where(Course.archived_at.is_(None)).order_by(Course.position,
                                                                                             Course.title)).all()
    return render_template("certificates/manage.html", page=page, courses=courses, course_slug=course_slug,
                           q=query, state=state)


@bp.route("/certificates/issue", methods=["GET", "POST"])
@require("certificate.manage")
def issue_one():
    """Issue to one learner picked by email address."""
    courses = db.session.scalars(select(Course).where(Course.archived_at.is_(None),
                                                      Course.certificate_mode != "none")
                                 .order_by(Course.position, Course.title)).all()
    form = IssueOneForm(course=request.args.get("course"), email=request.args.get("email"))
    form.course.choices = [("", _("Choose a course"))] + [(c.slug, c.title) for c in courses]
    status = 200
    if form.validate_on_submit():
        course = next(c for c in courses if c.slug == form.course.data)
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower(),
                                                    User.deleted_at.is_(None)))
        if user is None:
            form.email.errors = [_("No member has this email address.")]
        else:
            try:
                cert = services.issue(user, course, issued_by=current_user, note=form.note.data or "")
            except services.CertificateError as error:
                form.email.errors = [str(error)]
            else:
                db.session.commit()
                flash(_("Certificate issued to %(name)s.", name=cert.learner_name), "success")
                return redirect(url_for("certificates.detail", cert_id=cert.id))
    if form.errors:
        status = 400
    return render_template("certificates/issue.html", form=form), status


@bp.route("/certificates/bulk-issue", methods=["POST"])
@require("certificate.manage")
def bulk_issue():
    """From the course report: the ticked learners, one note for all."""
    form = IssueForm()
    course = db.session.get(Course, form.course_id.data) if form.course_id.data else None
    back = safe_next(form.next.data, url_for("progress.report", slug=course.slug) if course else url_for(
        "certificates.manage"))
    if course is None or not form.validate_on_submit():
        flash(_("Choose the learners and keep the note under 300 characters."), "error")
        return redirect(back)
    user_ids = [uid for uid in form.user_ids.data or [] if isinstance(uid, int)]
    if not user_ids:
        flash(_("Tick at least one learner."), "error")
        return redirect(back)
    users = db.session.scalars(select(User).where(User.id.in_(user_ids))).all()
    issued, skipped = services.bulk_issue(course, users, issued_by=current_user, note=form.note.data or "")
    db.session.commit()
    if issued:
        flash(ngettext("%(num)d certificate issued.", "%(num)d certificates issued.", len(issued)), "success")
    for reason in skipped:
        flash(reason, "warning")
    return redirect(back)


@bp.route("/certificates/<int:cert_id>")
@require("certificate.manage")
def detail(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    return render_template("certificates/detail.html", cert=cert, revoke_form=RevokeForm(), reissue_form=ReissueForm())


@bp.route("/certificates/<int:cert_id>/revoke", methods=["POST"])
@require("certificate.manage")
def revoke(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke(cert, by=current_user, reason=form.reason.data)
        except services.CertificateError as error:
            form.reason.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("The certificate is revoked. Its verification page now says so."), "success")
            return redirect(url_for("certificates.detail", cert_id=cert.id))
    return render_template("certificates/detail.html", cert=cert, revoke_form=form, reissue_form=ReissueForm()), 400


@bp.route("/certificates/<int:cert_id>/reissue", methods=["POST"])
@require("certificate.manage")
def reissue(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    form = ReissueForm()
    if form.validate_on_submit():
        try:
            new = services.reissue(cert, by=current_user, note=form.note.data or "")
        except services.CertificateError as error:
            form.note.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("A new certificate was issued; the old one is revoked and points to it."), "success")
            return redirect(url_for("certificates.detail", cert_id=new.id))
    return render_template("certificates/detail.html", cert=cert, revoke_form=RevokeForm(), reissue_form=form), 400


# --- public verification ---------------------------------------------------------------

@bp.route("/verify")
@limiter.limit(VERIFY_LIMIT)
def verify_form():
    form = VerifyForm(request.args)
    if request.args.get("code") is not None:
        code = services.normalise_code(form.code.data)
        if code and form.validate():
            return redirect(url_for("certificates.verify", code=code))
        form.code.errors = [_("Enter the code printed on the certificate.")]
        return render_template("certificates/verify_form.html", form=form), 400
    return render_template("certificates/verify_form.html", form=form)


@bp.route("/verify/<code>")
@limiter.limit(VERIFY_LIMIT)
def verify(code: str):
    cert = services.find_by_code(code)
    if cert is not None and cert.code != code:
        return redirect(url_for("certificates.verify", code=cert.code))
    form = VerifyForm(formdata=None)
    if cert is None:
        return render_template("certificates/verify.html", cert=None, code=code, form=form), 404
    return render_template("certificates/verify.html", cert=cert, code=code, form=form,
                           assertion_url=public_url("certificates.badge_assertion", code=cert.code))


# --- Open Badges 2.0 ----------------------------------------------------------------------

def _json(doc: dict, status: int = 200) -> Response:
    response = jsonify(doc)
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"  # backpacks fetch these from their own origin
    return response


@bp.route("/badges/issuer")
def badge_issuer():
    return _json(badges.issuer_profile(services.issuer_name(), public_url,
                                       current_app.config.get("CERTIFICATE_ISSUER_EMAIL")))


def badge_course_or_404(slug: str):
    """A course's badge is public once the course is (the courses' own visibility
    rule), or once it has issued a badge: verifiers of badges already given out must
    still reach their class. An unpublished draft stays unknown."""
    course = certified_course_or_404(slug)
    if not can(current_user, "course.view", course) and not services.has_issued(course):
        abort(404)
    return course


@bp.route("/badges/courses/<slug>")
def badge_class(slug: str):
    course = badge_course_or_404(slug)
    return _json(badges.badge_class(course, services.criteria_of(course), public_url))


@bp.route("/badges/courses/<slug>/image.svg")
def badge_image(slug: str):
    course = badge_course_or_404(slug)
    issuer = services.issuer_name()
    svg = render_template("certificates/badge.svg", course=course, issuer=issuer,
                          texts=badge_layout.badge_texts(issuer, title_in(course)))
    return Response(svg, mimetype="image/svg+xml", headers={"Access-Control-Allow-Origin": "*"})


@bp.route("/badges/assertions/<code>")
@limiter.limit(VERIFY_LIMIT)
def badge_assertion(code: str):
    """Hosted verification: a revoked assertion answers 410 Gone with
    ``revoked: true`` and the reason, as Open Badges 2.0 asks."""
    cert = services.find_by_code(code)
    if cert is None:
        return _json({"error": "unknown assertion"}, 404)
    course = db.session.get(Course, cert.course_id)
    assert course is not None  # cert.course_id is a non-null, cascading foreign key
    doc = badges.assertion(cert, course.slug, public_url)
    return _json(doc, 410 if cert.is_revoked else 200)
