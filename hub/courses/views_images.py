"""Trainers' pages for a course's pictures: the images lessons show and the course
image on its catalogue card. Both get the checks of media.py (PNG, JPEG, GIF or WebP,
typed by content, within the size limit); the course image is a file, not a column."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from . import media
from .blueprint import bp, post_checked
from .forms import CourseForm, CoverForm, ImageForm
from .lookups import managed_course_or_404
from .views_authoring import image_max_bytes, settings_page


def _image_problem(error: media.MediaError, max_bytes: int) -> str:
    return {
        "empty": _("The file is empty."),
        "too_large": _("The image is larger than %(kb)d KB.", kb=max_bytes // 1024),
    }.get(error.code, _("Only PNG, JPEG, GIF and WebP images can be uploaded."))


@bp.post("/<slug>/cover")
def upload_cover(slug: str):
    """The course image: checked like lesson images, stored as the course's cover file."""
    course = managed_course_or_404(slug, "course.author")
    cover_form = CoverForm()
    if cover_form.validate_on_submit():
        max_bytes = image_max_bytes()
        try:
            media.store_cover(current_app.config["UPLOAD_PATH"], course.id,
                              cover_form.cover.data.read(max_bytes + 1), max_bytes)
        except media.MediaError as error:
            cover_form.cover.errors.append(_image_problem(error, max_bytes))
        else:
            flash(_("Course image saved. It shows on the course's card in the catalogue."), "success")
            return redirect(url_for(".settings", slug=course.slug, _anchor="course-image"))
    form = CourseForm(formdata=None)
    form.fill(course)
    return settings_page(course, form, cover_form=cover_form, status=400)


@bp.post("/<slug>/cover/delete")
def delete_cover(slug: str):
    course = managed_course_or_404(slug, "course.author")
    post_checked()
    if media.delete_cover(current_app.config["UPLOAD_PATH"], course.id):
        flash(_("Course image removed."), "success")
    return redirect(url_for(".settings", slug=course.slug, _anchor="course-image"))


@bp.route("/<slug>/images", methods=["GET", "POST"])
def images(slug: str):
    course = managed_course_or_404(slug, "course.author")
    form = ImageForm()
    upload = current_app.config["UPLOAD_PATH"]
    status = 200
    if form.validate_on_submit():
        max_bytes = image_max_bytes()
        data = form.image.data.read(max_bytes + 1)
        try:
            name = media.store_upload(upload, course.id, data, max_bytes)
        except media.MediaError as error:
            form.image.errors.append(_image_problem(error, max_bytes))
            status = 400
        else:
            flash(_("Image uploaded. Put it in a lesson with: %(code)s", code=f"![{_('description')}](images/{name})"),
                  "success")
            return redirect(url_for(".images", slug=course.slug))
    elif form.is_submitted():
        status = 400
    return render_template("courses/authoring/images.html", course=course, form=form,
                           images=media.list_media(upload, course.id),
                           max_kb=image_max_bytes() // 1024), status


@bp.post("/<slug>/images/<name>/delete")
def delete_image(slug: str, name: str):
    course = managed_course_or_404(slug, "course.author")
    post_checked()
    if media.delete_media(current_app.config["UPLOAD_PATH"], course.id, name):
        flash(_("Image deleted."), "success")
    return redirect(url_for(".images", slug=course.slug))
