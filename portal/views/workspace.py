"""The page each person lands on after signing in, with a section per role they hold."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from portal.access import roles_of, volunteer_applications_for
from portal.audit import verify_chain
from portal.models import Membership, Role, Supervisee
from portal.models.people import SupervisionLevel
from portal.privacy import person_view


def _level_counts(queryset) -> list[tuple[str, int]]:
    counts = dict(
        queryset.active().values_list("supervision_level").annotate(n=Count("pk")).order_by()
    )
    return [(label, counts.get(value, 0)) for value, label in SupervisionLevel.choices]


def _hours_this_month(supervisee):
    from django.utils import timezone

    from courses.compliance import measures

    study, service = measures([supervisee], timezone.localdate())[supervisee.pk]
    return {"study": study, "service": service}


@login_required
def workspace(request):
    user = request.user
    roles = roles_of(user)
    context = {"roles": roles, "sections": []}
    if Role.SUPERVISEE in roles:
        supervisee = user.supervisee
        context["me"] = supervisee
        context["me_view"] = person_view(user, supervisee)
        context["my_hours"] = _hours_this_month(supervisee)
    if roles & {Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER}:
        scoped = Supervisee.objects.in_scope_of(user)
        context["scope_total"] = scoped.active().count()
        context["scope_levels"] = _level_counts(scoped)
        context["scope_minors"] = scoped.active().filter(is_minor=True).count()
    if Role.CASEWORKER in roles:
        from insights.opportunities import find

        context["opportunity_count"] = len({o.supervisee.pk for o in find(user)})
    if Role.SOCIAL_WORKER in roles:
        caseload = (
            Supervisee.objects.on_caseload_of(user)
            .select_related("judicial_office__parent", "home_township")
            .order_by("name")
        )
        context["caseload"] = [person_view(user, s, in_scope=True) for s in caseload]
    if Role.OFFICIAL in roles:
        context["pending_volunteers"] = (
            volunteer_applications_for(user).filter(status=Membership.Status.PENDING).count()
        )
    if Role.BASE_OPERATOR in roles:
        from resources.models import AWAITING_REPLY, Referral

        context["operator_inbox"] = (
            Referral.objects.for_operator(user).filter(status__in=AWAITING_REPLY).count()
        )
    if Role.AUDITOR in roles:
        context["chain"] = verify_chain()
    context["pending_memberships"] = Membership.objects.filter(
        user=user, status=Membership.Status.PENDING
    ).select_related("organisation")
    return render(request, "portal/workspace.html", context)
