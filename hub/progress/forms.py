"""The trainer's completion-rules form: it validates; services act."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import HubForm

CERTIFICATE_LABELS = {
    "auto": _l("Issued automatically when the course is completed"),
    "manual": _l("Issued by an administrator"),
    "none": _l("No certificate for this course"),
}


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CompletionRulesForm(HubForm):
    lessons = RadioField(_l("Lessons"), choices=[("all", _l("Every lesson must be completed")),
                                                ("none", _l("Lessons are optional"))], default="all")
    quizzes = CheckboxList(_l("Quizzes to pass"), choices=[])
    forum_posts = IntegerField(_l("Posts required in the course forum"), default=0,
                               validators=[InputRequired(message=_l("Enter a number (0 for none).")),
                                           NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100."))])
    prerequisites = CheckboxList(_l("Courses to complete first"), choices=[])
    certificate_mode = RadioField(_l("Certificate"), choices=list(CERTIFICATE_LABELS.items()), default="auto")

