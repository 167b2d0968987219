"""The officials' region dashboard and the caseworkers' opportunities."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import audit
from portal.exports import xlsx_workbook_response
from portal.models import Role
from portal.views.decorators import role_required

from . import actions, opportunities
from .access import access_dashboard_region, official_roots, trail
from .dashboard import Dashboard
from .forms import DismissForm
from .models import OpportunityDecision, OpportunityRule


@role_required(Role.OFFICIAL)
def dashboard(request):
    region = access_dashboard_region(request.user, request.GET.get("region"))
    board = Dashboard(region)
    return render(
        request,
        "insights/dashboard.html",
        {
            "region": region,
            "trail": trail(request.user, region),
            "roots": official_roots(request.user),
            "board": board,
            "sections": board.sections(),
            "charts": board.charts(),
            "today": board.today,
        },
    )


@role_required(Role.OFFICIAL)
def dashboard_export(request):
    region = access_dashboard_region(request.user, request.GET.get("region"))
    board = Dashboard(region)
    audit.record(request, audit.Action.EXPORT, region, detail={"view": "dashboard"})
    sheets = [
        (
            section.title,
            [_("Region"), *section.headers],
            [[row.label, *row.cells] for row in section.rows],
        )
        for section in board.sections()
    ]
    stem = f"dashboard-{region.code}-{board.today:%Y-%m}"
    return xlsx_workbook_response(stem, sheets)


def _prefix(key: str) -> str:
    """Form prefix per opportunity, so every dismiss form on the page has its own ids."""
    return "o-" + key.replace(":", "-")


def _opportunity_page(request, forms=None, status=200):
    found = opportunities.find(request.user)
    forms = forms or {}
    for opportunity in found:
        opportunity.dismiss_form = forms.get(opportunity.key) or DismissForm(
            prefix=_prefix(opportunity.key)
        )
    return render(
        request,
        "insights/opportunities.html",
        {
            "opportunities": found,
            "rules": OpportunityRule.objects.filter(enabled=True).select_related("region"),
            "recent": OpportunityDecision.objects.filter(decided_by=request.user)
            .select_related("rule")
            .order_by("-decided_at")[:10],
            "today": timezone.localdate(),
        },
        status=status,
    )


@role_required(Role.CASEWORKER)
def opportunity_list(request):
    return _opportunity_page(request)


def _the_opportunity(request, key: str):
    opportunity = opportunities.find_one(request.user, key)
    if opportunity is None:
        raise Http404
    return opportunity


@require_POST
@role_required(Role.CASEWORKER)
def opportunity_act(request, key: str):
    opportunity = _the_opportunity(request, key)
    actions.decide(request, opportunity, OpportunityDecision.Action.ACTED)
    return redirect(opportunity.action_url)


@require_POST
@role_required(Role.CASEWORKER)
def opportunity_dismiss(request, key: str):
    opportunity = _the_opportunity(request, key)
    form = DismissForm(request.POST, prefix=_prefix(opportunity.key))
    if not form.is_valid():
        return _opportunity_page(request, {opportunity.key: form}, status=400)
    actions.decide(
        request,
        opportunity,
        OpportunityDecision.Action.DISMISSED,
        form.cleaned_data["reason"],
        form.cleaned_data["note"],
    )
    messages.success(request, _("The opportunity was dismissed; the reason is on record."))
    return redirect("insights:opportunities")
