"""A practice's way to publication, and its history.

draft → submitted → in review → published, or returned with comments (and then
submitted again). Members submit their own records; reviewers (trainers and
administrators) take them into review, score, publish or return them. Every change
writes a revision (who, when, what the record looked like) so two versions can be
compared. Functions add to the session; the caller commits."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ..database import utcnow
from ..extensions import db
from ..forum import notifications
from ..mail import queue_mail
from ..permissions import is_member
from .models import DRAFT, IN_REVIEW, PUBLISHED, RETURNED, SUBMITTED, Practice, PracticeRevision, PracticeScore
from .services import as_record, is_reviewer, practice_url, rescore, unique_slug, write

OWNER, REVIEWER = "owner", "reviewer"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    by: str  # OWNER or REVIEWER


TRANSITIONS = {
    "submit": Transition("submit", (DRAFT, RETURNED), SUBMITTED, OWNER),
    "start_review": Transition("start_review", (SUBMITTED,), IN_REVIEW, REVIEWER),
    "publish": Transition("publish", (SUBMITTED, IN_REVIEW), PUBLISHED, REVIEWER),
    "return": Transition("return", (SUBMITTED, IN_REVIEW), RETURNED, REVIEWER),
    "unpublish": Transition("unpublish", (PUBLISHED,), IN_REVIEW, REVIEWER),
}

STATUS_LABELS = {
    DRAFT: _l("Draft"), SUBMITTED: _l("Submitted"), IN_REVIEW: _l("In review"), PUBLISHED: _l("Published"),
    RETURNED: _l("Returned for changes"),
}

ACTION_LABELS = {
    "created": _l("Created"), "edited": _l("Edited"), "submit": _l("Submitted for review"),
    "start_review": _l("Review started"), "publish": _l("Published"), "return": _l("Returned for changes"),
    "unpublish": _l("Taken back into review"), "scored": _l("Scored"), "imported": _l("Imported from shipped content"),
}


class WorkflowError(ValueError):
    """The action is not possible now; ``str()`` says why, for the user."""


def is_owner(user, practice: Practice) -> bool:
    return is_member(user) and practice.owner_id == user.id


def allowed_actions(user, practice: Practice) -> list[str]:
    actions = []
    for action, step in TRANSITIONS.items():
        if practice.status not in step.sources:
            continue
        if (step.by == OWNER and is_owner(user, practice)) or (step.by == REVIEWER and is_reviewer(user)):
            actions.append(action)
    return actions


def can_edit(user, practice: Practice) -> bool:
    """Owners edit their record at any stage (a published record's edit is logged);
    reviewers may correct any record."""
    return is_owner(user, practice) or is_reviewer(user)


def apply(user, practice: Practice, action: str, note: str = "") -> None:
    """Move ``practice`` on; raises WorkflowError when ``user`` may not now."""
    step = TRANSITIONS.get(action)
    if step is None or action not in allowed_actions(user, practice):
        raise WorkflowError(_("This step is not possible for this practice now."))
    note = (note or "").strip()
    if action == "return" and not note:
        raise WorkflowError(_("Say what needs to change before you return the practice."))
    if action == "publish" and not practice.scores:
        raise WorkflowError(_("Score the practice on the indicators before you publish it."))
    practice.status = step.target
    practice.updated_at = utcnow()
    if action == "publish":
        practice.published_at = practice.published_at or utcnow()
        practice.review_comment = ""
    elif action == "return":
        practice.review_comment = note
    record_revision(practice, user, action, note)
    if action in ("publish", "return") and practice.owner is not None and practice.owner_id != user.id:
        _tell_owner(practice, action, note, user)


def _tell_owner(practice: Practice, action: str, note: str, actor) -> None:
    """A mail in the owner's language and a note on their notification bell."""
    owner = practice.owner
    assert owner is not None  # checked by the caller
    with force_locale(owner.language or "en"):
        if action == "publish":
            subject = _("Your practice “%(title)s” is published", title=practice.title)
            body = _("Hello %(name)s,\n\nthe reviewers have published your practice “%(title)s”. Thank you for "
                     "sharing it with colleagues across Europe:\n\n%(url)s",
                     name=owner.display_name, title=practice.title, url=practice_url(practice))
        else:
            subject = _("Your practice “%(title)s” needs changes", title=practice.title)
            body = _("Hello %(name)s,\n\nthe reviewers have returned your practice “%(title)s” with these "
                     "comments:\n\n%(note)s\n\nEdit it and submit it again:\n\n%(url)s",
                     name=owner.display_name, title=practice.title, note=note, url=practice_url(practice))
    queue_mail(owner.email, subject, body)
    notifications.notify(owner.id, subject, url_for("practices.practice", slug=practice.slug),
                         actor_id=actor.id if is_member(actor) else None)


def record_revision(practice: Practice, user, action: str, note: str = "") -> PracticeRevision:
    db.session.flush()
    number = (db.session.scalar(select(func.max(PracticeRevision.number))
                                .where(PracticeRevision.practice_id == practice.id)) or 0) + 1
    revision = PracticeRevision(practice_id=practice.id, number=number, action=action, status=practice.status,
                                author_id=user.id if is_member(user) else None, note=note[:2000],
                                data=as_record(practice, with_contact=True))
    db.session.add(revision)
    return revision


# --- writing ---------------------------------------------------------------------------------

def create(user, columns: dict, sections: dict[str, str], facets: dict[str, list[str]]) -> Practice:
    """A member's new record, a draft they own."""
    practice = Practice(slug=unique_slug(columns["title"]), owner_id=user.id, status=DRAFT)
    db.session.add(practice)
    write(practice, columns, sections, facets)
    db.session.flush()
    record_revision(practice, user, "created")
    return practice


def update(user, practice: Practice, columns: dict, sections: dict[str, str], facets: dict[str, list[str]]) -> None:
    write(practice, columns, sections, facets)
    db.session.flush()
    record_revision(practice, user, "edited")


# --- scoring -----------------------------------------------------------------------------------

def save_scores(user, practice: Practice, scores: dict[str, tuple[int, str]]) -> None:
    """A reviewer's scores (indicator -> (0-3, why)) replace their earlier ones."""
    if not is_reviewer(user):
        raise WorkflowError(_("Only reviewers score practices."))
    if practice.status not in (SUBMITTED, IN_REVIEW, PUBLISHED):
        raise WorkflowError(_("A practice is scored once it has been submitted."))
    db.session.execute(delete(PracticeScore).where(PracticeScore.practice_id == practice.id,
                                                   PracticeScore.reviewer_id == user.id))
    for key, (score, why) in scores.items():
        db.session.add(PracticeScore(practice_id=practice.id, reviewer_id=user.id, indicator=key, score=score,
                                     justification=why.strip()))
    if practice.status == SUBMITTED:
        practice.status = IN_REVIEW
    db.session.flush()
    db.session.expire(practice, ["scores"])
    rescore(practice)
    record_revision(practice, user, "scored")


# --- comparing versions ------------------------------------------------------------------------

def compare(older: PracticeRevision, newer: PracticeRevision) -> list[tuple[str, list[str]]]:
    """(field, unified diff lines) for every field that differs between two revisions."""
    changes = []
    keys = list(dict.fromkeys([*older.data.keys(), *newer.data.keys()]))
    for key in keys:
        before, after = _text(older.data.get(key)), _text(newer.data.get(key))
        if before == after:
            continue
        lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2))[2:]
        changes.append((key, lines or [f"- {before}", f"+ {after}"]))
    return changes


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_text(v) for v in value)
    if isinstance(value, dict):
        return " · ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)
