from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from foreningen.core.forms import REQUIRED, MultiCheckboxField, choices, email_field
from foreningen.core.i18n import LANGUAGES
from foreningen.core.security import Role


def role_choices():
    return choices(Role.choices())


class UserRolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices)
    municipality_id = SelectField(
        _l("Municipality"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
        description=_l("Required for reviewers and social workers."),
    )


class InviteForm(UserRolesForm):
    email = email_field()
    display_name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)],
                               render_kw={"autocomplete": "off"})
    locale = SelectField(_l("Language of the invitation"), choices=choices(LANGUAGES.items()),
                         default="sv")


class MunicipalityForm(FlaskForm):
    code = StringField(
        _l("Municipality code"),
        validators=[DataRequired(REQUIRED),
                    Regexp(r"^[0-9]{4}$", message=_l("The code has four digits, e.g. 0180."))],
        description=_l("The four-digit code from Statistics Sweden (SCB)."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    active = BooleanField(_l("Active"), default=True)


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search name or email"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField(_l("Action"), validators=[Optional(), Length(max=64)],
                         description=_l("A whole action such as auth.sign_in, or the start of "
                                        "one such as auth. for all sign-in events."))
    actor = StringField(_l("Actor's email"), validators=[Optional(), Length(max=254)])
    subject_type = StringField(_l("Subject type"), validators=[Optional(), Length(max=40)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
