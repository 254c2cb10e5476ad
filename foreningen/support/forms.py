"""The support forms: a parent's request and the status page (public, with a honeypot), a
social worker's referral, the coordinators' triage, and the stödperson's contact log."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from foreningen.core import clock
from foreningen.core.forms import (
    REQUIRED,
    Form,
    MultiCheckboxField,
    choices,
    database_id,
    printable,
    strip,
)
from foreningen.core.vocabulary import (
    Gender,
    Language,
    LegalBasis,
    MeetingForm,
    PlacementType,
    TimeOfWeek,
)
from foreningen.support.models import (
    Channel,
    CloseReason,
    ContactForm,
    DeclineReason,
    PlacedSince,
    PlacementReason,
    Relation,
)

NOTE_MAX = 2000


def optional_choice(value):
    return value or None


def optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not among the choices: refused with the field's message


def _phone(field) -> None:
    """Validate and keep a phone number in its international form (+46…)."""
    from foreningen.core.phone import normalise as normalise_phone

    try:
        field.data = normalise_phone(field.data)
    except ValueError:
        raise ValidationError(_l("Enter a phone number we can call, for example "
                                 "070-123 45 67.")) from None


def _email_valid(field) -> None:
    Email(_l("Enter a valid email address."), check_deliverability=False)(None, field)


def honeypot(form, field):
    """A field people never see: only a robot fills it in."""
    if field.data:
        raise ValidationError(_l("Leave this field empty."))


def municipality_choices(municipalities, first):
    return choices([("", first)] + [(m.id, m.name) for m in municipalities])


class AskForm(Form):
    """A parent asks for a stödperson: as little as possible, most of it optional."""

    name = StringField(
        _l("A first name, or another name we can call you"), filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=60), printable],
        render_kw={"autocomplete": "given-name"})
    channel = RadioField(
        _l("How should we reach you?"), choices=lambda: choices(Channel.choices()),
        validators=[InputRequired(_l("Choose phone or email."))],
        invalid_choice_message=_l("Choose phone or email."))
    # Required by the choice of channel (validate_phone, validate_email), not on their own.
    phone = StringField(_l("Phone number"), filters=[strip],
                        validators=[Length(max=30), printable],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    email = StringField(_l("Email address"), filters=[strip],
                        validators=[Length(max=254), printable],
                        render_kw={"autocomplete": "email", "inputmode": "email"})
    when = MultiCheckboxField(_l("When suits you (optional)"),
                              choices=lambda: choices(TimeOfWeek.choices()))
    language = SelectField(_l("Your language"), choices=lambda: choices(Language.choices()),
                           invalid_choice_message=_l("Choose a language from the list."))
    municipality_id = SelectField(
        _l("Your municipality"), coerce=optional_int,
        invalid_choice_message=_l("Choose a municipality from the list."))
    placement_type = SelectField(
        _l("Where is your child placed? (optional)"), coerce=optional_choice,
        choices=lambda: choices([("", _l("I'd rather not say")), *PlacementType.choices()]),
        invalid_choice_message=_l("Choose one of the answers."))
    legal_basis = SelectField(
        _l("On what basis? (optional)"), coerce=optional_choice,
        choices=lambda: choices([("", _l("I'd rather not say, or don't know")),
                                 *LegalBasis.choices()]),
        invalid_choice_message=_l("Choose one of the answers."))
    child_age = IntegerField(
        _l("Your child's age (optional)"),
        validators=[Optional(), NumberRange(0, 20, _l("Give an age between 0 and 20."))],
        render_kw={"inputmode": "numeric"})
    since = SelectField(
        _l("When did the placement begin? (optional)"), coerce=optional_choice,
        choices=lambda: choices([("", _l("I'd rather not say")), *PlacedSince.choices()]),
        invalid_choice_message=_l("Choose one of the answers."))
    wish_gender = SelectField(
        _l("A support person who is (optional)"), coerce=optional_choice,
        choices=lambda: choices([("", _l("It doesn't matter")), *Gender.choices()]),
        invalid_choice_message=_l("Choose one of the answers."))
    wish_language = SelectField(
        _l("Who speaks (optional)"), coerce=optional_choice,
        choices=lambda: choices([("", _l("It doesn't matter")), *Language.choices()]),
        invalid_choice_message=_l("Choose one of the answers."))
    wish_meeting = SelectField(
        _l("And meets (optional)"), coerce=optional_choice,
        choices=lambda: choices([("", _l("It doesn't matter")), *MeetingForm.choices()]),
        invalid_choice_message=_l("Choose one of the answers."))
    consent = BooleanField(
        _l("I have read what is stored and who can see it, and I agree."),
        validators=[DataRequired(_l("We need your consent to keep your request."))])
    website = StringField(_l("Leave this field empty"), validators=[honeypot],
                          render_kw={"autocomplete": "off", "tabindex": "-1"})

    def set_municipality_choices(self, municipalities) -> None:
        self.municipality_id.choices = municipality_choices(
            municipalities, _l("Choose your municipality"))

    def validate_municipality_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose your municipality."))

    def validate_phone(self, field):
        if self.channel.data == Channel.PHONE:
            if not field.data:
                raise ValidationError(_l("Give the phone number we should call."))
            _phone(field)

    def validate_email(self, field):
        if self.channel.data == Channel.EMAIL:
            if not field.data:
                raise ValidationError(_l("Give the email address we should write to."))
            _email_valid(field)

    def values(self) -> dict:
        """Only the way of contact the parent chose is kept."""
        channel = self.channel.data
        return {
            "name": self.name.data, "channel": channel,
            "phone": self.phone.data if channel == Channel.PHONE else None,
            "email": self.email.data if channel == Channel.EMAIL else None,
            "when": list(self.when.data or []), "language": self.language.data,
            "municipality_id": self.municipality_id.data,
            "placement_type": self.placement_type.data, "legal_basis": self.legal_basis.data,
            "child_age": self.child_age.data, "since": self.since.data,
            "wish_gender": self.wish_gender.data, "wish_language": self.wish_language.data,
            "wish_meeting": self.wish_meeting.data,
        }


class StatusForm(Form):
    """The reference and personal code from the receipt."""

    reference = StringField(_l("Reference"), filters=[strip],
                            validators=[DataRequired(REQUIRED), Length(max=20), printable],
                            render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    code = StringField(_l("Personal code"), filters=[strip],
                       validators=[DataRequired(REQUIRED), Length(max=30), printable],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    website = StringField(_l("Leave this field empty"), validators=[honeypot],
                          render_kw={"autocomplete": "off", "tabindex": "-1"})


class ReferredParentForm(Form):
    """One parent in a referral; a row left empty is ignored."""

    class Meta:
        csrf = False

    name = StringField(_l("First name"), filters=[strip],
                       validators=[Length(max=60), printable])
    phone = StringField(_l("Phone number"), filters=[strip],
                        validators=[Length(max=30), printable],
                        render_kw={"inputmode": "tel"})
    email = StringField(_l("Email address"), filters=[strip],
                        validators=[Length(max=254), printable],
                        render_kw={"inputmode": "email"})
    language = SelectField(_l("Language"), choices=lambda: choices(Language.choices()),
                           invalid_choice_message=_l("Choose a language from the list."))
    relation = SelectField(_l("Relation to the child"),
                           choices=lambda: choices(Relation.choices()),
                           invalid_choice_message=_l("Choose one of the answers."))

    def is_empty(self) -> bool:
        return not (self.name.data or self.phone.data or self.email.data)

    def validate_name(self, field):
        if not self.is_empty() and not field.data:
            raise ValidationError(_l("Give the parent's first name."))

    def validate_phone(self, field):
        if self.is_empty():
            return
        if not field.data and not self.email.data:
            raise ValidationError(_l("Give a phone number or an email address."))
        if field.data:
            _phone(field)

    def validate_email(self, field):
        if field.data and not self.is_empty():
            _email_valid(field)


class ReferralForm(Form):
    reason = SelectField(_l("The main reason for the placement"), coerce=optional_choice,
                         choices=lambda: choices([("", _l("Choose a reason")),
                                                  *PlacementReason.choices()]),
                         validators=[InputRequired(REQUIRED)],
                         invalid_choice_message=_l("Choose a reason from the list."))
    legal_basis = RadioField(_l("On what basis?"), choices=lambda: choices(LegalBasis.choices()),
                             validators=[InputRequired(_l("Choose LVU or SoL."))],
                             invalid_choice_message=_l("Choose LVU or SoL."))
    contact_decided = RadioField(
        _l("Is the child's contact with the parents (umgänge) decided?"),
        choices=lambda: choices([("yes", _l("Yes")), ("no", _l("No")),
                                 ("not_yet", _l("Not yet"))]),
        validators=[InputRequired(_l("Choose one of the answers."))],
        invalid_choice_message=_l("Choose one of the answers."))
    child_age = IntegerField(
        _l("The child's age"),
        validators=[InputRequired(REQUIRED),
                    NumberRange(0, 20, _l("Give an age between 0 and 20."))],
        render_kw={"inputmode": "numeric"})
    parents = FieldList(FormField(ReferredParentForm), min_entries=3, max_entries=3)
    referrer_phone = StringField(
        _l("Your phone number, for the coordinator"), filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=30), printable],
        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    agreed = BooleanField(
        _l("The parents know about the association and have agreed to be contacted."),
        validators=[DataRequired(_l("Refer only parents who have agreed to be contacted."))])

    def validate_referrer_phone(self, field):
        _phone(field)

    def validate_parents(self, field):
        if all(entry.form.is_empty() for entry in field.entries):
            message = str(_l("Give at least one parent."))
            field.entries[0].form.name.errors = [*field.entries[0].form.name.errors, message]
            raise ValidationError(message)

    def error_list(self) -> list[tuple[str, str, list]]:
        """(field id, label, messages) of every field with an error, the parents' fields
        included, for the summary at the top of the form."""
        found = []
        for name, f in self._fields.items():
            if name == "parents":
                found += [(sub.id, sub.label.text, sub.errors) for entry in f.entries
                          for sub in entry.form if sub.errors]
            elif f.errors and name != "csrf_token":
                found.append((f.id, f.label.text, f.errors))
        return found

    def values(self) -> dict:
        return {"reason": self.reason.data, "legal_basis": self.legal_basis.data,
                "contact_decided": self.contact_decided.data, "child_age": self.child_age.data,
                "referrer_phone": self.referrer_phone.data}

    def parent_values(self) -> list[dict]:
        return [{"name": e.form.name.data, "phone": e.form.phone.data or None,
                 "email": e.form.email.data or None, "language": e.form.language.data,
                 "relation": e.form.relation.data}
                for e in self.parents.entries if not e.form.is_empty()]


class DeclineForm(Form):
    reason = SelectField(_l("Reason, as the parent will read it"), coerce=optional_choice,
                         choices=lambda: choices([("", _l("Choose a reason")),
                                                  *DeclineReason.choices()]),
                         validators=[InputRequired(REQUIRED)],
                         invalid_choice_message=_l("Choose a reason from the list."))


class MergeForm(Form):
    into = StringField(_l("Reference of the request to keep"), filters=[strip],
                       validators=[DataRequired(REQUIRED), Length(max=20), printable])


class AssignForm(Form):
    supporter_id = HiddenField(validators=[DataRequired()])

    def validate_supporter_id(self, field):
        try:
            field.data = database_id(field.data)
        except ValueError:
            raise ValidationError(_l("Choose a support person.")) from None


class CandidateFilterForm(Form):
    class Meta:
        csrf = False

    anywhere = BooleanField(_l("Also other municipalities"))
    language = SelectField(_l("Speaks"), coerce=optional_choice,
                           choices=lambda: choices([("", _l("Any language")),
                                                    *Language.choices()]))


class CloseForm(Form):
    reason = SelectField(_l("Why it ends"), coerce=optional_choice,
                         choices=lambda: choices([("", _l("Choose a reason")), *(
                             (value, label) for value, label in CloseReason.choices()
                             if value != CloseReason.ANOTHER_ASKED)]),
                         validators=[InputRequired(REQUIRED)],
                         invalid_choice_message=_l("Choose a reason from the list."))


def _not_in_future(form, field):
    if field.data and field.data > clock.today():
        raise ValidationError(_l("The date of a contact cannot be in the future."))


def _kronor(text: str | None) -> Decimal | None:
    """A number as people type it here: "12,5", "12.5" or "1 234,50" (None when empty;
    -1, refused by the caller, when it is not a number)."""
    if not text:
        return None
    cleaned = "".join(text.split()).replace("\u00a0", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return Decimal(-1)
    return value if value.is_finite() else Decimal(-1)


class ContactLogForm(Form):
    occurred_on = DateField(_l("Date"), validators=[InputRequired(REQUIRED), _not_in_future])
    minutes = IntegerField(
        _l("Length in minutes"),
        validators=[InputRequired(REQUIRED),
                    NumberRange(1, 720, _l("Give a length between 1 minute and 12 hours."))],
        render_kw={"inputmode": "numeric"})
    form = RadioField(_l("How"), choices=lambda: choices(ContactForm.choices()),
                      validators=[InputRequired(_l("Choose how you were in contact."))],
                      invalid_choice_message=_l("Choose how you were in contact."))
    reached = RadioField(_l("Did you reach the parent?"),
                         choices=lambda: choices([("yes", _l("Yes")),
                                                  ("no", _l("No, an attempt"))]),
                         validators=[InputRequired(_l("Say whether you reached the parent."))],
                         invalid_choice_message=_l("Say whether you reached the parent."))
    km = StringField(_l("Travel in km (optional)"), filters=[strip],
                     validators=[Optional(), Length(max=10)],
                     render_kw={"inputmode": "decimal"})
    expenses = StringField(_l("Expenses in kronor (optional)"), filters=[strip],
                           validators=[Optional(), Length(max=12)],
                           render_kw={"inputmode": "decimal"})
    wellbeing = SelectField(
        _l("How the parent felt, if they told you (optional)"), coerce=optional_int,
        choices=lambda: choices([("", _l("Not asked")), *((n, str(n)) for n in range(1, 11))]),
        invalid_choice_message=_l("Choose one of the answers."))
    note = TextAreaField(_l("A private note (optional, only you can read it)"),
                         filters=[strip], validators=[Optional(), Length(max=NOTE_MAX), printable],
                         description=_l("Do not write anything that identifies the parent or "
                                        "the child."),
                         render_kw={"rows": 3})

    km_value: Decimal = Decimal(0)
    expenses_ore: int = 0

    def validate_km(self, field):
        value = _kronor(field.data)
        if value is None:
            self.km_value = Decimal(0)
            return
        if value < 0 or value > 5000:
            raise ValidationError(_l("Give the distance as a number of km between 0 and 5000."))
        self.km_value = value.quantize(Decimal("0.1"))

    def validate_expenses(self, field):
        value = _kronor(field.data)
        if value is None:
            self.expenses_ore = 0
            return
        if value < 0 or value > 100000:
            raise ValidationError(_l("Give the expenses in kronor, for example 45,50."))
        self.expenses_ore = int((value * 100).to_integral_value())

    def values(self) -> dict:
        return {"occurred_on": self.occurred_on.data, "minutes": self.minutes.data,
                "form": self.form.data, "reached": self.reached.data == "yes",
                "km": self.km_value, "expenses_ore": self.expenses_ore,
                "wellbeing": self.wellbeing.data if self.wellbeing.data != -1 else None,
                "note": self.note.data or None}


class MeetingPlanForm(Form):
    """The next meeting: a day and time ahead, its length, form, and a place or a link."""

    on = DateField(_l("Day"), validators=[InputRequired(REQUIRED)])
    at = TimeField(_l("Time"), validators=[InputRequired(REQUIRED)])
    minutes = IntegerField(
        _l("Length in minutes"), default=60,
        validators=[InputRequired(REQUIRED),
                    NumberRange(15, 480, _l("Give a length between 15 minutes and 8 hours."))],
        render_kw={"inputmode": "numeric"})
    form = RadioField(_l("How"), choices=lambda: choices(ContactForm.choices()),
                      validators=[InputRequired(_l("Choose how you will meet."))],
                      invalid_choice_message=_l("Choose how you will meet."))
    place = StringField(_l("Place or link (optional)"), filters=[strip],
                        validators=[Optional(), Length(max=300), printable],
                        description=_l("The parent sees this. Write no names."))

    def validate_at(self, field):
        if self.on.data and field.data and self.starts_at() <= clock.utcnow():
            raise ValidationError(_l("Choose a time that is still ahead."))

    def starts_at(self):
        from datetime import datetime

        from foreningen.support.crisis_clock import STOCKHOLM

        return datetime.combine(self.on.data, self.at.data, tzinfo=STOCKHOLM)

    def values(self) -> dict:
        return {"starts_at": self.starts_at(), "minutes": self.minutes.data,
                "form": self.form.data, "place": self.place.data or None}
