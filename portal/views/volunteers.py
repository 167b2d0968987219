"""Agency approval of self-registered volunteers."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import actions
from portal.access import access_volunteer_application, volunteer_applications_for
from portal.forms import DecisionForm
from portal.models import Membership, Role

from .decorators import role_required


@role_required(Role.OFFICIAL)
def application_list(request):
    applications = volunteer_applications_for(request.user).order_by("status", "-created_at")
    return render(
        request,
        "portal/volunteer_applications.html",
        {
            "pending": applications.filter(status=Membership.Status.PENDING),
            "decided": applications.exclude(status=Membership.Status.PENDING)[:50],
        },
    )


@require_POST
@role_required(Role.OFFICIAL)
def application_decide(request, pk: int):
    membership = access_volunteer_application(request.user, pk)
    form = DecisionForm(request.POST)
    if membership.status != Membership.Status.PENDING:
        messages.error(request, _("This application has already been decided."))
    elif form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        actions.decide_volunteer_application(
            request, membership, approve, form.cleaned_data["note"]
        )
        messages.success(
            request,
            _("The volunteer was approved.") if approve else _("The application was rejected."),
        )
    else:
        messages.error(request, _("Choose approve or reject."))
    return redirect("volunteer_applications")
