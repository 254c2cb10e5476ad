from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from foreningen.core.forms import REQUIRED, Form, MultiCheckboxField, choices, email_field
from foreningen.core.i18n import LANGUAGES
from foreningen.core.security import Role


def role_choices():
    return choices(Role.choices())


class UserRolesForm(Form):
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices)
    password = PasswordField(_l("Your password (to give the board or administrator role)"),
                             validators=[Optional()],
                             description=_l("Giving these roles opens the member register or "
                                            "every account: confirm that it is you."),
                             render_kw={"autocomplete": "current-password"})
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


class MunicipalityForm(Form):
    code = StringField(
        _l("Municipality code"),
        validators=[DataRequired(REQUIRED),
                    Regexp(r"^[0-9]{4}$", message=_l("The code has four digits, e.g. 0180."))],
        description=_l("The four-digit code from Statistics Sweden (SCB)."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    active = BooleanField(_l("Active"), default=True)


def _plausible_date(form, field):
    if field.data and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Choose a date between the years 2000 and 2100."))


class UserFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search name or email"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    # Choices from what the features describe (core.audit); an older link with a code that
    # is no longer offered still filters, so the choice is not validated.
    action = SelectField(_l("What happened"), validators=[Optional(), Length(max=64)],
                         validate_choice=False)
    actor = StringField(_l("Who (email)"), validators=[Optional(), Length(max=254)],
                        render_kw={"type": "search"})
    subject_type = SelectField(_l("About what"), validators=[Optional(), Length(max=40)],
                               validate_choice=False)

    def set_choices(self, families: dict, actions: dict, subjects: dict) -> None:
        everything = [("", _l("Everything"))]
        grouped = []
        for family, label in sorted(families.items(), key=lambda item: str(item[1])):
            grouped.append((f"{family}.", _l("%(family)s: all", family=label)))
            grouped += sorted(((action, label_) for action, label_ in actions.items()
                               if action.startswith(family + ".")),
                              key=lambda item: str(item[1]))
        self.action.choices = choices(everything + grouped)
        self.subject_type.choices = choices(everything + sorted(
            ((kind, subject.label) for kind, subject in subjects.items()),
            key=lambda item: str(item[1])))
    date_from = DateField(_l("From"), validators=[Optional(), _plausible_date])
    date_to = DateField(_l("To"), validators=[Optional(), _plausible_date])
