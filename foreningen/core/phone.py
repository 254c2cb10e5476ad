"""Phone numbers: what a person types ("070-123 45 67") as E.164 ("+46701234567"), the
one form that is stored and handed to the text-message gateway.

Only numbers that can be a person's phone are accepted: a mobile or fixed line, valid by
the numbering plan of its country. Premium-rate, toll-free and shared-cost numbers are
refused, so that nobody can make the association text (and pay for) one of those.
"""

from __future__ import annotations

import phonenumbers
from flask_babel import lazy_gettext as _l
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from wtforms.validators import ValidationError

PERSONAL = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE,
                      PhoneNumberType.FIXED_LINE_OR_MOBILE})
# A fixed line that may be a mobile (as in the United States) may take a text message.
TEXTABLE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})

# Longer than any number with its spaces and dashes: the parser is not given a novel.
MAX_INPUT_LENGTH = 40


def _parse(value: str, region: str) -> phonenumbers.PhoneNumber:
    text = (value or "").strip()
    if not text or len(text) > MAX_INPUT_LENGTH:
        raise ValueError("not a phone number")
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not (phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number)):
        raise ValueError("not a valid phone number")
    if phonenumbers.number_type(number) not in PERSONAL:
        raise ValueError("not a mobile or fixed-line number")
    return number


def normalise(value: str, region: str = "SE") -> str:
    """The number in E.164 ("+46701234567"); a number without a country code is read as
    one of `region`. ValueError for anything that is not a valid mobile or fixed-line
    number."""
    return phonenumbers.format_number(_parse(value, region), PhoneNumberFormat.E164)


def is_mobile(value: str, region: str = "SE") -> bool:
    """Whether the number can take a text message (a mobile); False for a fixed line and
    for anything that is not a phone number at all."""
    try:
        return phonenumbers.number_type(_parse(value, region)) in TEXTABLE
    except ValueError:
        return False


def phone_number(message=None, *, region: str = "SE", mobile: bool = False):
    """A WTForms validator: the field holds a valid phone number (a mobile, with
    `mobile=True`), and its data becomes the E.164 form. An empty field is refused too:
    put Optional() before it where the number may be left out."""
    if message is None:
        message = (_l("Enter a mobile number, for example 070-123 45 67.") if mobile else
                   _l("Enter a valid phone number, for example 070-123 45 67."))

    def validate(form, field):
        try:
            number = normalise(field.data, region)
        except ValueError as exc:
            raise ValidationError(message) from exc
        if mobile and not is_mobile(number, region):
            raise ValidationError(message)
        field.data = number

    return validate
