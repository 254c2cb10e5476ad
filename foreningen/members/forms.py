"""Forms of the board's register, and the names the register shows for codes."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields import TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from foreningen.auth.forms import REQUIRED
from foreningen.forms import choices
from foreningen.members.models import MemberCategory, MemberStatus

CATEGORY_NAMES = {
    MemberCategory.ORDINARY: _l("Ordinary member"),
    MemberCategory.SUPPORTING: _l("Supporting member"),
    MemberCategory.ORGANISATION: _l("Organisation"),
}
STATUS_NAMES = {
    MemberStatus.APPLIED: _l("Applied"),
    MemberStatus.ACTIVE: _l("Active"),
    MemberStatus.LAPSED: _l("Lapsed"),
    MemberStatus.LEFT: _l("Left"),
    MemberStatus.DECLINED: _l("Declined"),
}
SORT_NAMES = {
    "name": _l("Name"),
    "number": _l("Member number"),
    "joined": _l("Joined"),
    "status": _l("Status"),
}


class RegisterFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search name, email or payment reference"),
                    validators=[Optional(), Length(max=100)], render_kw={"type": "search"})
    category = SelectField(_l("Category"), default="", validators=[Optional()],
                           choices=lambda: choices([("", _l("All categories")),
                                                    *CATEGORY_NAMES.items()]))
    status = SelectField(_l("Status"), default="", validators=[Optional()],
                         choices=lambda: choices([("", _l("All statuses")),
                                                  *STATUS_NAMES.items()]))
    municipality = SelectField(_l("Municipality"), default="", validators=[Optional()])
    year = IntegerField(_l("Dues year"), default=lambda: date.today().year,
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


class StatusChangeForm(FlaskForm):
    to_status = SelectField(_l("New status"), validators=[DataRequired(REQUIRED)])
    effective_on = DateField(_l("Effective from"), default=date.today,
                             validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=500)],
                           description=_l("Kept in the member's history. Write facts, not "
                                          "opinions."))


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=1000)],
                           description=_l("The applicant receives this text by email."))


class ApproveSelectedForm(FlaskForm):
    # The checkboxes are in the table of applications; each has its own label there.
    member_ids = SelectMultipleField(coerce=int, validate_choice=False)
