"""Administrators shape the forum: categories and site-wide forums, their order,
and the settings of course forums."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..forms import EmptyForm
from ..pagination import id_arg
from ..permissions import require
from . import structure
from .blueprint import bp
from .forms import KIND_LABELS, CategoryForm, ForumForm
from .models import Forum, ForumCategory


@bp.route("/manage")
@require("forum.manage")
def manage():
    course_forums = db.session.scalars(select(Forum).where(Forum.course_id.is_not(None)).order_by(Forum.title)).all()
    uncategorised = [f for f in structure.site_forums() if f.category_id is None]
    return render_template("forum/manage.html", categories=structure.categories(), uncategorised=uncategorised,
                           course_forums=course_forums, kind_labels=KIND_LABELS)


@bp.route("/manage/categories/new", methods=["GET", "POST"])
@bp.route("/manage/categories/<int:category_id>/edit", methods=["GET", "POST"])
@require("forum.manage")
def edit_category(category_id: int | None = None):
    category = db.get_or_404(ForumCategory, category_id) if category_id else None
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        structure.save_category(category, title=form.title.data, description=form.description.data or "")
        db.session.commit()
        flash(_("The category is saved."), "success")
        return redirect(url_for("forum.manage"))
    return render_template("forum/category_form.html", form=form, category=category)


@bp.route("/manage/forums/new", methods=["GET", "POST"])
@bp.route("/manage/forums/<int:forum_id>/edit", methods=["GET", "POST"])
@require("forum.manage")
def edit_forum(forum_id: int | None = None):
    forum = db.get_or_404(Forum, forum_id) if forum_id else None
    form = ForumForm(obj=forum)
    if forum is not None and forum.course_id is not None:
        del form.category_id  # a course forum belongs to its course, not to a category
    else:
        form.category_id.choices = [(0, _("No category"))] + [(c.id, c.title) for c in structure.categories()]
    if request.method == "GET" and "category_id" in form:
        form.category_id.data = (forum.category_id if forum else id_arg("category")) or 0
        if forum is None:
            form.qa_post_first.data = True
    if form.validate_on_submit():
        try:
            saved = structure.save_forum(forum, title=form.title.data, slug=form.slug.data,
                                         description=form.description.data or "",
                                         category_id=form.category_id.data or None if "category_id" in form else None,
                                         kind=form.kind.data,
                                         case_discussion=form.case_discussion.data,
                                         qa_post_first=form.qa_post_first.data)
        except structure.StructureError as exc:
            form.slug.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("The forum %(title)s is saved.", title=saved.title), "success")
            return redirect(url_for("forum.manage"))
    return render_template("forum/forum_form.html", form=form, forum=forum)


@bp.route("/manage/categories/<int:category_id>/move", methods=["POST"])
@require("forum.manage")
def move_category(category_id: int):
    category = db.get_or_404(ForumCategory, category_id)
    if EmptyForm().validate_on_submit():
        structure.move_category(category, -1 if request.form.get("direction") == "up" else 1)
        db.session.commit()
    return redirect(url_for("forum.manage"))


@bp.route("/manage/forums/<int:forum_id>/move", methods=["POST"])
@require("forum.manage")
def move_forum(forum_id: int):
    forum = db.get_or_404(Forum, forum_id)
    if EmptyForm().validate_on_submit():
        structure.move_forum(forum, -1 if request.form.get("direction") == "up" else 1)
        db.session.commit()
    return redirect(url_for("forum.manage"))


@bp.route("/manage/categories/<int:category_id>/delete", methods=["POST"])
@require("forum.manage")
def delete_category(category_id: int):
    category = db.get_or_404(ForumCategory, category_id)
    if EmptyForm().validate_on_submit():
        try:
            structure.delete_category(category)
        except structure.StructureError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The category is deleted."), "success")
    return redirect(url_for("forum.manage"))


@bp.route("/manage/forums/<int:forum_id>/delete", methods=["POST"])
@require("forum.manage")
def delete_forum(forum_id: int):
    forum = db.get_or_404(Forum, forum_id)
    if EmptyForm().validate_on_submit():
        try:
            structure.delete_forum(forum)
        except structure.StructureError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The forum is deleted."), "success")
    return redirect(url_for("forum.manage"))
