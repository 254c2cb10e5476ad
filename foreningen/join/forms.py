"""The public application form; the member's own details form reuses its fields."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from foreningen.auth.forms import REQUIRED, email_field
from foreningen.forms import choices
from foreningen.members.models import MemberCategory

CATEGORY_LABELS = {
    MemberCategory.ORDINARY: _l("Ordinary member"),
    MemberCategory.SUPPORTING: _l("Supporting member"),
    MemberCategory.ORGANISATION: _l("Supporting organisation"),
}
CATEGORY_HINTS = {
    MemberCategory.ORDINARY: _l("A parent whose child is or has been placed in care. "
                                "Ordinary members vote at the annual meeting."),
    MemberCategory.SUPPORTING: _l("Anyone who wants to support the association."),
    MemberCategory.ORGANISATION: _l("An organisation that supports the association. Give the "
                                    "name of a contact person."),
}
PURPOSE_LABELS = {
    "newsletter": _l("Send me the association's newsletter by email"),
    "surveys": _l("Ask me to take part in surveys about our work"),
}
WHY_JOIN_MAX = 2000


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def strip(value):
    return value.strip() if isinstance(value, str) else value


def printable(form, field):
    """No control characters (a NUL breaks PostgreSQL); line breaks and tabs are fine."""
    if isinstance(field.data, str) and any(
            unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in field.data):
        raise ValidationError(_l("Remove the invisible control characters from this field."))


def optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not in the choices: pre_validate refuses it with a clear message


def name_field(label, autocomplete):
    return StringField(label, validators=[DataRequired(REQUIRED), Length(max=80), printable],
                       filters=[strip], render_kw={"autocomplete": autocomplete})


class ContactFieldsMixin:
    """Name, address and kommun: the same on the application and on the member's page."""

    first_name = name_field(_l("First name"), "given-name")
    last_name = name_field(_l("Last name"), "family-name")
    email = email_field()
    phone = StringField(
        _l("Phone (optional)"), filters=[strip],
        validators=[Optional(), Length(max=30), printable,
                    Regexp(r"^\+?[0-9 ()-]{5,}$",
                           message=_l("Enter a phone number with digits, e.g. 070-123 45 67."))],
        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    street_address = StringField(_l("Street address (optional)"), filters=[strip],
                                 validators=[Optional(), Length(max=200), printable],
                                 render_kw={"autocomplete": "street-address"})
    postal_code = StringField(
        _l("Postal code (optional)"), filters=[strip],
        validators=[Optional(), Regexp(r"^[0-9]{3} ?[0-9]{2}$",
                                       message=_l("A postal code has five digits, e.g. 123 45."))],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric"})
    city = StringField(_l("City (optional)"), filters=[strip],
                       validators=[Optional(), Length(max=80), printable],
                       render_kw={"autocomplete": "address-level2"})
    municipality_id = SelectField(
        _l("Municipality (optional)"), coerce=optional_int,
        invalid_choice_message=_l("Choose a municipality from the list."))

    def set_municipality_choices(self, municipalities, none_label) -> None:
        self.municipality_id.choices = choices(
            [("", none_label)] + [(m.id, m.name) for m in municipalities])


class ApplicationForm(ContactFieldsMixin, FlaskForm):
    category = RadioField(
        _l("Kind of membership"),
        # RadioField refuses a missing choice itself; a DataRequired would say it twice.
        invalid_choice_message=_l("Choose a kind of membership."),
        choices=choices((str(c), label) for c, label in CATEGORY_LABELS.items()))
    why_join = TextAreaField(
        _l("Why do you want to become a member?"), filters=[strip],
        validators=[Length(max=WHY_JOIN_MAX), printable],
        description=_l("For ordinary members: a few words about your experience. Only the "
                       "board and the coordinators can read it."),
        render_kw={"rows": 5})
    privacy_notice = BooleanField(
        _l("I have read the privacy notice and agree that the association keeps my details "
           "as it describes"),
        validators=[DataRequired(_l("You need to agree to the privacy notice to become a "
                                    "member."))])
    optional_consents = MultiCheckboxField(
        _l("What else we may use your email address for (optional)"),
        choices=choices(PURPOSE_LABELS.items()),
        description=_l("You can change this at any time on your member page."))

    def validate_why_join(self, field):
        if self.category.data == MemberCategory.ORDINARY and not field.data:
            raise ValidationError(_l("Tell us briefly why you want to become an ordinary "
                                     "member."))


class ConfirmForm(FlaskForm):
    """The confirm button: a mail scanner's GET changes nothing."""
