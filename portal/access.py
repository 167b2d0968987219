"""Who may do what. Every view, export and API of people data asks these functions."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Membership, Organisation, Role, Supervisee
from .models.organisations import STAFF_ROLES
from .models.people import user_memberships


def roles_of(user) -> set[str]:
    """Every role `user` currently holds."""
    if not getattr(user, "is_authenticated", False):
        return set()
    roles = {m.role for m in user_memberships(user)}
    if is_supervisee(user):
        roles.add(Role.SUPERVISEE)
    return roles


def is_supervisee(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        return user.supervisee is not None
    except Supervisee.DoesNotExist:
        return False


def is_staff_member(user) -> bool:
    """Agency staff: must enrol a second factor and get the short idle timeout."""
    return bool(roles_of(user) & STAFF_ROLES) or getattr(user, "is_superuser", False)


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def require_role(user, *roles: str) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied


def memberships_with_role(user, role: str) -> list[Membership]:
    return [m for m in user_memberships(user) if m.role == role]


def access_supervisee(user, pk) -> Supervisee:
    """The supervisee if `user` may see the record, else 404 (never reveal it exists)."""
    try:
        return (
            Supervisee.objects.in_scope_of(user)
            .select_related("judicial_office__parent", "home_township")
            .get(pk=pk)
        )
    except (Supervisee.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can_manage_supervisee(user, supervisee: Supervisee) -> bool:
    """Caseworkers of the person's own office (or its agency) edit the record."""
    return any(
        supervisee.judicial_office_id == m.organisation_id
        or supervisee.judicial_office.parent_id == m.organisation_id
        for m in memberships_with_role(user, Role.CASEWORKER)
    )


def access_manage_supervisee(user, pk) -> Supervisee:
    supervisee = access_supervisee(user, pk)
    if not can_manage_supervisee(user, supervisee):
        raise PermissionDenied
    return supervisee


def offices_managed_by(user):
    """Judicial offices in which `user` may register supervisees."""
    orgs = [m.organisation for m in memberships_with_role(user, Role.CASEWORKER)]
    return Organisation.objects.filter(kind=Organisation.Kind.JUDICIAL_OFFICE).filter(
        pk__in=[o.pk for o in orgs] + [c.pk for o in orgs for c in o.children.all()]
    )


def _in_scope(user, supervisee: Supervisee, known: bool) -> bool:
    return known or Supervisee.objects.in_scope_of(user).filter(pk=supervisee.pk).exists()


# Further people other apps let see a minor in full (the volunteers app: a screened mentor
# whose pairing the agency approved). Each is a function (user, supervisee) -> bool.
IDENTITY_GRANTS: list[Callable[..., bool]] = []


def register_identity_grant(grant: Callable[..., bool]) -> None:
    IDENTITY_GRANTS.append(grant)


def sees_full_identity(user, supervisee: Supervisee, *, in_scope: bool = False) -> bool:
    """Whether `user` sees the person's real name, photo and school (DESIGN.md rule 4.2).

    A minor's identity is shown only to the own caseworker and the responsible agency; an
    adult's to staff whose scope includes the person. Base operators always see a masked form.
    """
    if supervisee.user_id and supervisee.user_id == getattr(user, "pk", None):
        return True
    if supervisee.is_minor:
        if can_manage_supervisee(user, supervisee):
            return True
        if any(
            m.organisation_id == supervisee.judicial_office.parent_id
            for m in memberships_with_role(user, Role.OFFICIAL)
        ):
            return True
        return any(grant(user, supervisee) for grant in IDENTITY_GRANTS)
    if not has_role(user, Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER, Role.MENTOR):
        return False
    return _in_scope(user, supervisee, in_scope)


def sees_offence_details(user, supervisee: Supervisee, *, in_scope: bool = False) -> bool:
    """Base operators and mentors never see offence details (DESIGN.md rule 4.3)."""
    return has_role(user, Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER) and _in_scope(
        user, supervisee, in_scope
    )


def access_volunteer_application(user, pk) -> Membership:
    """A pending volunteer's membership an official of the region may decide on."""
    regions = [m.organisation.region for m in memberships_with_role(user, Role.OFFICIAL)]
    for membership in Membership.objects.filter(
        pk=pk, role=Role.MENTOR, organisation__kind=Organisation.Kind.VOLUNTEER_GROUP
    ).select_related("organisation__region", "user"):
        if any(r.contains(membership.organisation.region) for r in regions):
            return membership
    raise Http404


def region_scope(user, path_lookup: str, *roles: str) -> Q | None:
    """Rows whose region path (`path_lookup`) lies in the region of an organisation where `user`
    holds one of `roles`; None when there is no such organisation."""
    paths = [
        m.organisation.region.path for role in roles for m in memberships_with_role(user, role)
    ]
    if not paths:
        return None
    scope = Q()
    for path in paths:
        scope |= Q(**{f"{path_lookup}__startswith": path})
    return scope


def volunteer_applications_for(user):
    scope = region_scope(user, "organisation__region__path", Role.OFFICIAL)
    if scope is None:
        return Membership.objects.none()
    return Membership.objects.filter(
        scope, role=Role.MENTOR, organisation__kind=Organisation.Kind.VOLUNTEER_GROUP
    ).select_related("user", "organisation")
