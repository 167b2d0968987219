"""Directory pages: finding openings, matching, referrals, the operator workspace, HSDS files."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

import search
from portal import audit
from portal.access import (
    access_supervisee,
    has_role,
    is_supervisee,
    memberships_with_role,
    region_scope,
)
from portal.exports import csv_response, xlsx_response
from portal.forms import DecisionForm
from portal.models import Role
from portal.views.decorators import role_required
from search.views import facet_links

from . import actions, hsds, matching
from .access import (
    DIRECTORY_STAFF,
    REFERRERS,
    access_base,
    access_opening,
    access_own_base,
    access_own_opening,
    access_referral,
    access_service_log,
    browses_directory,
    may_refer,
)
from .forms import (
    DEFAULT_RADIUS,
    BaseForm,
    DirectoryForm,
    ImportForm,
    OpeningForm,
    ProviderForm,
    RequestForm,
    ServiceLogForm,
    StepForm,
)
from .models import OPEN_STATUSES, Base, Opening, Provider, Referral, ServiceLog, Status
from .privacy import PERSON_RELATED, referred_person, with_people

FINDERS = (*DIRECTORY_STAFF, Role.SUPERVISEE)
REFERRAL_ROLES = (*DIRECTORY_STAFF, Role.BASE_OPERATOR, Role.SUPERVISEE)


def place_of(user) -> tuple[float, float] | None:
    """Where to search from: the person's home township, or the staff member's office."""
    if is_supervisee(user):
        return matching.home_of(user.supervisee)
    memberships = [m for role in DIRECTORY_STAFF for m in memberships_with_role(user, role)]
    for membership in memberships:
        for region in reversed(membership.organisation.region.ancestors(include_self=True)):
            if region.latitude is not None and region.longitude is not None:
                return region.latitude, region.longitude
    return None


@role_required(*FINDERS)
def directory(request):
    """Openings and bases near the viewer, by words, kind, skill and places left."""
    if not browses_directory(request.user):
        raise Http404
    query = request.GET.copy()
    query.setdefault("radius", str(DEFAULT_RADIUS))  # show the distance actually searched
    form = DirectoryForm(query)
    data = form.cleaned_data if form.is_valid() else {}
    kinds = request.GET.getlist("kind")[:10]
    skills = request.GET.getlist("skill")[:10]
    near = place_of(request.user)
    context = {"form": form, "near": near, "kinds": kinds, "skills": skills}
    status = 200
    try:
        results = search.directory(
            data.get("q", ""),
            request.user,
            near=near,
            radius_km=data.get("radius") or DEFAULT_RADIUS,
            kinds=kinds,
            skills=skills,
            open_only=bool(data.get("open_only")),
            sort=data.get("sort") or "relevance",
            page=request.GET.get("page"),
        )
    except search.SearchUnavailable:
        context["error"] = _("Search is unavailable at the moment. Please try again later.")
        status = 503
    else:
        base_params = [
            (name, value)
            for name, value in request.GET.items()
            if name in ("q", "radius", "open_only", "sort")
        ]
        context["results"] = results
        context["facet_links"] = facet_links(base_params, {"kind": kinds, "skill": skills}, results)
        context["page_query"] = urlencode(
            [*base_params, *(("kind", k) for k in kinds), *(("skill", s) for s in skills)]
        )
    return render(request, "resources/directory.html", context, status=status)


@role_required(*FINDERS, Role.BASE_OPERATOR)
def opening_detail(request, pk: int):
    opening = access_opening(request.user, pk)
    own_request = None
    if is_supervisee(request.user):
        own_request = Referral.objects.filter(
            supervisee=request.user.supervisee, opening=opening, status__in=OPEN_STATUSES
        ).first()
    return render(
        request,
        "resources/opening_detail.html",
        {
            "opening": opening,
            "base": opening.base,
            "can_request": browses_directory(request.user) and is_supervisee(request.user),
            "own_request": own_request,
            "form": RequestForm(),
            "is_own": opening.base.operator_id
            in {m.organisation_id for m in memberships_with_role(request.user, Role.BASE_OPERATOR)},
        },
    )


@role_required(*FINDERS, Role.BASE_OPERATOR)
def base_detail(request, pk: int):
    base = access_base(request.user, pk)
    openings = base.openings.listed() if browses_directory(request.user) else base.openings.all()
    return render(
        request,
        "resources/base_detail.html",
        {
            "base": base,
            "openings": openings.prefetch_related("skills"),
        },
    )


@require_POST
@role_required(Role.SUPERVISEE)
def opening_request(request, pk: int):
    opening = access_opening(request.user, pk)
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long."))
        return redirect("resources:opening_detail", pk=pk)
    try:
        actions.request_referral(request, opening, form.cleaned_data["note"])
    except actions.ReferralError as error:
        messages.error(request, str(error))
        return redirect("resources:opening_detail", pk=pk)
    messages.success(
        request, _("Your request was sent to your caseworker, who will refer you to the base.")
    )
    return redirect("resources:my_referrals")


@role_required(Role.SUPERVISEE)
def my_referrals(request):
    referrals = (
        Referral.objects.filter(supervisee=request.user.supervisee)
        .select_related("opening__base", "supervisee")
        .prefetch_related("events")
    )
    rows = [(r, actions.available_steps(request.user, r)) for r in referrals]
    return render(request, "resources/my_referrals.html", {"rows": rows})


@role_required(*DIRECTORY_STAFF)
def match(request, pk: int):
    """Openings ranked for one person, with the reasons; refer from here in one click."""
    supervisee = access_supervisee(request.user, pk)
    audit.record(request, audit.Action.VIEW, supervisee, detail={"page": "match"})
    return render(
        request,
        "resources/match.html",
        {
            "supervisee": supervisee,
            "person": referred_person(request.user, supervisee, in_scope=True),
            "matches": matching.rank(supervisee),
            "referrals": Referral.objects.filter(supervisee=supervisee).select_related(
                "opening__base"
            ),
            "can_refer": may_refer(request.user, supervisee),
            "radius": f"{settings.RESOURCES_MATCH_RADIUS_KM:g}",
        },
    )


@require_POST
@role_required(*REFERRERS)
def refer(request, pk: int, opening_pk: int):
    supervisee = access_supervisee(request.user, pk)
    opening = access_opening(request.user, opening_pk)
    try:
        referral = actions.create_referral(
            request, supervisee, opening, request.POST.get("note", "")[:1000]
        )
    except actions.ReferralError as error:
        messages.error(request, str(error))
        return redirect("resources:match", pk=pk)
    messages.success(
        request, _("Referred to %(opening)s. The base has been told.") % {"opening": opening}
    )
    return redirect("resources:referral_detail", pk=referral.pk)


def _scoped_referrals(request):
    queryset = (
        Referral.objects.in_scope_of(request.user)
        .select_related(*PERSON_RELATED, "opening__base")
        .prefetch_related("supervisee__skills")
    )
    status = request.GET.get("status", "")
    if status == "overdue":
        queryset = queryset.overdue()
    elif status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        queryset = queryset.filter(status=status)
    return queryset, status


@role_required(*DIRECTORY_STAFF, Role.BASE_OPERATOR)
def referral_list(request):
    queryset, status = _scoped_referrals(request)
    referrals = list(queryset[:200])
    audit.record_many(request, audit.Action.LIST, [r.supervisee for r in referrals])
    is_staff = has_role(request.user, *DIRECTORY_STAFF)
    logs = (
        list(
            ServiceLog.objects.filter(
                status=ServiceLog.Status.PENDING,
                referral__in=Referral.objects.in_scope_of(request.user),
            ).select_related(*(f"referral__{p}" for p in PERSON_RELATED), "referral__opening__base")
        )
        if is_staff
        else []
    )
    people = with_people(request.user, [log.referral for log in logs])
    return render(
        request,
        "resources/referral_list.html",
        {
            "rows": with_people(request.user, referrals),
            "status": status,
            "statuses": [("open", _("in progress")), ("overdue", _("overdue")), *Status.choices],
            "overdue_count": Referral.objects.in_scope_of(request.user).overdue().count(),
            "pending_hours": [
                (log, person) for log, (_r, person) in zip(logs, people, strict=True)
            ],
            "is_staff": is_staff,
        },
    )


EXPORT_HEADER = [
    gettext_lazy("Referral"),
    gettext_lazy("Name"),
    gettext_lazy("Opening"),
    gettext_lazy("Base"),
    gettext_lazy("Status"),
    gettext_lazy("Referred"),
    gettext_lazy("Answer due"),
    gettext_lazy("Last change"),
    gettext_lazy("Reason"),
    gettext_lazy("Outcome"),
]


@role_required(*DIRECTORY_STAFF, Role.BASE_OPERATOR)
def referral_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    queryset, _status = _scoped_referrals(request)
    if not has_role(request.user, *DIRECTORY_STAFF):
        # Nothing about a minor goes into a file for another party, not even the masked name.
        queryset = queryset.exclude(supervisee__is_minor=True)
    referrals = list(queryset)
    audit.record_many(
        request, audit.Action.EXPORT, [r.supervisee for r in referrals], detail={"format": fmt}
    )
    rows = [
        [
            r.pk,
            person.name,
            r.opening.title,
            r.opening.base.name,
            r.get_status_display(),
            timezone.localtime(r.sent_at).strftime("%Y-%m-%d %H:%M") if r.sent_at else "",
            timezone.localtime(r.respond_by).strftime("%Y-%m-%d %H:%M") if r.respond_by else "",
            timezone.localtime(r.updated_at).strftime("%Y-%m-%d %H:%M"),
            r.reason,
            r.outcome,
        ]
        for r, person in with_people(request.user, referrals)
    ]
    header = [str(h) for h in EXPORT_HEADER]
    if fmt == "xlsx":
        return xlsx_response("referrals", _("Referrals"), header, rows)
    return csv_response("referrals", header, rows)


@role_required(*REFERRAL_ROLES)
def referral_detail(request, pk: int):
    referral = actions.mark_received(request, access_referral(request.user, pk))
    audit.record(request, audit.Action.VIEW, referral.supervisee, detail={"referral": pk})
    parts = actions.roles_in(request.user, referral)
    person = referred_person(request.user, referral.supervisee)
    # The person's own steps (a request) carry the name as this viewer may see it.
    history = [
        (e, person.name if e.by_id == referral.supervisee.user_id else e.by.get_full_name())
        for e in referral.events.select_related("by")
    ]
    return render(
        request,
        "resources/referral_detail.html",
        {
            "referral": referral,
            "person": person,
            "history": history,
            # A supervisee may open listed openings only.
            "link_opening": referral.opening.is_listed or actions.PERSON not in parts,
            "steps": actions.available_steps(request.user, referral),
            "logs": referral.service_logs.select_related("logged_by", "decided_by"),
            "can_log": actions.OPERATOR in parts
            and referral.opening.kind == Opening.Kind.SERVICE
            and referral.status in (Status.STARTED, Status.COMPLETED),
            "can_decide": actions.CASEWORKER in parts,
        },
    )


@require_POST
@role_required(*REFERRAL_ROLES)
def referral_step(request, pk: int):
    referral = access_referral(request.user, pk)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            actions.perform(
                request, referral, form.cleaned_data["step"], form.cleaned_data["reason"]
            )
        except actions.ReferralError as error:
            messages.error(request, str(error))
        else:
            referral.refresh_from_db()
            messages.success(
                request,
                _("The referral is now “%(status)s”.") % {"status": referral.get_status_display()},
            )
    else:
        messages.error(
            request, _("The reason is too long.") if "reason" in form.errors else _("Unknown step.")
        )
    if is_supervisee(request.user) and referral.supervisee.user_id == request.user.pk:
        return redirect("resources:my_referrals")
    return redirect("resources:referral_detail", pk=pk)


@role_required(Role.BASE_OPERATOR)
def service_log_create(request, pk: int):
    referral = access_referral(request.user, pk)
    if actions.OPERATOR not in actions.roles_in(request.user, referral):
        raise PermissionDenied
    started = referral.events.filter(to_status=Status.STARTED).values_list("at", flat=True).first()
    form = ServiceLogForm(
        request.POST or None, started=timezone.localdate(started) if started else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.log_service(request, referral, **form.cleaned_data)
        except actions.ReferralError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The hours were sent to the caseworker for approval."))
            return redirect("resources:referral_detail", pk=pk)
    return render(
        request,
        "resources/service_log_form.html",
        {
            "form": form,
            "referral": referral,
            "person": referred_person(request.user, referral.supervisee),
        },
    )


@require_POST
@role_required(Role.CASEWORKER)
def service_log_decide(request, pk: int):
    log = access_service_log(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            actions.decide_service(
                request, log, form.cleaned_data["decision"] == "approve", form.cleaned_data["note"]
            )
        except actions.ReferralError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The decision was recorded."))
    else:
        messages.error(request, _("Choose approve or reject."))
    return redirect("resources:referral_detail", pk=log.referral_id)


# --- The operator workspace ------------------------------------------------------------------


@role_required(Role.BASE_OPERATOR)
def operator_home(request):
    bases = list(
        Base.objects.operated_by(request.user).select_related("region").prefetch_related("openings")
    )
    referrals = (
        Referral.objects.for_operator(request.user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("supervisee", "opening__base")
        .prefetch_related("supervisee__skills")
        .order_by("respond_by", "-updated_at")
    )
    return render(
        request,
        "resources/operator_home.html",
        {
            "bases": bases,
            "inbox": with_people(request.user, referrals),
        },
    )


def _operator_org(request):
    memberships = memberships_with_role(request.user, Role.BASE_OPERATOR)
    if not memberships:
        raise PermissionDenied
    return memberships[0].organisation


@role_required(Role.BASE_OPERATOR)
def operator_profile(request):
    """The organisation's public profile, exported as the HSDS organization."""
    organisation = _operator_org(request)
    provider = Provider.objects.filter(organisation=organisation).first()
    form = ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.organisation = organisation
        saved.save()
        audit.record(request, audit.Action.UPDATE, saved)
        messages.success(request, _("The profile was saved."))
        return redirect("resources:operator_home")
    return render(
        request, "resources/provider_form.html", {"form": form, "organisation": organisation}
    )


@role_required(Role.BASE_OPERATOR)
def operator_base(request, pk: int | None = None):
    base = access_own_base(request.user, pk) if pk else None
    operator = base.operator if base else _operator_org(request)
    form = BaseForm(request.POST or None, instance=base, operator=operator)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if base is None:
                saved.operator = operator
                Provider.objects.get_or_create(
                    organisation=saved.operator, defaults={"description": saved.operator.name}
                )
            # Saving the profile is itself a check that it is right.
            saved.verified_on = timezone.localdate()
            saved.verified_by = request.user
            saved.save()
            audit.record(
                request, audit.Action.CREATE if base is None else audit.Action.UPDATE, saved
            )
        messages.success(request, _("The base was saved."))
        return redirect("resources:operator_home")
    return render(request, "resources/base_form.html", {"form": form, "base": base})


@require_POST
@role_required(Role.BASE_OPERATOR)
def operator_base_verify(request, pk: int):
    base = access_own_base(request.user, pk)
    actions.verify_base(request, base)
    messages.success(request, _("Thank you: the listing is marked as checked today."))
    return redirect("resources:operator_home")


@role_required(Role.BASE_OPERATOR)
def operator_opening(request, pk: int | None = None, base_pk: int | None = None):
    opening = access_own_opening(request.user, pk) if pk else None
    base = opening.base if opening else access_own_base(request.user, base_pk)
    form = OpeningForm(request.POST or None, instance=opening)
    if request.method == "POST" and form.is_valid():
        actions.save_opening(request, form, base)
        messages.success(request, _("The opening was saved."))
        return redirect("resources:operator_home")
    return render(
        request, "resources/opening_form.html", {"form": form, "opening": opening, "base": base}
    )


# --- HSDS files -------------------------------------------------------------------------------


@role_required(*DIRECTORY_STAFF)
def hsds_export(request):
    """The bases in the viewer's area as HSDS 3, the same area an official may import."""
    scope = region_scope(request.user, "region__path", *DIRECTORY_STAFF)
    data = hsds.export_directory(Base.objects.filter(scope))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="directory-hsds-{timezone.localdate():%Y%m%d}.json"'
    )
    return response


@role_required(Role.OFFICIAL)
def hsds_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            data = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            form.add_error("file", _("This is not a JSON file."))
        else:
            region = memberships_with_role(request.user, Role.OFFICIAL)[0].organisation.region
            report = hsds.import_directory(data, user=request.user, allowed_region=region)
            if not report.errors:
                audit.record(
                    request,
                    audit.Action.CREATE,
                    object_type="resources.hsds_import",
                    detail={"created": report.created, "updated": report.updated},
                )
    return render(request, "resources/hsds_import.html", {"form": form, "report": report})
