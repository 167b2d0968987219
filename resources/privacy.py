"""How a referred person is shown: in full to staff who may see them, barely to a base.

A base learns only what it needs to take someone on (DESIGN.md rules 4.2 and 4.3): the masked
name, and for adults the gender, age and skills. Never the offence, the ID number, the phone or
the address, and for a minor nothing beyond the masked name.
"""

from dataclasses import dataclass

from portal.access import has_role
from portal.models import Role, Supervisee
from portal.privacy import mask_name, person_view

STAFF = (Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER)


# What showing a referred person reads, to load with the referrals in one query.
PERSON_RELATED = ("supervisee__judicial_office__parent", "supervisee__home_township")


def with_people(viewer, referrals) -> list[tuple]:
    """Each referral with its person as `viewer` may see them, deciding scope in one query."""
    ids = {r.supervisee_id for r in referrals}
    known = set(
        Supervisee.objects.in_scope_of(viewer).filter(pk__in=ids).values_list("pk", flat=True)
    )
    return [
        (r, referred_person(viewer, r.supervisee, in_scope=r.supervisee_id in known))
        for r in referrals
    ]


@dataclass(frozen=True)
class ReferredPerson:
    pk: int
    name: str
    gender: str = ""
    age: int | None = None
    skills: tuple[str, ...] = ()
    # Staff in scope follow a link to the full record; the base never does.
    record_link: bool = False


def referred_person(viewer, supervisee: Supervisee, *, in_scope: bool = False) -> ReferredPerson:
    """`in_scope=True` when `supervisee` is known to be in the viewer's scope, saving a query."""
    staff = has_role(viewer, *STAFF)
    if staff or supervisee.user_id == getattr(viewer, "pk", None):
        # Masks a minor for staff who may not see them, and anyone outside the staff's scope.
        view = person_view(viewer, supervisee, in_scope=in_scope)
        return ReferredPerson(
            pk=supervisee.pk,
            name=view.name,
            gender=view.gender,
            age=view.age,
            skills=tuple(s.name for s in supervisee.skills.all()),
            record_link=staff,
        )
    if supervisee.is_minor:
        return ReferredPerson(pk=supervisee.pk, name=mask_name(supervisee.name))
    return ReferredPerson(
        pk=supervisee.pk,
        name=mask_name(supervisee.name),
        gender=supervisee.get_gender_display(),
        age=supervisee.age(),
        skills=tuple(s.name for s in supervisee.skills.all()),
    )
