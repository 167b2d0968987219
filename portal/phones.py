"""Mainland mobile numbers: accept what people type, store E.164."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")


def normalise_phone(value: str) -> str:
    """'138 0000 0000', '+86-13800000000' -> '+8613800000000'; raise if not a mobile number."""
    compact = re.sub(r"[\s\-()]", "", value or "")
    match = _MOBILE.match(compact)
    if not match:
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number, e.g. 13800000000."), code="invalid_phone"
        )
    return f"+86{match.group(1)}"


class PhoneField(forms.CharField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", _("Mobile phone"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        )
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalise_phone(value) if value else value
