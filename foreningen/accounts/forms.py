from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from foreningen.accounts.passwords import password_problems
from foreningen.core.forms import REQUIRED, EmptyForm, Form, LanguageForm, email_field

__all__ = ["ChangePasswordForm", "ConfirmTotpForm", "EmptyForm", "LanguageForm",
           "PasswordConfirmForm", "ResetRequestForm", "SecondFactorForm", "SetPasswordForm",
           "SignInForm"]

class SignInForm(Form):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class SecondFactorForm(Form):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(REQUIRED), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text",
                   "autocapitalize": "off", "spellcheck": "false"},
    )


class ConfirmTotpForm(Form):
    code = StringField(
        _l("Six-digit code from the app"),
        validators=[DataRequired(REQUIRED), Length(min=6, max=8)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class NewPasswordMixin:
    email_for_policy: str | None = None

    def validate_password(self, field):
        problems = password_problems(field.data or "", self.email_for_policy)
        if problems:
            raise ValidationError(" ".join(str(p) for p in problems))


def new_password_field():
    return PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)],
                         description=_l("At least 10 characters. A few unusual words "
                                        "in a row make a good password."),
                         render_kw={"autocomplete": "new-password"})


def confirm_field():
    return PasswordField(_l("Repeat the new password"),
                         validators=[DataRequired(REQUIRED),
                                     EqualTo("password", _l("The passwords do not match."))],
                         render_kw={"autocomplete": "new-password"})


class SetPasswordForm(NewPasswordMixin, Form):
    password = new_password_field()
    confirm = confirm_field()


class ChangePasswordForm(NewPasswordMixin, Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)],
                            render_kw={"autocomplete": "current-password"})
    password = new_password_field()
    confirm = confirm_field()


class ResetRequestForm(Form):
    email = email_field()


class PasswordConfirmForm(Form):
    password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})
