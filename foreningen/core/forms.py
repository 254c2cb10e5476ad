"""Form helpers every feature shares: choices, the empty POST form, filters and validators."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, Email, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from foreningen.core.i18n import LANGUAGES

REQUIRED = _l("This field is required.")


def choices(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 wants them."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value):
    """A filter: surrounding white space is never part of what was meant."""
    return value.strip() if isinstance(value, str) else value


def printable(form, field):
    """No control characters (a NUL breaks PostgreSQL); line breaks and tabs are fine."""
    if isinstance(field.data, str) and any(
            unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in field.data):
        raise ValidationError(_l("Remove the invisible control characters from this field."))


def email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        validators=[DataRequired(REQUIRED), Length(max=254),
                    Email(_l("Enter a valid email address."), check_deliverability=False)],
        filters=[strip],
        render_kw={"autocomplete": "email"},
    )


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EmptyForm(FlaskForm):
    """A button that changes state: POST with a CSRF token, nothing else."""


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=choices(LANGUAGES.items()),
                         invalid_choice_message=_l("Choose a language from the list."))
    next = HiddenField()
