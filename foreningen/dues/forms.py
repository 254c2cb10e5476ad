"""Forms of the dues pages: rates, payments recorded by hand, bank-file import, reminders."""

from __future__ import annotations

import secrets

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from flask_wtf.i18n import translations
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from foreningen.core import clock
from foreningen.core.forms import REQUIRED, Form, choices, strip
from foreningen.dues import bankfile
from foreningen.dues.bankfile import parse_amount
from foreningen.members.queries import MemberCategory

PAYMENT_ROWS = 8
FIRST_YEAR, LAST_YEAR = bankfile.FIRST_YEAR, bankfile.LAST_YEAR
# A text input with a numeric keyboard: number inputs change on scrolling and drop input
# they cannot parse, so the error would not name what was typed.
NUMERIC = {"type": "text", "inputmode": "numeric", "autocomplete": "off"}
YEAR_MESSAGE = _l("Enter a year between %(min)s and %(max)s.", min=FIRST_YEAR, max=LAST_YEAR)



def this_year() -> int:
    return clock.today().year


def _year_range(form, field):
    # Not NumberRange: its min and max attributes do not belong on a text input.
    if field.data is not None and not FIRST_YEAR <= field.data <= LAST_YEAR:
        raise ValidationError(YEAR_MESSAGE)


def _year_field(label, **kwargs):
    return IntegerField(label, default=this_year,
                        validators=[DataRequired(REQUIRED), _year_range],
                        render_kw=NUMERIC, **kwargs)


def amount_in_ore(text: str | None, *, allow_zero: bool) -> int:
    """Kronor as typed ('250', '250,00', '1 250,50') → öre, or a translated ValidationError."""
    try:
        ore = parse_amount(text or "")
    except ValueError:
        raise ValidationError(_l("Write the amount in kronor, e.g. 250 or 1 250,50.")) from None
    if ore < 0:
        raise ValidationError(_l("The amount cannot be negative."))
    if ore == 0 and not allow_zero:
        raise ValidationError(_l("The amount must be more than zero."))
    return ore


class YearForm(Form):
    """The year selector of the overview (a GET form)."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), id="show-year", render_kw=NUMERIC,
                        validators=[Optional(), _year_range])


class RateForm(Form):
    year = _year_field(_l("Year"))
    category = SelectField(_l("Member category"),
                           choices=lambda: choices(MemberCategory.choices()),
                           validators=[DataRequired(REQUIRED)])
    amount = StringField(_l("Amount in kronor"), filters=[strip],
                         validators=[DataRequired(REQUIRED), Length(max=20)],
                         description=_l("For example 250 or 1 250,50."),
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    decision_reference = StringField(
        _l("Decision reference"), filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=_l("Where the annual meeting decided the rate, e.g. "
                       "\"Annual meeting 2026-03-14, § 12\"."))

    amount_ore: int | None = None

    def validate_amount(self, field):
        self.amount_ore = amount_in_ore(field.data, allow_zero=True)


class PaymentRowForm(wtforms.Form):
    """One payment; a row left empty is ignored."""

    class Meta:
        def get_translations(self, form):
            return translations  # WTForms' own messages in the page's language, as FlaskForm

    member = StringField(_l("Member number or payment reference"), filters=[strip],
                         validators=[Optional(), Length(max=20)],
                         render_kw={"inputmode": "numeric", "autocomplete": "off"})
    amount = StringField(_l("Amount in kronor"), filters=[strip],
                         validators=[Optional(), Length(max=20)],
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    paid_on = DateField(_l("Date paid"), validators=[Optional()],
                        render_kw={"max": "9999-12-31"})
    year = IntegerField(_l("Dues year"), default=this_year,
                        validators=[Optional(), _year_range],
                        render_kw=NUMERIC)
    note = StringField(_l("Note (optional)"), filters=[strip],
                       validators=[Optional(), Length(max=200)], render_kw={"autocomplete": "off"})

    amount_ore: int | None = None

    @property
    def is_empty(self) -> bool:
        typed = (self.member, self.amount, self.paid_on, self.note)
        return not any((f.raw_data or [""])[0].strip() for f in typed)

    def validate(self, extra_validators=None):
        if self.is_empty:
            return True
        valid = super().validate(extra_validators)
        for name in ("member", "amount", "paid_on", "year"):
            f = self[name]
            if not f.errors and f.data in (None, ""):
                f.errors = [*f.errors, REQUIRED]
                valid = False
        if not self.amount.errors and self.amount.data:
            try:
                self.amount_ore = amount_in_ore(self.amount.data, allow_zero=False)
            except ValidationError as exc:
                self.amount.errors = [*self.amount.errors, str(exc)]
                valid = False
        if valid:  # the same rule as for a bank file's lines
            problem = bankfile.payment_problem(self.paid_on.data, self.year.data,
                                               clock.today())
            if problem:
                self.paid_on.errors = [*self.paid_on.errors, str(problem)]
                valid = False
        return valid


class PaymentsForm(Form):
    rows = FieldList(FormField(PaymentRowForm), min_entries=PAYMENT_ROWS,
                     max_entries=PAYMENT_ROWS)
    # Made when the form is shown and sent with it: the same form sent twice (a double
    # click, a reload) records its payments once.
    submission = HiddenField(default=lambda: secrets.token_hex(16),
                             validators=[Regexp(r"^[0-9a-f]{32}$")])
    record_anyway = BooleanField(_l("Record them anyway: they are new payments"))

    def filled_rows(self) -> list[tuple[int, PaymentRowForm]]:
        """(row number from 1, row) for every row with something typed in it."""
        return [(n, entry.form) for n, entry in enumerate(self.rows, start=1)
                if not entry.form.is_empty]


class ImportForm(Form):
    file = FileField(_l("Bank file (CSV or BgMax)"), validators=[FileRequired(REQUIRED)],
                     render_kw={"accept": ".csv,.txt,.bgmax,text/csv,text/plain"})


class AssignLineForm(Form):
    member = StringField(_l("Member number or payment reference"), filters=[strip],
                         validators=[DataRequired(REQUIRED), Length(max=20)],
                         render_kw={"inputmode": "numeric", "autocomplete": "off"})


class ReverseForm(Form):
    reason = StringField(_l("Why (optional)"), filters=[strip],
                         validators=[Optional(), Length(max=200)],
                         description=_l("Kept with the reversal, for the accounts."))


class ConfirmForm(Form):
    confirm = BooleanField(_l("Yes, reverse every payment of this file"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


class RemindersForm(Form):
    year = _year_field(_l("Dues year"))
