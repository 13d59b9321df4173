"""Phone numbers, kept in E.164 ("+16175550100") so an SMS provider takes them as they are.

A number typed without a country code is read as one of ``PHONE_REGION`` (default US): that is how
volunteers write their own number. Anything that is not a real, dialable number is refused at the
field, with the reason, instead of failing silently at 2 a.m. when an alert goes out.
"""

from __future__ import annotations

import phonenumbers
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError


def to_e164(text: str, region: str = "US") -> str:
    """The number in E.164, or ValueError with a sentence a person can act on."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError(_l("That is not a phone number. Write it with its area code, e.g. 617 555 0123.")) from error
    if not phonenumbers.is_possible_number(number):
        raise ValueError(_l("That phone number has too few or too many digits."))
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            _l("That phone number does not exist. Check the area code, or start with + and the country code.")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumber:
    """WTForms validator: empty passes (the field is optional), otherwise the data becomes E.164."""

    def __call__(self, form, field) -> None:
        text = (field.data or "").strip()
        if not text:
            field.data = ""
            return
        try:
            field.data = to_e164(text, str(current_app.config.get("PHONE_REGION") or "US"))
        except ValueError as error:
            field.data = text  # keep what the person typed
            raise ValidationError(str(error.args[0])) from error
