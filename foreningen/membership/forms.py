"""Forms of the member's own page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from foreningen.forms import choices
from foreningen.i18n import LANGUAGES
from foreningen.join.forms import ContactFieldsMixin


class DetailsForm(ContactFieldsMixin, FlaskForm):
    """Name, email, phone, address and kommun; category and status are the board's."""


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=choices(LANGUAGES.items()),
                         invalid_choice_message=_l("Choose a language from the list."))


class ConfirmForm(FlaskForm):
    """A button that changes state: POST with a CSRF token, nothing else."""
