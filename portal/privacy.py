"""How a supervisee is shown to a viewer. Every template, export and API goes through here."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from .access import sees_full_identity, sees_offence_details
from .idnumbers import mask_id_number
from .models import Supervisee


def mask_name(name: str) -> str:
    """张三丰 -> 张**: the family name and one star per remaining character."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    digits = phone.removeprefix("+86")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


@dataclass(frozen=True)
class PersonView:
    """The fields of a supervisee a given viewer may see; masked values where they may not."""

    pk: int
    name: str
    masked: bool
    is_minor: bool
    gender: str
    age: int
    id_number: str
    phone: str
    township: str
    school: str
    photo_url: str
    offence: str
    show_offence: bool

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "name": self.name,
            "masked": self.masked,
            "is_minor": self.is_minor,
            "gender": self.gender,
            "age": self.age,
            "id_number": self.id_number,
            "phone": self.phone,
            "township": self.township,
            "school": self.school,
            "offence": self.offence if self.show_offence else "",
        }


def person_view(viewer, supervisee: Supervisee, *, in_scope: bool = False) -> PersonView:
    """`in_scope=True` when the record came from `in_scope_of(viewer)`, saving a query."""
    full = sees_full_identity(viewer, supervisee, in_scope=in_scope)
    show_offence = sees_offence_details(viewer, supervisee, in_scope=in_scope)
    return PersonView(
        pk=supervisee.pk,
        name=supervisee.name if full else mask_name(supervisee.name),
        masked=not full,
        is_minor=supervisee.is_minor,
        gender=supervisee.get_gender_display(),
        age=supervisee.age(),
        id_number=mask_id_number(supervisee.id_number),
        phone=(supervisee.phone if full else mask_phone(supervisee.phone)),
        # A minor's place is identity too; others see the township only.
        township=(
            supervisee.home_township.name if full or not supervisee.is_minor else _("withheld")
        ),
        school=supervisee.school if full else "",
        photo_url=(
            reverse("supervisee_photo", args=[supervisee.pk]) if full and supervisee.photo else ""
        ),
        offence=supervisee.get_offence_category_display() if show_offence else "",
        show_offence=show_offence,
    )
