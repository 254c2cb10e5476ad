from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from foreningen.auth.passwords import password_problems
from foreningen.forms import choices
from foreningen.i18n import LANGUAGES

REQUIRED = _l("This field is required.")


def email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        validators=[DataRequired(REQUIRED), Length(max=254),
                    Email(_l("Enter a valid email address."), check_deliverability=False)],
        filters=[_strip],
        render_kw={"autocomplete": "email"},
    )


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SignInForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(REQUIRED), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text",
                   "autocapitalize": "off", "spellcheck": "false"},
    )


class ConfirmTotpForm(FlaskForm):
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


class SetPasswordForm(NewPasswordMixin, FlaskForm):
    password = new_password_field()
    confirm = confirm_field()


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)],
                            render_kw={"autocomplete": "current-password"})
    password = new_password_field()
    confirm = confirm_field()


class ResetRequestForm(FlaskForm):
    email = email_field()


class PasswordConfirmForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=choices(LANGUAGES.items()))
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A button that changes state: POST with a CSRF token, nothing else."""
