"""Who may see which base, opening, referral and service log. Out of scope answers 404."""

from django.http import Http404

from portal.access import can_manage_supervisee, has_role, is_supervisee
from portal.models import Role, Supervisee

from .models import Base, Opening, Referral, ServiceLog, operator_organisations

# Staff who browse the directory and refer people.
DIRECTORY_STAFF = (Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER)
REFERRERS = (Role.CASEWORKER, Role.SOCIAL_WORKER)


def is_operator_of(user, base: Base) -> bool:
    return base.operator_id in operator_organisations(user)


def may_refer(user, supervisee: Supervisee) -> bool:
    """The person's caseworker, or a social worker with the person on the caseload."""
    if can_manage_supervisee(user, supervisee):
        return True
    return (
        has_role(user, Role.SOCIAL_WORKER)
        and Supervisee.objects.on_caseload_of(user).filter(pk=supervisee.pk).exists()
    )


def browses_directory(user) -> bool:
    """Supervisees under supervision and agency staff find openings; operators see their own."""
    if has_role(user, *DIRECTORY_STAFF):
        return True
    return is_supervisee(user) and user.supervisee.status == Supervisee.Status.ACTIVE


def _first_or_404(queryset, pk):
    try:
        obj = queryset.filter(pk=pk).first()
    except (ValueError, TypeError):
        obj = None
    if obj is None:
        raise Http404
    return obj


def access_opening(user, pk) -> Opening:
    """Operators see their own openings; supervisees the listed ones; staff all of them."""
    queryset = Opening.objects.select_related("base__region", "base__operator")
    if has_role(user, *DIRECTORY_STAFF):
        return _first_or_404(queryset, pk)
    if browses_directory(user):
        return _first_or_404(queryset.listed(), pk)
    return _first_or_404(queryset.operated_by(user), pk)


def access_base(user, pk) -> Base:
    queryset = Base.objects.select_related("region", "operator")
    if has_role(user, *DIRECTORY_STAFF):
        return _first_or_404(queryset, pk)
    if browses_directory(user):
        return _first_or_404(queryset.filter(status=Base.Status.ACTIVE), pk)
    return _first_or_404(queryset.operated_by(user), pk)


def access_own_base(user, pk) -> Base:
    return _first_or_404(Base.objects.operated_by(user).select_related("region"), pk)


def access_own_opening(user, pk) -> Opening:
    return _first_or_404(Opening.objects.operated_by(user).select_related("base"), pk)


def access_referral(user, pk) -> Referral:
    return _first_or_404(
        Referral.objects.in_scope_of(user).select_related(
            "supervisee__judicial_office__parent",
            "supervisee__home_township",
            "supervisee__user",
            "opening__base__operator",
            "created_by",
        ),
        pk,
    )


def access_service_log(user, pk) -> ServiceLog:
    """Logged hours of a person the caseworker manages."""
    log = _first_or_404(
        ServiceLog.objects.select_related("referral__supervisee__judicial_office"), pk
    )
    if not can_manage_supervisee(user, log.referral.supervisee):
        raise Http404
    return log
