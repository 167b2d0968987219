"""Resident identity numbers (GB 11643-1999): format, check digit, embedded birth date."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PATTERN = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CODES = "10X98765432"


def check_digit(first17: str) -> str:
    return _CHECK_CODES[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def birth_date_from_id_number(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    value = normalise_id_number(value)
    if not _PATTERN.match(value):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."),
            code="id_format",
        )
    if birth_date_from_id_number(value) is None:
        raise ValidationError(
            _("The ID number contains an impossible birth date."), code="id_birth_date"
        )
    if check_digit(value[:17]) != value[17]:
        raise ValidationError(
            _("The ID number's check digit is wrong; please check it was typed correctly."),
            code="id_check_digit",
        )


def mask_id_number(value: str) -> str:
    """Show the region prefix and the last four characters only."""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def make_id_number(region_code: str, birth_date: datetime.date, sequence: int) -> str:
    """A valid number for the given region and birth date (used by demo data and tests)."""
    first17 = f"{region_code[:6]}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
