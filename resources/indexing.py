"""What the search layer finds of the directory: active bases and the openings they list."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from search.registry import IndexDefinition, key_for, register
from search.types import DIRECTORY, STAFF, SUPERVISEE, Audience, Document

from .models import Base, Opening

# Supervisees and staff look for places; operators manage their own in the workspace.
FINDERS = frozenset({SUPERVISEE, STAFF})
STALE_RANK = 0.5


def age_groups(base: Base) -> frozenset[str]:
    """The age groups a base's age range admits (empty: everyone)."""
    if base.minimum_age is not None and base.minimum_age >= 18:
        return frozenset({"adult"})
    if base.maximum_age is not None and base.maximum_age < 18:
        return frozenset({"minor"})
    return frozenset()


def _place(base: Base) -> dict:
    return {
        "region_code": base.region.code,
        "region_path": base.region.path,
        "location": (base.latitude, base.longitude),
        "rank": STALE_RANK if base.is_stale() else 1.0,
        "access": Audience(audience=FINDERS, ages=age_groups(base)),
    }


@register
class BaseIndex(IndexDefinition):
    model = Base
    index = DIRECTORY
    kind_labels = {"base": _("base")}

    def queryset(self):
        return Base.objects.select_related("region")

    def document(self, base: Base) -> Document | None:
        if base.status != Base.Status.ACTIVE:
            return None
        return Document(
            key=key_for(base),
            index=DIRECTORY,
            kind="base",
            title=base.name,
            body=" ".join(filter(None, [base.description, base.address, base.eligibility])),
            url=reverse("resources:base_detail", args=[base.pk]),
            payload={"kind_label": str(base.get_kind_display()), "address": base.address},
            **_place(base),
        )

    def dependents(self, base: Base):
        return base.openings.all()


@register
class OpeningIndex(IndexDefinition):
    model = Opening
    index = DIRECTORY
    kind_labels = dict(Opening.Kind.choices)

    def queryset(self):
        return Opening.objects.select_related("base__region").prefetch_related("skills")

    def document(self, opening: Opening) -> Document | None:
        if not opening.is_listed:
            return None
        base = opening.base
        return Document(
            key=key_for(opening),
            index=DIRECTORY,
            kind=opening.kind,
            title=opening.title,
            body=" ".join(filter(None, [opening.description, base.name, base.address])),
            url=reverse("resources:opening_detail", args=[opening.pk]),
            tags=tuple(skill.name for skill in opening.skills.all()),
            open_slots=opening.slots_available,
            payload={"base": base.name, "pay": opening.pay_display()},
            **_place(base),
        )
