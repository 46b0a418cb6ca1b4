"""Issuing, revoking and reissuing certificates; looking them up by code.

One live certificate per learner and course is guaranteed by the database
(``uq_certificate_live``); :func:`issue` turns the constraint error of a lost race
into "the certificate already exists", so concurrent completions end with one."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from typing import Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..courses.models import Course, Enrolment
from ..courses.services import title_in
from ..database import utcnow
from ..extensions import db
from ..permissions import ADMIN, has_role, is_member, rule
from .models import Certificate

# Crockford's base32: no I, L, O, U; 20 symbols carry 100 random bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20
_CODE_CLEAN = re.compile(r"[\s\-_.]+")
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class CertificateError(ValueError):
    """A user-facing refusal: already issued, course awards none, not enrolled..."""


# --- permissions -----------------------------------------------------------------

@rule("certificate.issue")
def can_issue(user, course) -> bool:
    return has_role(user, ADMIN)


@rule("certificate.manage")
def can_manage(user, obj) -> bool:
    """Revoke, reissue, list everyone's certificates."""
    return has_role(user, ADMIN)


@rule("certificate.download")
def can_download(user, cert: Certificate | None) -> bool:
    if cert is None or not is_member(user):
        return False
    if has_role(user, ADMIN):
        return True
    return cert.user_id == user.id and not cert.is_revoked


# --- codes --------------------------------------------------------------------------

def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str:
    """What a person typed or scanned → the stored form (case, dashes, spaces)."""
    code = _CODE_CLEAN.sub("", (raw or "").strip()).upper()[:64]
    return code.translate(_LOOK_ALIKES)


def find_by_code(raw: str | None) -> Certificate | None:
    code = normalise_code(raw)
    if not code or len(code) > 32:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def issuer_name() -> str:
    return current_app.config.get("CERTIFICATE_ISSUER") or current_app.config["SITE_NAME"]


def recipient_identity(email: str, salt: str) -> str:
    return hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


# --- queries ------------------------------------------------------------------------

def has_issued(course: Course) -> bool:
    return db.session.scalar(select(Certificate.id).where(Certificate.course_id == course.id).limit(1)) is not None


def live_certificate(user_id: int, course_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user_id,
                                                       Certificate.course_id == course_id,
                                                       Certificate.live.is_(True)))


def certificates_of(user) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)
                                   .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def live_certificates_by_user(course_id: int, user_ids) -> dict[int, Certificate]:
    """For reports: {user_id: live certificate} in one query."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    rows = db.session.scalars(select(Certificate).where(Certificate.course_id == course_id,
                                                        Certificate.live.is_(True),
                                                        Certificate.user_id.in_(user_ids)))
    return {c.user_id: c for c in rows}


# --- how a certificate was earned ----------------------------------------------------

def earned_by_completion(issued_by_id: int | None, completed_at: datetime | None, issued_at: datetime) -> bool:
    """True when the certificate records a completed course: issued automatically (the
    hub issues only on completion), or by a trainer after the learner had completed
    it. A trainer's certificate for an unfinished course was awarded, not completed."""
    if issued_by_id is None:
        return True
    return completed_at is not None and completed_at <= issued_at


def certificate_earning(cert: Certificate) -> str:
    """``"completed"`` or ``"awarded"``: what the certificate's pages and PDF say."""
    completed_at = db.session.scalar(select(Enrolment.completed_at).where(Enrolment.user_id == cert.user_id,
                                                                          Enrolment.course_id == cert.course_id))
    return "completed" if earned_by_completion(cert.issued_by_id, completed_at, cert.issued_at) else "awarded"


# --- issuing ------------------------------------------------------------------------

def issue(user, course: Course, *, issued_by=None, note: str = "") -> Certificate:
    """Issue the learner's certificate for the course, recording what it states now.

    Raises CertificateError when the course awards no certificates, the learner is
    not enrolled, or a live certificate exists (also when a concurrent request won
    the race: the database refuses the second row and we report the first)."""
    if course.certificate_mode == "none":
        raise CertificateError(_("“%(course)s” does not award certificates.", course=title_in(course)))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id,
                                                          Enrolment.course_id == course.id))
    if enrolment is None:
        raise CertificateError(_("%(name)s is not enrolled in “%(course)s”.", name=user.display_name,
                                 course=title_in(course)))
    if live_certificate(user.id, course.id) is not None:
        raise CertificateError(_("%(name)s already has a certificate for “%(course)s”.",
                                 name=user.display_name, course=title_in(course)))
    salt = secrets.token_hex(8)
    cert = Certificate(
        code=new_code(), user_id=user.id, course_id=course.id, live=True,
        learner_name=user.display_name, course_title=title_in(course, user.language or course.language),
        language=user.language or course.language, hours=float(course.estimated_hours or 0),
        issuer=issuer_name(), note=(note or "").strip(), issued_at=utcnow(),
        issued_by_id=getattr(issued_by, "id", None),
        recipient_salt=salt, recipient_hash=recipient_identity(user.email, salt))
    try:
        with db.session.begin_nested():
            db.session.add(cert)
            db.session.flush()
    except IntegrityError:
        # Lost a race with another request issuing the same certificate.
        raise CertificateError(_("%(name)s already has a certificate for “%(course)s”.",
                                 name=user.display_name, course=title_in(course))) from None
    return cert


def issue_if_missing(user, course: Course, *, issued_by=None, note: str = "") -> Certificate | None:
    """The automatic path: issue unless a live certificate exists; never raises for
    the "already issued" case, so a racing completion is harmless."""
    try:
        return issue(user, course, issued_by=issued_by, note=note)
    except CertificateError:
        return live_certificate(user.id, course.id)


def bulk_issue(course: Course, users, *, issued_by, note: str = "") -> tuple[list[Certificate], list[str]]:
    """Issue to each user; returns (issued, reasons for those skipped)."""
    issued, skipped = [], []
    for user in users:
        try:
            issued.append(issue(user, course, issued_by=issued_by, note=note))
        except CertificateError as error:
            skipped.append(str(error))
    return issued, skipped


def revoke(cert: Certificate, *, by, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give a reason: it is shown on the verification page."))
    if cert.is_revoked:
        raise CertificateError(_("This certificate is already revoked."))
    cert.revoked_at = utcnow()
    cert.revoked_reason = reason
    cert.revoked_by_id = getattr(by, "id", None)
    cert.live = None
    db.session.flush()


def reissue(cert: Certificate, *, by, note: str = "", reason: str = "") -> Certificate:
    """A new certificate (new code, today's name and title) replacing ``cert``; the
    old one is revoked if it was not already, and points to its replacement."""
    if cert.replaced_by_id is not None:
        raise CertificateError(_("This certificate was already replaced."))
    if not cert.is_revoked:
        revoke(cert, by=by, reason=reason or _("Replaced by a reissued certificate."))
    course = db.session.get(Course, cert.course_id)
    assert course is not None  # cert.course_id is a non-null, cascading foreign key
    new = issue(cert.user, course, issued_by=by, note=note or cert.note)
    cert.replaced_by_id = new.id
    db.session.flush()
    return new


# Set by the progress feature (progress.init_app), which certificates must not import:
# one sentence saying what completes a course, the criteria of its badge.
_criteria_of: Callable[[Course], str] | None = None


def set_criteria_provider(provider: Callable[[Course], str]) -> None:
    global _criteria_of
    _criteria_of = provider


def criteria_of(course: Course) -> str:
    return _criteria_of(course) if _criteria_of is not None else ""


def on_course_completed(sender, user=None, course=None, enrolment=None, **extra):
    if user is not None and course is not None and course.certificate_mode == "auto":
        issue_if_missing(user, course)
