"""Certificate forms: they validate; services act."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms import HubForm


class IssueForm(HubForm):
    """Issue to one learner or to the learners ticked in the report."""

    course_id = IntegerField(validators=[DataRequired()])
    user_ids = SelectMultipleField(_l("Learners"), coerce=int, validate_choice=False)
    note = TextAreaField(_l("Note on the certificate (optional)"), validators=[Optional(), Length(max=300)])
    next = HiddenField()


class IssueOneForm(HubForm):
    """Issue to one learner found by email address."""

    course = SelectField(_l("Course"), validators=[DataRequired()])
    email = StringField(_l("Learner's email address"), validators=[DataRequired(), Email(), Length(max=320)])
    note = TextAreaField(_l("Note on the certificate (optional)"), validators=[Optional(), Length(max=300)])


class RevokeForm(HubForm):
    reason = TextAreaField(_l("Reason (shown on the verification page)"), validators=[DataRequired(), Length(max=500)])


class ReissueForm(HubForm):
    note = TextAreaField(_l("Note on the new certificate (optional)"), validators=[Optional(), Length(max=300)])


class VerifyForm(HubForm):
    class Meta:
        csrf = False  # a GET search form

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=64)])

