"""Account forms: they validate; services act."""
from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from ..forms import HubForm
from ..i18n import LANGUAGE_NAMES
from ..permissions import ROLES
from . import services
from .models import PROFESSIONS

PROFESSION_LABELS = {
    "counsellor": _l("Counsellor"),
    "social_worker": _l("Social worker"),
    "job_coach": _l("Job coach"),
    "trainer": _l("Trainer"),
    "public_employment_service": _l("Public employment service"),
    "other": _l("Other"),
}
ROLE_LABELS = {"learner": _l("Learner"), "trainer": _l("Trainer"), "moderator": _l("Moderator"),
               "admin": _l("Administrator")}


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries named in the reader's language (from Babel's CLDR data)."""
    locale = Locale.parse(str(get_locale() or "en"))
    names = {code: name for code, name in locale.territories.items() if len(code) == 2 and code.isalpha()
             and code not in {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}}
    return [("", _l("Choose your country"))] + sorted(names.items(), key=lambda item: item[1])


def language_choices() -> list[tuple[str, str]]:
    from flask import current_app
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]]


class StrongPassword:
    """Length and common-password check; the message says what to do instead."""

    def __init__(self, *hint_fields: str):
        self.hint_fields = hint_fields

    def __call__(self, form, field):
        hints = tuple(str(form[name].data or "") for name in self.hint_fields if name in form)
        problems = services.password_problems(field.data or "", hints)
        if problems:
            raise ValidationError(problems[0])


class ProfileFields(HubForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=120)])
    country = SelectField(_l("Country"), validators=[DataRequired(message=_l("Choose your country."))])
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    profession = SelectField(_l("Profession"), choices=[(p, PROFESSION_LABELS[p]) for p in PROFESSIONS],
                             validators=[DataRequired()])
    language = SelectField(_l("Preferred language"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.language.choices = language_choices()


class RegistrationForm(ProfileFields):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(message=_l("Enter a valid email address.")),
                                                Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), StrongPassword("email", "display_name")])
    confirm = PasswordField(_l("Repeat password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])


class ProfileForm(ProfileFields):
    bio = TextAreaField(_l("About you"), validators=[Optional(), Length(max=2000)])


class LoginForm(HubForm):
    email = EmailField(_l("Email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me"))


class ResetRequestForm(HubForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(message=_l("Enter a valid email address."))])


class ResetPasswordForm(HubForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField(_l("Repeat new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])


class ChangePasswordForm(HubForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField(_l("Repeat new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])


class DeleteAccountForm(HubForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    confirm = BooleanField(_l("I understand that my account and profile are deleted for good"),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))])


class RoleForm(HubForm):
    role = SelectField(_l("Role"), choices=[(r, ROLE_LABELS[r]) for r in ROLES])


class LanguageForm(HubForm):
    lang = SelectField(_l("Language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lang.choices = language_choices()


class LoginCodeForm(HubForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])


class TwoStepEnableForm(HubForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Your password"), validators=[DataRequired()])


class TwoStepPasswordForm(HubForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])


class TwoStepDisableForm(HubForm):
    code = StringField(_l("Code from the app, or a recovery code"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
