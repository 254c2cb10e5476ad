"""Form helpers every feature shares: choices, the empty POST form, filters and validators."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from flask import has_request_context
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, Email, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from foreningen.core.i18n import LANGUAGES

REQUIRED = _l("This field is required.")


def choices(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 wants them. In a request a lazy label is
    translated here, once, rather than each time the option is rendered or compared."""
    resolve = has_request_context()
    return [SelectChoice(value, str(label) if resolve and isinstance(label, LazyString)
                         else label) for value, label in pairs]


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


def digits(value: str) -> bool:
    """Only the ASCII digits 0-9 ("²" and "٣" are digits to str.isdigit(), not to us)."""
    return value.isascii() and value.isdecimal()


# Line breaks and tabs are text; every other control character (NUL breaks PostgreSQL) is not.
ALLOWED_CONTROL = frozenset("\n\r\t")


class Form(FlaskForm):
    """The base of every form: no field may hold invisible control characters, whatever the
    field (PostgreSQL refuses a NUL; none belongs in a name or a search)."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return refuse_control_characters(self) and valid


def _leaves(fields):
    """Every field of a form, those inside a list of subforms included."""
    for field in fields:
        if hasattr(field, "entries"):  # FieldList
            yield from _leaves(field.entries)
        elif hasattr(field, "form") and hasattr(field.form, "_fields"):  # FormField
            yield from _leaves(field.form)
        else:
            yield field


def refuse_control_characters(form) -> bool:
    """Mark every field that holds a control character; False when any does."""
    clean = True
    for field in _leaves(form):
        values = field.data if isinstance(field.data, list) else [field.data]
        if any(isinstance(v, str) and any(unicodedata.category(c) == "Cc"
                                          and c not in ALLOWED_CONTROL for c in v)
               for v in values):
            message = str(_l("Remove the invisible control characters from this field."))
            if message not in field.errors:
                field.errors = [*field.errors, message]
            clean = False
    return clean


MAX_ID = 2**31 - 1


def database_id(value) -> int:
    """A coerce function: an id the database's integer columns can hold (ValueError
    otherwise, which WTForms turns into the field's error)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and digits(value):
        number = int(value)
    else:
        raise ValueError(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def page_number(value, maximum: int = 100_000) -> int:
    """A page number from the query string: 1 when missing, not a number or out of range."""
    try:
        number = int(value) if isinstance(value, str) and digits(value) else 1
    except ValueError:
        number = 1
    return number if 1 <= number <= maximum else 1


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EmptyForm(Form):
    """A button that changes state: POST with a CSRF token, nothing else."""


class LanguageForm(Form):
    locale = SelectField(_l("Language"), choices=choices(LANGUAGES.items()),
                         invalid_choice_message=_l("Choose a language from the list."))
    next = HiddenField()
