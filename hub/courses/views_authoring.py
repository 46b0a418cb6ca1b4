"""Trainers' pages: create and edit courses, sections and lessons, preview Markdown,
reorder, publish, and move courses in and out as zip archives (images: views_images.py).
Every page needs ``course.author``: learners get 403, visitors are sent to log in."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from ..extensions import db
from ..permissions import can, ensure
from . import authoring, content, content_export, enrolment, media, services
from .blueprint import bp, post_checked
from .forms import CourseForm, CoverForm, ImportForm, LessonForm, ParticipantsForm, SectionForm, TrainerForm
from .lookups import managed_course_or_404
from .models import Course, Lesson, Section


def authored_lesson(course: Course, slug: str) -> Lesson:
    lesson = services.get_lesson(course, slug)
    if lesson is None:
        abort(404)
    return lesson


def authored_section(course: Course, section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.course_id != course.id or section.archived_at is not None:
        abort(404)
    return section


def direction() -> int:
    value = request.form.get("direction")
    if value not in ("up", "down"):
        abort(400)
    return -1 if value == "up" else 1


def to_dashboard(course: Course, anchor: str | None = None) -> Response:
    return redirect(url_for(".author", slug=course.slug, _anchor=anchor))


@bp.route("/new", methods=["GET", "POST"])
def new_course():
    ensure("course.author")
    form = CourseForm()
    if request.method == "GET":
        # A new course is most likely written in the language the trainer reads the hub in
        # (the choices are sorted by code, so the browser would otherwise pick the first).
        form.language.data = str(get_locale())
    preview_html = None
    if form.validate_on_submit():
        if form.preview.data:
            preview_html = authoring.preview(form.description_md.data)
        else:
            try:
                course = authoring.create_course(current_user, form.slug.data, **form.values())
            except authoring.AuthoringError as error:
                db.session.rollback()
                form.slug.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("Course created. Add sections and lessons, then publish it."), "success")
                return to_dashboard(course)
    return render_template("courses/authoring/course_form.html", form=form, course=None, preview_html=preview_html)


@bp.route("/<slug>/author")
def author(slug: str):
    course = managed_course_or_404(slug, "course.author")
    sections = authoring.live_sections(course)
    lessons = services.live_lessons(course, include_unpublished=True)
    archived = [lesson for lesson in course.lessons if lesson.archived_at is not None]
    return render_template("courses/authoring/dashboard.html", course=course, sections=sections,
                           unsectioned=[x for x in lessons if x.section_id is None or x.section not in sections],
                           lessons_of={s.id: [x for x in lessons if x.section_id == s.id] for s in sections},
                           archived=archived, section_form=SectionForm(), trainers=services.trainers_of(course),
                           trainer_form=TrainerForm())


@bp.route("/<slug>/participants", methods=["GET", "POST"])
def participants(slug: str):
    """The course's learners: a trainer enrols members by address (whatever the
    enrolment mode: "closed" courses have no other way in) and ends enrolments."""
    course = managed_course_or_404(slug, "course.author")
    form = ParticipantsForm()
    if form.validate_on_submit():
        report = enrolment.enrol_by_trainer(course, form.addresses.data, current_user)
        db.session.commit()
        if report.enrolled:
            flash(ngettext("%(num)d member enrolled and told by mail.", "%(num)d members enrolled and told by mail.",
                           len(report.enrolled)), "success")
        if report.already:
            flash(_("Already enrolled: %(names)s.", names=", ".join(u.display_name for u in report.already)), "info")
        if report.unknown:
            flash(_("No member has these addresses (they need to register first): %(addresses)s.",
                    addresses=", ".join(report.unknown)), "error")
        return redirect(url_for("courses.participants", slug=course.slug))
    learners = services.participants_of(course)
    return render_template("courses/authoring/participants.html", course=course, form=form, learners=learners)


@bp.route("/<slug>/participants/<int:user_id>/unenrol", methods=["POST"])
def unenrol_participant(slug: str, user_id: int):
    from ..accounts.models import User

    course = managed_course_or_404(slug, "course.author")
    post_checked()
    user = db.session.get(User, user_id)
    if user is None or not enrolment.unenrol_by_trainer(course, user, current_user):
        abort(404)
    db.session.commit()
    flash(_("%(name)s is no longer enrolled; their progress is kept.", name=user.display_name), "success")
    return redirect(url_for("courses.participants", slug=course.slug))


@bp.route("/<slug>/trainers", methods=["POST"])
def add_trainer(slug: str):
    """Administrators assign trainers; a course's trainers add their co-trainers."""
    course = managed_course_or_404(slug, "course.author")
    form = TrainerForm()
    if form.validate_on_submit():
        try:
            user = authoring.add_trainer_by_email(course, form.email.data)
        except authoring.AuthoringError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("%(name)s now trains this course.", name=user.display_name), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("courses.author", slug=course.slug) + "#trainers")


@bp.route("/<slug>/trainers/<int:user_id>/remove", methods=["POST"])
def remove_trainer(slug: str, user_id: int):
    course = managed_course_or_404(slug, "course.author")
    post_checked()
    authoring.remove_trainer(course, user_id)
    db.session.commit()
    flash(_("The trainer was removed from this course."), "success")
    if not can(current_user, "course.author", db.session.get(Course, course.id)):
        return redirect(url_for("courses.course", slug=course.slug))  # they removed themselves
    return redirect(url_for("courses.author", slug=course.slug) + "#trainers")


def image_max_bytes() -> int:
    return int(current_app.config.get("COURSE_IMAGE_MAX_BYTES", media.DEFAULT_MAX_BYTES))


def settings_page(course: Course, form: CourseForm, preview_html: Markup | None = None,
                  cover_form: CoverForm | None = None, status: int = 200):
    """The course settings form and, below it, the course image (views_images.py)."""
    upload = current_app.config["UPLOAD_PATH"]
    return render_template("courses/authoring/course_form.html", form=form, course=course, preview_html=preview_html,
                           cover_form=cover_form or CoverForm(formdata=None),
                           cover=media.cover_name(upload, course.id), max_kb=image_max_bytes() // 1024), status


@bp.route("/<slug>/settings", methods=["GET", "POST"])
def settings(slug: str):
    course = managed_course_or_404(slug, "course.author")
    form = CourseForm()
    if request.method == "GET":
        form.fill(course)
    preview_html = None
    if form.validate_on_submit():
        if form.preview.data:
            preview_html = authoring.preview(form.description_md.data, course)
        else:
            try:
                authoring.update_course(course, **form.values())
            except authoring.AuthoringError as error:
                db.session.rollback()
                form.prerequisites.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("Course settings saved."), "success")
                return to_dashboard(course)
    return settings_page(course, form, preview_html)


@bp.post("/<slug>/publish")
def publish_course(slug: str):
    course = managed_course_or_404(slug, "course.author")
    post_checked()
    published = request.form.get("published") == "1"
    authoring.set_course_published(course, published)
    db.session.commit()
    flash(_("The course is published: learners can find it.") if published
          else _("The course is unpublished: only its trainers see it."), "success")
    return to_dashboard(course)


@bp.post("/<slug>/preview")
def preview(slug: str):
    """Server-rendered preview for the editor's script (same renderer as saving)."""
    course = managed_course_or_404(slug, "course.author")
    post_checked()
    return jsonify(html=authoring.preview(request.form.get("text", ""), course))


@bp.post("/<slug>/sections")
def add_section(slug: str):
    course = managed_course_or_404(slug, "course.author")
    form = SectionForm()
    if not form.validate_on_submit():
        flash(_("Give the section a title (at most 200 characters)."), "error")
        return to_dashboard(course)
    section = authoring.add_section(course, form.title.data)
    db.session.commit()
    flash(_("Section added."), "success")
    return to_dashboard(course, f"section-{section.id}")


@bp.post("/<slug>/sections/<int:section_id>/rename")
def rename_section(slug: str, section_id: int):
    course = managed_course_or_404(slug, "course.author")
    section = authored_section(course, section_id)
    post_checked()
    title = (request.form.get("title") or "").strip()
    if not title or len(title) > 200:
        flash(_("Give the section a title (at most 200 characters)."), "error")
        return to_dashboard(course, f"section-{section.id}")
    authoring.rename_section(section, title)
    db.session.commit()
    flash(_("Section renamed."), "success")
    return to_dashboard(course, f"section-{section.id}")


@bp.post("/<slug>/sections/<int:section_id>/move")
def move_section(slug: str, section_id: int):
    course = managed_course_or_404(slug, "course.author")
    section = authored_section(course, section_id)
    post_checked()
    authoring.move_section(section, direction())
    db.session.commit()
    return to_dashboard(course, f"section-{section.id}")


@bp.post("/<slug>/sections/<int:section_id>/remove")
def remove_section(slug: str, section_id: int):
    course = managed_course_or_404(slug, "course.author")
    section = authored_section(course, section_id)
    post_checked()
    authoring.remove_section(section)
    db.session.commit()
    flash(_("Section removed; its lessons are kept without a section."), "success")
    return to_dashboard(course)


def _lesson_form(course: Course, form: LessonForm) -> dict:
    sections = {s.id: s for s in authoring.live_sections(course)}
    form.section.choices = [(0, _("(no section)"))] + [(s.id, s.title) for s in sections.values()]
    return sections


def _editor(course: Course, form: LessonForm, lesson: Lesson | None, preview_html: Markup | None, status: int = 200):
    images = media.list_media(current_app.config["UPLOAD_PATH"], course.id)
    return render_template("courses/authoring/lesson_form.html", course=course, form=form, lesson=lesson,
                           preview_html=preview_html, images=images), status


@bp.route("/<slug>/lessons/new", methods=["GET", "POST"])
def new_lesson(slug: str):
    course = managed_course_or_404(slug, "course.author")
    form = LessonForm()
    sections = _lesson_form(course, form)
    if request.method == "GET":
        form.section.data = int(request.args.get("section", "0")) if request.args.get("section", "").isdigit() else 0
    if form.validate_on_submit():
        if form.preview.data:
            return _editor(course, form, None, authoring.preview(form.body_md.data, course))
        try:
            lesson = authoring.add_lesson(course, slug=form.slug.data, **form.values(sections))
        except authoring.AuthoringError as error:
            db.session.rollback()
            form.slug.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Lesson saved."), "success")
            return redirect(url_for(".edit_lesson", slug=course.slug, lesson_slug=lesson.slug))
    return _editor(course, form, None, None)


@bp.route("/<slug>/lessons/<lesson_slug>/edit", methods=["GET", "POST"])
def edit_lesson(slug: str, lesson_slug: str):
    course = managed_course_or_404(slug, "course.author")
    lesson = authored_lesson(course, lesson_slug)
    form = LessonForm(obj=lesson if request.method == "GET" else None)
    if request.method == "GET":
        form.reviewed.data = lesson.reviewed_on
    sections = _lesson_form(course, form)
    if request.method == "GET":
        form.section.data = lesson.section_id if lesson.section_id in sections else 0
    if form.validate_on_submit():
        if form.preview.data:
            return _editor(course, form, lesson, authoring.preview(form.body_md.data, course))
        authoring.update_lesson(lesson, **form.values(sections))
        db.session.commit()
        flash(_("Lesson saved."), "success")
        return redirect(url_for(".edit_lesson", slug=course.slug, lesson_slug=lesson.slug))
    return _editor(course, form, lesson, None)


@bp.post("/<slug>/lessons/<lesson_slug>/move")
def move_lesson(slug: str, lesson_slug: str):
    course = managed_course_or_404(slug, "course.author")
    lesson = authored_lesson(course, lesson_slug)
    post_checked()
    if lesson.archived_at is None:
        authoring.move_lesson(lesson, direction())
        db.session.commit()
    return to_dashboard(course, f"lesson-{lesson.id}")


@bp.post("/<slug>/lessons/<lesson_slug>/publish")
def publish_lesson(slug: str, lesson_slug: str):
    course = managed_course_or_404(slug, "course.author")
    lesson = authored_lesson(course, lesson_slug)
    post_checked()
    published = request.form.get("published") == "1"
    authoring.set_lesson_published(lesson, published)
    db.session.commit()
    flash(_("Lesson published.") if published else _("Lesson unpublished: learners no longer see it."), "success")
    return to_dashboard(course, f"lesson-{lesson.id}")


@bp.post("/<slug>/lessons/<lesson_slug>/archive")
def archive_lesson(slug: str, lesson_slug: str):
    course = managed_course_or_404(slug, "course.author")
    lesson = authored_lesson(course, lesson_slug)
    post_checked()
    if request.form.get("restore") == "1":
        authoring.restore_lesson(lesson)
        flash(_("Lesson restored."), "success")
    else:
        authoring.archive_lesson(lesson)
        flash(_("Lesson archived. Learners' progress on it is kept; you can restore it below."), "success")
    db.session.commit()
    return to_dashboard(course)


@bp.route("/<slug>/export.zip")
def export(slug: str):
    course = managed_course_or_404(slug, "course.author")
    data = content_export.export_zip(course)
    response = current_app.response_class(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{content_export.folder_name(course)}.zip"'
    return response


@bp.route("/import", methods=["GET", "POST"])
def import_archive() -> ResponseReturnValue:
    ensure("course.author")
    form = ImportForm()
    problems: list = []
    report = None
    status = 200
    if form.validate_on_submit():
        try:
            report = content.import_upload(form.archive.data.stream,
                                           may_update=lambda c: can(current_user, "course.author", c))
        except content.ImportFailed as error:
            problems, report = error.errors, error.report
        except content.ContentError as error:
            problems = error.errors
        for created in report.created if report else []:
            imported = services.get_by_slug(created)
            assert imported is not None  # written to this session by the import
            authoring.add_trainer(imported, current_user)
        db.session.commit()
        if report and report.courses and not problems:
            flash(_("Imported: %(summary)s.", summary=report.summary()), "success")
            return redirect(url_for(".author", slug=report.courses[0]))
        status = 400 if problems else 200
    elif form.is_submitted():
        status = 400
    return render_template("courses/authoring/import.html", form=form, problems=problems, report=report), status
