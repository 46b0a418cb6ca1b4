"""Learners' pages: catalogue, course page, enrolment, lessons and course images.
Trainers' pages are in ``views_authoring.py`` on the same blueprint."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..database import utcnow, write_transaction
from ..extensions import db
from ..i18n import LANGUAGE_NAMES
from ..page_cache import public_page
from ..permissions import can, ensure, is_member
from . import catalogue as course_list
from . import enrolment as enrolments
from . import media, services
from .blueprint import bp, post_checked
from .forms import EnrolForm
from .lesson_index import lesson_index
from .lookups import viewable_course_or_404
from .models import Course, Enrolment, Lesson


def locale() -> str:
    return str(get_locale())


def lesson_or_404(course: Course, slug: str) -> Lesson:
    lesson = services.get_lesson(course, slug)
    if lesson is None or not services.lesson_visible(current_user, lesson):
        abort(404)
    return lesson


@bp.route("/")
@public_page
def catalogue():
    filters = course_list.Filters.from_args(request.args)
    page = course_list.page_of(current_user, filters, per_page=int(current_app.config["COURSES_PER_PAGE"]))
    return render_template("courses/catalogue.html", courses=page.items, page=page, filters=filters,
                           languages=course_list.languages(current_user), zones=course_list.zones(current_user),
                           texts={c.id: services.course_text(c, locale()) for c in page.items},
                           course_languages=services.languages_by_course(page.items))


@bp.route("/<slug>")
@public_page
def course(slug: str):
    course = viewable_course_or_404(slug)
    enrolment = services.active_enrolment(current_user, course)
    outline = services.outline(course, current_user, locale(), enrolment)
    past = None
    problem = None
    if is_member(current_user) and enrolment is None:
        past = db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == current_user.id,
                                                            Enrolment.course_id == course.id))
        problem = enrolments.enrolment_problem(current_user, course)
    first = next((item for section in outline for item in section.items if item.kind == "lesson"), None)
    next_item = next((item for section in outline for item in section.items
                      if item.kind == "lesson" and item.done is False), None)
    return render_template("courses/course.html", course=course, text=services.course_text(course, locale()),
                           enrolment=enrolment, past_enrolment=past, outline=outline, first_item=first,
                           next_item=next_item, rules=services.completion_rules_in_words(course, outline),
                           trainers=services.trainers_of(course), problem=problem, form=EnrolForm(),
                           languages=services.available_languages(course),
                           places_left=enrolments.places_left(course),
                           enrol_closes_ahead=(course.enrol_closes is not None
                                               and course.enrol_closes >= utcnow().date()),
                           can_read=can(current_user, "course.read", course))


@bp.post("/<slug>/enrol")
def enrol(slug: str):
    course = viewable_course_or_404(slug)
    ensure("member")
    form = EnrolForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        enrolments.enrol(current_user._get_current_object(), course, form.key.data)
    except enrolments.EnrolmentError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".course", slug=slug))
    db.session.commit()
    flash(_("You are enrolled in “%(title)s”. Your progress is saved as you go.", title=services.title_in(course)),
          "success")
    return redirect(url_for(".course", slug=slug))


@bp.post("/<slug>/unenrol")
def unenrol(slug: str):
    course = viewable_course_or_404(slug)
    ensure("member")
    post_checked()
    if enrolments.unenrol(current_user, course) is not None:
        db.session.commit()
        flash(_("You left “%(title)s”. Your progress is kept if you enrol again.", title=services.title_in(course)),
              "success")
    return redirect(url_for(".course", slug=slug))


@bp.route("/<slug>/lessons/<lesson_slug>")
@public_page
def lesson(slug: str, lesson_slug: str):
    course = viewable_course_or_404(slug)
    lesson = lesson_or_404(course, lesson_slug)
    if not can(current_user, "course.read", course):
        if not is_member(current_user):
            ensure("member")
        flash(_("Enrol in this course to read its lessons."), "info")
        return redirect(url_for(".course", slug=slug))
    enrolment = services.active_enrolment(current_user, course)
    progress = None
    if enrolment is not None:
        with write_transaction():
            progress = enrolments.record_view(current_user, lesson)
            done = progress.completed_at is not None
    else:
        done = False
    text = services.lesson_text(lesson, request.args.get("lang"), locale())
    lang_arg = request.args.get("lang") if request.args.get("lang") == text.language else None
    index = lesson_index(course, lesson, current_user, language=text.language, lang_arg=lang_arg,
                         tracked_user_id=current_user.id if enrolment is not None else None,
                         include_unpublished=services.is_course_trainer(current_user, course))
    return render_template("courses/lesson.html", course=course, lesson=lesson, text=text, enrolment=enrolment,
                           done=done, index=index, languages=services.lesson_languages(lesson), lang_arg=lang_arg,
                           section=lesson.section if lesson.section and lesson.section.archived_at is None else None,
                           section_title=(services.section_title(lesson.section, text.language)
                                          if lesson.section else ""))


@bp.post("/<slug>/lessons/<lesson_slug>/complete")
def complete(slug: str, lesson_slug: str):
    course = viewable_course_or_404(slug)
    lesson = lesson_or_404(course, lesson_slug)
    ensure("member")
    post_checked()
    lang = request.form.get("lang") or None
    lang = lang if lang in LANGUAGE_NAMES else None
    if services.active_enrolment(current_user, course) is None:
        flash(_("Enrol in the course to record your progress."), "error")
        return redirect(url_for(".course", slug=slug))
    enrolments.complete_lesson(current_user._get_current_object(), lesson)
    db.session.commit()
    following = services.neighbours(course, lesson, current_user)[1]
    if following is not None:
        flash(_("Lesson marked as complete. On to the next one."), "success")
        return redirect(url_for(".lesson", slug=slug, lesson_slug=following.slug, lang=lang))
    flash(_("Lesson marked as complete."), "success")
    return redirect(url_for(".course", slug=slug))


def cover_url(course: Course) -> str | None:
    """The course image for its catalogue card (a look at the disk, no query), with the
    file's time in the address so a replaced image is not taken from the cache."""
    upload = current_app.config["UPLOAD_PATH"]
    name = media.cover_name(upload, course.id)
    if name is None:
        return None
    path = media.media_root(upload, course.id) / name
    return url_for("courses.media_file", slug=course.slug, name=name, v=int(path.stat().st_mtime))


@bp.route("/<slug>/media/<name>")
def media_file(slug: str, name: str):
    course = viewable_course_or_404(slug)
    path = media.media_file(current_app.config["UPLOAD_PATH"], course.id, name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=media.content_type(name), max_age=3600, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = "inline"
    return response

