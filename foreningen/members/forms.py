"""The membership forms: the public application, a member's own details, the board's register."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from foreningen.core import clock
from foreningen.core.forms import (
    REQUIRED,
    Form,
    MultiCheckboxField,
    choices,
    database_id,
    email_field,
    printable,
    strip,
)
from foreningen.core.i18n import LANGUAGES
from foreningen.members.models import ConsentPurpose, MemberCategory, MemberStatus

CATEGORY_HINTS = {
    MemberCategory.ORDINARY: _l("A parent whose child is or has been placed in care. "
                                "Ordinary members vote at the annual meeting."),
    MemberCategory.SUPPORTING: _l("Anyone who wants to support the association."),
    MemberCategory.ORGANISATION: _l("An organisation that supports the association. Give the "
                                    "name of a contact person."),
}
# What an applicant may agree to besides the privacy notice, as the form asks it.
PURPOSE_QUESTIONS = {
    ConsentPurpose.NEWSLETTER: _l("Send me the association's newsletter by email"),
    ConsentPurpose.SURVEYS: _l("Ask me to take part in surveys about our work"),
}
SORT_NAMES = {
    "name": _l("Name"),
    "number": _l("Member number"),
    "joined": _l("Joined"),
    "status": _l("Status"),
}
WHY_JOIN_MAX = 2000


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

    organisation_name = StringField(
        _l("Name of the organisation"), filters=[strip],
        # Not Optional(): it would stop the chain before the form's own check that an
        # organisation gives its name.
        validators=[Length(max=120), printable],
        description=_l("Only for a supporting organisation. The name fields below are then "
                       "those of its contact person."),
        render_kw={"autocomplete": "organization"})
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


class ApplicationForm(ContactFieldsMixin, Form):
    category = RadioField(
        _l("Kind of membership"),
        # RadioField refuses a missing choice itself; a DataRequired would say it twice.
        invalid_choice_message=_l("Choose a kind of membership."),
        choices=choices(MemberCategory.choices()))
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
        choices=choices(PURPOSE_QUESTIONS.items()),
        description=_l("You can change this at any time on your member page."))

    def validate_organisation_name(self, field):
        if self.category.data == MemberCategory.ORGANISATION and not field.data:
            raise ValidationError(_l("Give the name of the organisation."))

    def validate_why_join(self, field):
        if self.category.data == MemberCategory.ORDINARY and not field.data:
            raise ValidationError(_l("Tell us briefly why you want to become an ordinary "
                                     "member."))


class DetailsForm(ContactFieldsMixin, Form):
    """Name, email, phone, address and kommun; category and status are the board's."""

    current_password = PasswordField(
        _l("Your password (to change the email address)"), validators=[Optional()],
        description=_l("A new address is confirmed by a link we send to it."),
        render_kw={"autocomplete": "current-password"})


class BoardDetailsForm(ContactFieldsMixin, Form):
    """What the board may correct about a member, the category included."""

    category = RadioField(_l("Kind of membership"),
                          invalid_choice_message=_l("Choose a kind of membership."),
                          choices=choices(MemberCategory.choices()))
    locale = SelectField(_l("Language of the association's mail"),
                         choices=choices(LANGUAGES.items()))

    def validate_organisation_name(self, field):
        if self.category.data == MemberCategory.ORGANISATION and not field.data:
            raise ValidationError(_l("Give the name of the organisation."))


class PaperMemberForm(BoardDetailsForm):
    """A member who joined on paper: their details, and the consent the paper form holds."""

    joined_on = DateField(_l("Member since"), default=clock.today,
                          validators=[DataRequired(REQUIRED)])
    consent_on_paper = BooleanField(
        _l("The member signed the privacy notice on the paper form"),
        validators=[DataRequired(_l("A member is added only with the consent from the "
                                    "paper form. Keep the form."))])
    consent_date = DateField(_l("Date on the paper form"), default=clock.today,
                             validators=[DataRequired(REQUIRED)])
    invite = BooleanField(_l("Invite them to the portal by email"), default=True,
                          description=_l("They choose their own password from the link."))

    def validate_consent_date(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("The date cannot be in the future."))

    def validate_joined_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("The date cannot be in the future."))


class RegisterFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search name, email or payment reference"),
                    validators=[Optional(), Length(max=100)], render_kw={"type": "search"})
    category = SelectField(_l("Category"), default="", validators=[Optional()],
                           choices=lambda: choices([("", _l("All categories")),
                                                    *MemberCategory.choices()]))
    # The register is of current members unless the board asks for former ones too.
    status = SelectField(_l("Status"), default="", validators=[Optional()],
                         choices=lambda: choices([("", _l("Current members")),
                                                  ("all", _l("Everyone, former members too")),
                                                  *MemberStatus.choices()]))
    municipality = SelectField(_l("Municipality"), default="", validators=[Optional()])
    year = IntegerField(_l("Dues year"), default=lambda: clock.today().year,
                        validators=[Optional(), NumberRange(min=2000, max=2100)],
                        render_kw={"inputmode": "numeric"})
    paid = SelectField(_l("Dues for the year"), default="", validators=[Optional()],
                       choices=lambda: choices([("", _l("Paid up or not")),
                                                ("paid", _l("Paid up")),
                                                ("unpaid", _l("Not paid up"))]))
    sort = SelectField(_l("Sort by"), default="name", validators=[Optional()],
                       choices=lambda: choices(SORT_NAMES.items()))
    direction = SelectField(_l("Order"), default="asc", validators=[Optional()],
                            choices=lambda: choices([("asc", _l("Ascending")),
                                                     ("desc", _l("Descending"))]))


class StatusChangeForm(Form):
    to_status = SelectField(_l("New status"), validators=[DataRequired(REQUIRED)])
    effective_on = DateField(_l("Effective from"), default=clock.today,
                             validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=500)],
                           description=_l("Kept in the member's history. Write facts, not "
                                          "opinions."))


class DeclineForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=1000)],
                           description=_l("The applicant reads this on a page that the "
                                          "email links to."))


class ApproveSelectedForm(Form):
    # The checkboxes are in the table of applications; each has its own label there.
    member_ids = SelectMultipleField(coerce=database_id, validate_choice=False)
