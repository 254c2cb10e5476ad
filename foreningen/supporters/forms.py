"""The stödpersoner's forms: the application (and the same answers changed later), the
coordinator's pipeline, requirements, training and the record extract."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
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
    ChildCameHome,
    Gender,
    Language,
    LegalBasis,
    MeetingForm,
    PlacementType,
    TimeOfWeek,
)
from foreningen.supporters.models import Stage, SupervisionKind

OFFER_MAX = 1000
SORT_NAMES = {"stage": _l("Stage"), "name": _l("Name"), "changed": _l("Waiting longest")}


def optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not in the choices: refused with the field's message


def at_least_one(message):
    def check(form, field):
        if not field.data:
            raise ValidationError(message)
    return check


def not_in_future(form, field):
    if field.data and field.data > clock.today():
        raise ValidationError(_l("The date cannot be in the future."))


class ProfileForm(Form):
    """The application's answers; the stödperson changes them later with the same form."""

    display_name = StringField(
        _l("The name parents see"), filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=80), printable],
        description=_l("Your first name, or another name you would like to use."),
        render_kw={"autocomplete": "given-name"})
    placement_types = MultiCheckboxField(
        _l("Where was your child placed?"), choices=lambda: choices(PlacementType.choices()),
        validators=[at_least_one(_l("Choose at least one form of placement."))],
        description=_l("Choose every form your child's placement took."))
    legal_bases = MultiCheckboxField(
        _l("On what basis?"), choices=lambda: choices(LegalBasis.choices()),
        validators=[at_least_one(_l("Choose LVU, SoL or both."))])
    child_age = IntegerField(
        _l("How old was your child when the placement began?"),
        validators=[InputRequired(REQUIRED),
                    NumberRange(0, 20, _l("Give an age between 0 and 20."))],
        render_kw={"inputmode": "numeric"})
    years_since = IntegerField(
        _l("How many years ago did it begin?"),
        validators=[InputRequired(REQUIRED),
                    NumberRange(0, 60, _l("Give a number of years between 0 and 60."))],
        render_kw={"inputmode": "numeric"})
    child_came_home = RadioField(
        _l("Did your child come home?"), choices=lambda: choices(ChildCameHome.choices()),
        invalid_choice_message=_l("Choose one of the answers."))
    languages = MultiCheckboxField(
        _l("Languages you can give support in"), choices=lambda: choices(Language.choices()),
        validators=[at_least_one(_l("Choose at least one language."))])
    municipality_id = SelectField(
        _l("The municipality you can cover"), coerce=optional_int,
        invalid_choice_message=_l("Choose a municipality from the list."))
    area = StringField(_l("Area (optional)"), filters=[strip],
                       validators=[Optional(), Length(max=120), printable],
                       description=_l("For example a part of the municipality, or nearby "
                                      "municipalities you can also reach."))
    meeting_forms = MultiCheckboxField(
        _l("How you can meet"), choices=lambda: choices(MeetingForm.choices()),
        validators=[at_least_one(_l("Choose at least one way to meet."))])
    times = MultiCheckboxField(
        _l("When you can meet"), choices=lambda: choices(TimeOfWeek.choices()),
        validators=[at_least_one(_l("Choose at least one time."))])
    gender = SelectField(
        _l("Gender (optional)"), coerce=lambda v: v or None,
        choices=lambda: choices([("", _l("I'd rather not say")), *Gender.choices()]),
        description=_l("Used only when a parent asks for a support person of a certain "
                       "gender."),
        invalid_choice_message=_l("Choose one of the answers."))
    offer = TextAreaField(
        _l("In your own words: what can you offer a parent?"), filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=OFFER_MAX), printable],
        description=_l("Parents and coordinators read this when you are proposed. Do not "
                       "write anything about your child here."),
        render_kw={"rows": 5})

    def set_municipality_choices(self, municipalities) -> None:
        self.municipality_id.choices = choices(
            [("", _l("Choose a municipality"))] + [(m.id, m.name) for m in municipalities])

    def validate_municipality_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the municipality you can cover."))

    def values(self) -> dict:
        data = {name: self[name].data for name in (
            "display_name", "placement_types", "legal_bases", "child_age", "years_since",
            "child_came_home", "languages", "municipality_id", "area", "gender", "offer")}
        data.update(meets_in_person="in_person" in self.meeting_forms.data,
                    meets_by_phone="phone" in self.meeting_forms.data,
                    meets_by_video="video" in self.meeting_forms.data,
                    weekday_daytime="weekday_daytime" in self.times.data,
                    evenings="evenings" in self.times.data,
                    weekends="weekends" in self.times.data)
        return data


class ApplicationForm(ProfileForm):
    consent = BooleanField(
        _l("I agree that the association keeps these answers to assess my application and, "
           "if I become a support person, to propose me to parents"),
        validators=[DataRequired(_l("We need your consent to handle your application."))])


class PipelineFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search by name or email"), validators=[Optional(), Length(max=100)],
                    render_kw={"type": "search"})
    stage = SelectField(_l("Stage"), default="", validators=[Optional()],
                        choices=lambda: choices([("", _l("All stages")), *Stage.choices()]))
    language = SelectField(_l("Language"), default="", validators=[Optional()],
                           choices=lambda: choices([("", _l("All languages")),
                                                    *Language.choices()]))
    municipality = SelectField(_l("Municipality"), default="", validators=[Optional()])
    sort = SelectField(_l("Sort by"), default="stage", validators=[Optional()],
                       choices=lambda: choices(SORT_NAMES.items()))
    direction = SelectField(_l("Order"), default="asc", validators=[Optional()],
                            choices=lambda: choices([("asc", _l("Ascending")),
                                                     ("desc", _l("Descending"))]))


class MoveForm(Form):
    """Move one person, or every one ticked on the list, to a stage."""

    to_stage = SelectField(_l("Move to"), choices=lambda: choices(Stage.choices()),
                           invalid_choice_message=_l("Choose a stage from the list."))
    effective_on = DateField(_l("Date"), default=clock.today,
                             validators=[DataRequired(REQUIRED), not_in_future])
    interview_on = DateField(_l("Interview date (when booking one)"), validators=[Optional()])
    note = TextAreaField(_l("Note"), filters=[strip],
                         validators=[Length(max=500), printable],
                         description=_l("Kept in the history. Needed when someone ends. Write "
                                        "facts, not opinions."),
                         render_kw={"rows": 2})
    selected = MultiCheckboxField(_l("People"), coerce=database_id,
                                  validate_choice=False)


class RequirementForm(Form):
    name = StringField(_l("Name of the training module"), filters=[strip],
                       validators=[Optional(), Length(max=120), printable])
    required = BooleanField(_l("Required to be ready"), default=True)
    validity_months = IntegerField(
        _l("Valid for (months)"), validators=[Optional(), NumberRange(
            1, 120, _l("Give a number of months between 1 and 120, or leave it empty."))],
        description=_l("Leave empty if it never needs renewing."),
        render_kw={"inputmode": "numeric"})
    body = TextAreaField(_l("The text of the pledge"), filters=[strip],
                         validators=[Optional(), Length(max=10000), printable],
                         render_kw={"rows": 10})


class TrainingForm(Form):
    """A session attended by a group."""

    requirement_id = SelectField(_l("Training module"), coerce=optional_int,
                                 invalid_choice_message=_l("Choose a module from the list."))
    completed_on = DateField(_l("Date of the session"), default=clock.today,
                             validators=[DataRequired(REQUIRED), not_in_future])
    selected = MultiCheckboxField(_l("Who attended"), coerce=database_id,
                                  validators=[at_least_one(_l("Tick everyone who attended."))])


class ExtractForm(Form):
    seen_on = DateField(_l("Seen on"), default=clock.today,
                        validators=[DataRequired(REQUIRED), not_in_future])
    dated_on = DateField(_l("Date printed on the extract"),
                         validators=[DataRequired(REQUIRED), not_in_future])
    confirm = BooleanField(_l("I have seen the extract and it holds nothing that stops this "
                              "person from being a support person"),
                           validators=[DataRequired(_l("Confirm that you have seen the "
                                                       "extract."))])

    def validate_dated_on(self, field):
        if field.data and self.seen_on.data and field.data > self.seen_on.data:
            raise ValidationError(_l("The extract cannot be dated after the day you saw it."))


class PledgeForm(Form):
    requirement_id = HiddenField()
    agree = BooleanField(_l("I promise to keep what I learn about parents and their children "
                            "to myself, as the text above says"),
                         validators=[DataRequired(_l("Tick the box to sign the pledge."))])



class CapacityForm(Form):
    capacity = IntegerField(
        _l("How many parents can you support at the same time?"),
        validators=[InputRequired(REQUIRED),
                    NumberRange(1, 10, _l("Give a number between 1 and 10."))],
        render_kw={"inputmode": "numeric"})


class PauseForm(Form):
    until = DateField(_l("Resume on (optional)"), validators=[Optional()],
                      description=_l("From this date you can be proposed again, without "
                                     "anyone doing anything. Leave it empty to resume "
                                     "yourself."))

    def validate_until(self, field):
        if field.data and field.data <= clock.today():
            raise ValidationError(_l("The date to resume must be after today."))


class ConflictsForm(Form):
    conflicts = TextAreaField(
        _l("People or places you must not be matched with"), filters=[strip],
        validators=[Length(max=2000), printable],
        description=_l("For example someone you know, or the unit where your own child was "
                       "placed. Only the matching reads this; nobody is shown it."),
        render_kw={"rows": 4})


def valid_personnummer(form, field):
    """Twelve digits with the century (YYYYMMDD-NNNN), a real date and the Luhn digit."""
    from stdnum.se import personnummer

    digits = "".join(c for c in (field.data or "") if c.isdigit())
    if len(digits) != 12 or not personnummer.is_valid(digits):
        raise ValidationError(_l("Give your personnummer with 12 digits, e.g. "
                                 "19811218-9876, and check the last digit."))
    field.data = personnummer.format(digits)


class PayoutForm(Form):
    personnummer = StringField(_l("Personnummer"), filters=[strip],
                               validators=[DataRequired(REQUIRED), valid_personnummer],
                               render_kw={"autocomplete": "off", "inputmode": "numeric"})
    clearing_number = StringField(_l("Clearing number"), filters=[strip],
                                  validators=[DataRequired(REQUIRED), Length(max=12)],
                                  render_kw={"autocomplete": "off", "inputmode": "numeric"})
    account_number = StringField(_l("Account number"), filters=[strip],
                                 validators=[DataRequired(REQUIRED), Length(max=20)],
                                 render_kw={"autocomplete": "off", "inputmode": "numeric"})

    def validate_account_number(self, field):
        """The clearing and account numbers by the rules of the bank the clearing number
        belongs to (the bankkonto library, from Bankgirot's documentation)."""
        import bankkonto
        from bankkonto.exceptions import BankkontoException

        clearing = "".join(c for c in (self.clearing_number.data or "") if c.isdigit())
        account = "".join(c for c in (field.data or "") if c.isdigit())
        if not clearing or not account:
            return
        try:
            bankkonto.validate(clearing, account)
        except (BankkontoException, ValueError, KeyError, IndexError):
            raise ValidationError(_l("This is not a valid account at the bank of that "
                                     "clearing number. Check both numbers.")) from None
        self.clearing_number.data, field.data = clearing, account


class SupervisionForm(Form):
    held_on = DateField(_l("Date"), default=clock.today,
                        validators=[DataRequired(REQUIRED), not_in_future])
    minutes = IntegerField(_l("Length (minutes)"), default=90,
                           validators=[InputRequired(REQUIRED), NumberRange(
                               15, 600, _l("Give a length between 15 and 600 minutes."))],
                           render_kw={"inputmode": "numeric"})
    kind = RadioField(_l("Kind"), choices=lambda: choices(SupervisionKind.choices()),
                      default="group", invalid_choice_message=_l("Choose one of the answers."))
    leader = StringField(_l("Led by"), filters=[strip],
                         validators=[DataRequired(REQUIRED), Length(max=120), printable])
    selected = MultiCheckboxField(_l("Who attended"), coerce=database_id,
                                  validators=[at_least_one(_l("Tick everyone who attended."))])


class PeriodForm(Form):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end cannot be before the start."))
