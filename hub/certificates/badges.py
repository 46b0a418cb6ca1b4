"""Open Badges 2.0 documents (hosted verification): Issuer profile, one BadgeClass per
course and one Assertion per certificate. Every ``id`` is the public URL the
document is served at, as hosted verification requires.

Spec: https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html"""
from __future__ import annotations

from typing import Callable

from ..courses.models import Course
from .models import Certificate

CONTEXT = "https://w3id.org/openbadges/v2"
UrlFor = Callable[..., str]  # (endpoint, **values) -> absolute public URL


def issuer_profile(name: str, url_for: UrlFor, email: str | None = None) -> dict:
    profile = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": url_for("certificates.badge_issuer"),
        "name": name,
        "url": url_for("main.index"),
    }
    if email:
        profile["email"] = email
    return profile


def badge_class(course: Course, criteria: str, url_for: UrlFor, title: str | None = None) -> dict:
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": url_for("certificates.badge_class", slug=course.slug),
        "name": title or course.title,
        "description": course.summary or course.title,
        "image": url_for("certificates.badge_image", slug=course.slug),
        "criteria": {"id": url_for("courses.course", slug=course.slug), "narrative": criteria},
        "issuer": url_for("certificates.badge_issuer"),
    }


def assertion(cert: Certificate, course_slug: str, url_for: UrlFor) -> dict:
    doc: dict[str, object] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": url_for("certificates.badge_assertion", code=cert.code),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": cert.recipient_salt,
            "identity": f"sha256${cert.recipient_hash}",
        },
        "badge": url_for("certificates.badge_class", slug=course_slug),
        "verification": {"type": "hosted"},
        "issuedOn": cert.issued_at.isoformat(timespec="seconds"),
        "evidence": url_for("certificates.verify", code=cert.code),
    }
    if cert.is_revoked:
        doc["revoked"] = True
        doc["revocationReason"] = cert.revoked_reason
    return doc
