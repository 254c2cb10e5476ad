"""The board's forms for the association's details and a new privacy notice."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from stdnum import luhn
from stdnum.exceptions import ValidationError as NumberError
from stdnum.se import orgnr
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from foreningen.core.forms import REQUIRED, Form, printable, strip


def _digits(value: str | None) -> str:
    return re.sub(r"[\s-]", "", value or "")


def _luhn_number(lengths: tuple[int, ...], message):
    """Bankgiro and plusgiro numbers end in a Luhn check digit."""

    def check(form, field):
        digits = _digits(field.data)
        if not field.data:
            return
        if not digits.isdecimal() or len(digits) not in lengths or not luhn.is_valid(digits):
            raise ValidationError(message)

    return check


def format_bankgiro(value: str | None) -> str | None:
    digits = _digits(value)
    return f"{digits[:-4]}-{digits[-4:]}" if digits else None


def format_plusgiro(value: str | None) -> str | None:
    digits = _digits(value)
    return f"{digits[:-1]}-{digits[-1]}" if digits else None


def format_swish(value: str | None) -> str | None:
    digits = _digits(value)
    return f"{digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}" if digits else None


def _organisation_number(form, field):
    if field.data:
        try:
            orgnr.validate(field.data)
        except NumberError:
            raise ValidationError(_l("Enter the organisation number as on the registration, "
                                     "e.g. 802000-0000.")) from None


class SettingsForm(Form):
    name = StringField(_l("Name of the association"), filters=[strip],
                       validators=[DataRequired(REQUIRED), Length(max=120), printable])
    organisation_number = StringField(
        _l("Organisation number (optional)"), filters=[strip],
        validators=[Optional(), _organisation_number], render_kw={"inputmode": "numeric"})
    bankgiro = StringField(
        _l("Bankgiro (optional)"), filters=[strip],
        validators=[Optional(), _luhn_number((7, 8), _l("A bankgiro number has seven or eight "
                                                         "digits, e.g. 123-4567."))],
        render_kw={"inputmode": "numeric"})
    plusgiro = StringField(
        _l("Plusgiro (optional)"), filters=[strip],
        validators=[Optional(), _luhn_number(tuple(range(2, 9)), _l(
            "A plusgiro number has two to eight digits, e.g. 12 34 56-7."))],
        render_kw={"inputmode": "numeric"})
    swish = StringField(
        _l("Swish number (optional)"), filters=[strip],
        validators=[Optional(), Regexp(r"^\s*123[\s-]*(?:[0-9][\s-]*){7}$", message=_l(
            "A Swish number for organisations has ten digits and starts with 123."))],
        render_kw={"inputmode": "numeric"})
    contact_email = EmailField(
        _l("Contact email (optional)"), filters=[strip],
        validators=[Optional(), Length(max=254),
                    Email(_l("Enter a valid email address."), check_deliverability=False)])
    contact_phone = StringField(
        _l("Contact phone (optional)"), filters=[strip],
        validators=[Optional(), Length(max=30), Regexp(r"^\+?[0-9 ()-]{5,}$", message=_l(
            "Enter a phone number with digits, e.g. 070-123 45 67."))],
        render_kw={"inputmode": "tel"})
    postal_address = TextAreaField(_l("Postal address (optional)"), filters=[strip],
                                   validators=[Optional(), Length(max=300), printable],
                                   render_kw={"rows": 3})

    def values(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "submit")}
        data["organisation_number"] = (orgnr.format(data["organisation_number"])
                                       if data["organisation_number"] else None)
        data["bankgiro"] = format_bankgiro(data["bankgiro"])
        data["plusgiro"] = format_plusgiro(data["plusgiro"])
        data["swish"] = format_swish(data["swish"])
        return data


class NoticeForm(Form):
    version = StringField(
        _l("Version"), filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=20),
                    Regexp(r"^[0-9A-Za-z.\-]+$", message=_l(
                        "Use digits, letters, dots and dashes, e.g. 2027-01."))],
        description=_l("Consents record the version they were given to, e.g. 2027-01."))
    body_sv = TextAreaField(_l("The notice in Swedish"), filters=[strip],
                            validators=[DataRequired(REQUIRED), Length(max=20000), printable],
                            render_kw={"rows": 14, "lang": "sv"})
    body_en = TextAreaField(_l("The notice in English (optional)"), filters=[strip],
                            validators=[Optional(), Length(max=20000), printable],
                            render_kw={"rows": 8, "lang": "en"})
    body_ar = TextAreaField(_l("The notice in Arabic (optional)"), filters=[strip],
                            validators=[Optional(), Length(max=20000), printable],
                            render_kw={"rows": 8, "lang": "ar", "dir": "rtl"})
