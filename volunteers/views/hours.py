"""Volunteer hours: officials approve them and export the totals; volunteers see their own
and print a service certificate."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import audit
from portal.access import memberships_with_role
from portal.certificates import certificate_pdf
from portal.exports import xlsx_response
from portal.models import Role
from portal.privacy import person_view
from portal.views.decorators import role_required

from .. import actions, hours
from ..access import hours_in_scope
from ..forms import RejectHoursForm
from ..models import AssistanceLog, MentoringSession, VolunteerTime

H = VolunteerTime.HoursStatus
VOLUNTEERS = (Role.MENTOR, Role.SOCIAL_WORKER)


def _year(request) -> int:
    value = request.GET.get("year", "")
    this_year = timezone.localdate().year
    year = int(value) if value.isascii() and value.isdigit() else this_year
    return year if 2000 <= year <= this_year else this_year


# The oldest this many waiting entries are listed at a time.
PENDING_PAGE = 100


def _pending(request) -> list[dict]:
    """The oldest waiting entries of the official's region. A minor the official sees masked
    is described by the kind of help only: free text could name the child or the school."""
    sessions, logs = hours_in_scope(request.user)
    rows = []
    for session in (
        sessions.filter(hours_status=H.PENDING)
        .select_related(
            "logged_by",
            "pairing__supervisee__judicial_office__parent",
            "pairing__supervisee__home_township",
        )
        .order_by("held_on", "pk")[:PENDING_PAGE]
    ):
        person = person_view(request.user, session.pairing.supervisee, in_scope=True)
        topic = session.get_mode_display() if person.masked else session.topic
        rows.append(
            {
                "kind": "session",
                "entry": session,
                "volunteer": session.logged_by,
                "person": person,
                "what": _("Mentoring: %(topic)s") % {"topic": topic},
            }
        )
    for log in (
        logs.filter(hours_status=H.PENDING)
        .select_related(
            "author", "supervisee__judicial_office__parent", "supervisee__home_township"
        )
        .order_by("held_on", "pk")[:PENDING_PAGE]
    ):
        person = person_view(request.user, log.supervisee, in_scope=True)
        kind = log.get_kind_display()
        rows.append(
            {
                "kind": "assistance",
                "entry": log,
                "volunteer": log.author,
                "person": person,
                "what": kind if person.masked else f"{kind}: {log.summary[:80]}",
            }
        )
    rows.sort(key=lambda row: (row["entry"].held_on, row["kind"], row["entry"].pk))
    return rows[:PENDING_PAGE]


@role_required(Role.OFFICIAL)
def review(request):
    """Hours waiting for approval, and the year's totals per volunteer."""
    year = _year(request)
    sessions, logs = hours_in_scope(request.user)
    return render(
        request,
        "volunteers/hours_review.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, 2023, -1),
            "pending": _pending(request),
            "waiting": sessions.filter(hours_status=H.PENDING).count()
            + logs.filter(hours_status=H.PENDING).count(),
            "totals": hours.totals(sessions, logs, *hours.year_bounds(year)),
            "reject_form": RejectHoursForm(),
        },
    )


@require_POST
@role_required(Role.OFFICIAL)
def decide(request, kind: str, pk: int):
    sessions, logs = hours_in_scope(request.user)
    queryset = {"session": sessions, "assistance": logs}.get(kind)
    entry = queryset.filter(pk=pk).first() if queryset is not None else None
    if entry is None:
        raise Http404
    approve = request.POST.get("decision") == "approve"
    try:
        actions.decide_hours(request, entry, approve=approve, reason=request.POST.get("reason", ""))
    except actions.Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Approved.") if approve else _("Marked as not approved."))
    return redirect("volunteers:hours_review")


@role_required(Role.OFFICIAL)
def export(request):
    year = _year(request)
    sessions, logs = hours_in_scope(request.user)
    header = [
        _("Volunteer"),
        _("Entries"),
        _("Approved hours"),
        _("Hours awaiting approval"),
    ]
    rows = [
        [t.volunteer.get_full_name(), t.entries, t.approved_hours, t.pending_hours]
        for t in hours.totals(sessions, logs, *hours.year_bounds(year))
    ]
    audit.record(request, audit.Action.EXPORT, None, detail={"volunteer_hours": year})
    return xlsx_response(f"volunteer-hours-{year}", _("Volunteer hours"), header, rows)


@role_required(*VOLUNTEERS)
def mine(request):
    """The volunteer's own hours of a year, entry by entry, with the decision on each."""
    year = _year(request)
    since, until = hours.year_bounds(year)
    sessions = MentoringSession.objects.filter(logged_by=request.user)
    logs = AssistanceLog.objects.filter(author=request.user)
    entries = sorted(
        [
            *sessions.filter(held_on__range=(since, until)).exclude(hours_status=H.NOT_COUNTED),
            *logs.filter(held_on__range=(since, until)).exclude(hours_status=H.NOT_COUNTED),
        ],
        key=lambda entry: entry.held_on,
        reverse=True,
    )
    found = hours.totals(sessions, logs, since, until)
    return render(
        request,
        "volunteers/my_hours.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, 2023, -1),
            "totals": found[0] if found else None,
            "entries": entries,
        },
    )


def _certificate(volunteer, issuer, year: int, approved_minutes: int) -> HttpResponse:
    """The certificate of `issuer` (an organisation) for the approved hours of a year. Its
    number names both, so the volunteer's own and an agency's differ."""
    number = f"ZY{year}-{volunteer.pk:06d}-{issuer.pk:04d}"
    lines = [
        f"{volunteer.get_full_name()}同志：",
        f"    {year}年度参加社区矫正志愿服务，经审核累计服务 {approved_minutes / 60:.1f} 小时。",
        "    感谢您对社区矫正工作的支持，特发此证明。",
    ]
    pdf = certificate_pdf("志 愿 服 务 证 明", lines, issuer.name, number)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="volunteer-hours-{number}.pdf"'
    return response


@role_required(*VOLUNTEERS)
def my_certificate(request):
    """All the volunteer's approved hours of the year, issued in the name of their group."""
    year = _year(request)
    sessions = MentoringSession.objects.filter(logged_by=request.user)
    logs = AssistanceLog.objects.filter(author=request.user)
    found = hours.totals(sessions, logs, *hours.year_bounds(year))
    if not found or not found[0].approved_minutes:
        messages.error(request, _("No approved hours in %(year)d yet.") % {"year": year})
        return redirect(f"{reverse('volunteers:my_hours')}?year={year}")
    group = next(
        m.organisation for role in VOLUNTEERS for m in memberships_with_role(request.user, role)
    )
    audit.record(request, audit.Action.VIEW, request.user, detail={"certificate": year})
    return _certificate(request.user, group, year, found[0].approved_minutes)


@role_required(Role.OFFICIAL)
def volunteer_certificate(request, pk: int):
    """An official prints the certificate for the hours approved in the official's region."""
    year = _year(request)
    sessions, logs = hours_in_scope(request.user)
    found = [
        t
        for t in hours.totals(sessions, logs, *hours.year_bounds(year))
        if t.volunteer.pk == pk and t.approved_minutes
    ]
    if not found:
        raise Http404
    volunteer = found[0].volunteer
    agency = memberships_with_role(request.user, Role.OFFICIAL)[0].organisation
    audit.record(request, audit.Action.VIEW, volunteer, detail={"certificate": year})
    return _certificate(volunteer, agency, year, found[0].approved_minutes)
