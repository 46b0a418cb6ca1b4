"""Forms shared across features, and the base every form uses.

``HubForm`` refuses NUL characters in any text a member sends: PostgreSQL cannot store
them (the driver raised, a 500) and SQLite stored them silently. The refusal is a form
error on the field, and the rest of what was typed stays in the form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import StopValidation

NUL = "\x00"


def no_nul(form, field) -> None:
    """The first validator of every HubForm field. It stops the field's chain, so no
    later validator (one that looks the value up in the database, say) sees it."""
    values = field.data if isinstance(field.data, (list, tuple)) else [field.data]
    if any(isinstance(value, str) and NUL in value for value in values):
        raise StopValidation(_l("This contains a character that cannot be saved (a null byte). Remove it and "
                                 "try again."))


def without_nul(value: str) -> str:
    """For the few values read straight from ``request.form`` (quiz answers, drafts):
    a NUL can never be meant, so it is dropped instead of failing the save."""
    return value.replace(NUL, "") if isinstance(value, str) else value


class HubForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = unbound_field.bind(form=form, **options)
            field.validators = [no_nul, *field.validators]
            return field


class EmptyForm(HubForm):
    """A CSRF token for POST-only buttons (delete, mark read, enrol...)."""
