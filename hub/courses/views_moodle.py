"""The trainers' page that imports a Moodle course backup (.mbz) and shows what
was converted and what was left out (hub.courses.moodle_import does the work)."""
from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..extensions import db
from ..permissions import can, ensure
from . import authoring, content, moodle_import, services
from .blueprint import bp
from .forms import MoodleBackupForm


@bp.route("/import-moodle", methods=["GET", "POST"])
def import_moodle() -> ResponseReturnValue:
    ensure("course.author")
    form = MoodleBackupForm()
    problems: list = []
    backup = None
    status = 200
    if form.validate_on_submit():
        try:
            report, backup = moodle_import.import_backup(
                form.backup.data.stream, may_update=lambda c: can(current_user, "course.author", c))
        except content.ContentError as error:  # ImportFailed too: nothing of the course was written
            db.session.rollback()
            problems = error.errors
            status = 400
        else:
            for created in report.created:
                imported = services.get_by_slug(created)
                assert imported is not None  # written to this session by the import
                authoring.add_trainer(imported, current_user)
            db.session.commit()
    elif form.is_submitted():
        status = 400
    return render_template("courses/authoring/import_moodle.html", form=form, problems=problems,
                           backup=backup), status
