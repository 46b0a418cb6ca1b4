"""Self-enrolment and lesson progress. Callers commit; signals go out before the
commit so progress and certificates react in the same transaction."""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..database import utcnow
from ..extensions import db
from ..templating import format_day
from . import hooks
from .models import ENROLMENT_ACTIVE, ENROLMENT_UNENROLLED, Course, Enrolment, Lesson, LessonProgress, active_enrolments


class EnrolmentError(ValueError):
    """Self-enrolment refused; the message says why, for the learner."""


def active_count(course: Course) -> int:
    return db.session.scalar(active_enrolments(func.count(Enrolment.id), course_id=course.id)) or 0


def places_left(course: Course) -> int | None:
    return None if course.capacity is None else max(0, course.capacity - active_count(course))


def enrolment_problem(user, course: Course, today: date | None = None) -> str | None:
    """Why ``user`` cannot enrol now (key aside), or None."""
    today = today or utcnow().date()
    if not course.published:
        return _("This course is not published yet.")
    if course.enrolment_mode == "closed":
        return _("Self-enrolment is closed for this course. Ask a trainer to enrol you.")
    if course.enrol_opens and today < course.enrol_opens:
        return _("Enrolment opens on %(date)s.", date=format_day(course.enrol_opens))
    if course.enrol_closes and today > course.enrol_closes:
        return _("Enrolment closed on %(date)s.", date=format_day(course.enrol_closes))
    if course.capacity is not None and active_count(course) >= course.capacity:
        return ngettext("This course is full: its only place is taken.",
                        "This course is full: all %(num)d places are taken.", course.capacity)
    for check in hooks.enrolment_checks:
        message = check(user, course)
        if message:
            return str(message)
    return None


def enrol(user, course: Course, key: str | None = None, today: date | None = None) -> Enrolment:
    """Enrol ``user`` (or bring back an earlier enrolment with its history).
    Raises EnrolmentError with the reason when the course's rules refuse."""
    existing = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id,
                                                         Enrolment.course_id == course.id))
    if existing is not None and existing.status == ENROLMENT_ACTIVE:
        return existing
    # Serialise enrolments of one course so the capacity holds (SQLite already
    # serialises writers; PostgreSQL locks the course row).
    db.session.execute(select(Course.id).where(Course.id == course.id).with_for_update())
    problem = enrolment_problem(user, course, today)
    if problem:
        raise EnrolmentError(problem)
    if course.enrolment_mode == "key":
        given = (key or "").strip()
        if not given:
            raise EnrolmentError(_("This course needs an enrolment key. Your trainer gives it to you."))
        if not hmac.compare_digest(given.encode(), (course.enrolment_key or "").encode()):
            raise EnrolmentError(_("That enrolment key is not correct. Check it with your trainer and try again."))
    return _activate(user, course, existing)


def _activate(user, course: Course, existing: Enrolment | None) -> Enrolment:
    if existing is None:
        existing = Enrolment(user_id=user.id, course_id=course.id)
        db.session.add(existing)
    existing.status, existing.unenrolled_at = ENROLMENT_ACTIVE, None
    existing.enrolled_at = utcnow()
    db.session.flush()
    signals.enrolled.send(signals.app(), user=user, enrolment=existing)
    return existing


# -- enrolment by a trainer ---------------------------------------------------------

ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class ManualEnrolment:
    enrolled: list = field(default_factory=list)  # users enrolled now
    already: list = field(default_factory=list)  # users who were enrolled already
    unknown: list[str] = field(default_factory=list)  # addresses of no member


def members_by_address(text: str):
    """(members, unknown addresses) for addresses pasted one per line or separated by
    commas, semicolons or spaces."""
    from ..accounts.models import User

    addresses = list(dict.fromkeys(a.strip().lower() for a in ADDRESS_SEPARATORS.split(text or "") if "@" in a))
    found = {u.email: u for u in db.session.scalars(select(User).where(
        User.email.in_(addresses), User.deleted_at.is_(None), User.active.is_(True)))} if addresses else {}
    return [found[a] for a in addresses if a in found], [a for a in addresses if a not in found]


def enrol_by_trainer(course: Course, text: str, trainer) -> ManualEnrolment:
    """Enrol the members named by address, whatever the course's enrolment mode, key,
    window or places (the trainer decides), and tell each of them by mail."""
    users, unknown = members_by_address(text)
    report = ManualEnrolment(unknown=unknown)
    for user in users:
        existing = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id,
                                                             Enrolment.course_id == course.id))
        if existing is not None and existing.status == ENROLMENT_ACTIVE:
            report.already.append(user)
            continue
        _activate(user, course, existing)
        report.enrolled.append(user)
        _tell(user, course, trainer, enrolled=True)
    return report


def unenrol_by_trainer(course: Course, user, trainer) -> bool:
    """End ``user``'s enrolment (progress stays for history) and tell them by mail."""
    if unenrol(user, course) is None:
        return False
    _tell(user, course, trainer, enrolled=False)
    return True


def _tell(user, course: Course, trainer, enrolled: bool) -> None:
    from flask_babel import force_locale

    from ..mail import queue_mail
    from ..urls import public_url
    from .services import course_text

    with force_locale(user.language or "en"):
        title = course_text(course, user.language or "en")["title"]
        if enrolled:
            subject = _("You are enrolled in “%(course)s”", course=title)
            body = _("Hello %(name)s,\n\n%(trainer)s enrolled you in the course “%(course)s” on Inclusion Hub. "
                     "You can start whenever you like:\n%(link)s\n", name=user.display_name,
                     trainer=trainer.display_name, course=title, link=public_url("courses.course", slug=course.slug))
        else:
            subject = _("You are no longer enrolled in “%(course)s”", course=title)
            body = _("Hello %(name)s,\n\n%(trainer)s ended your enrolment in the course “%(course)s”. Your "
                     "progress is kept: if you are enrolled again, you continue where you stopped.\n",
                     name=user.display_name, trainer=trainer.display_name, course=title)
    queue_mail(user.email, subject, body)


def unenrol(user, course: Course) -> Enrolment | None:
    """Leave the course; the enrolment row and all progress stay for history."""
    row = db.session.scalar(active_enrolments(user_id=user.id, course_id=course.id))
    if row is not None:
        row.status, row.unenrolled_at = ENROLMENT_UNENROLLED, utcnow()
    return row


def record_view(user, lesson: Lesson) -> LessonProgress:
    """The first time a learner opens a lesson (call inside write_transaction)."""
    row = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id,
                                                         LessonProgress.lesson_id == lesson.id))
    if row is None:
        row = LessonProgress(user_id=user.id, lesson_id=lesson.id, first_viewed_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # a parallel request recorded it first
            row = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id,
                                                                 LessonProgress.lesson_id == lesson.id))
            assert row is not None  # the unique-key clash means the row exists
    return row


def complete_lesson(user, lesson: Lesson) -> bool:
    """Mark the lesson complete; True if it was not complete before. Sends
    ``lesson_completed`` (once) before the caller commits."""
    row = record_view(user, lesson)
    if row.completed_at is not None:
        return False
    row.completed_at = utcnow()
    db.session.flush()
    signals.lesson_completed.send(signals.app(), user=user, lesson=lesson)
    return True
