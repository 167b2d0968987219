"""Supervisee records: list, detail, registration, edits, level changes, accounts, exports."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import actions, audit
from portal.access import (
    access_manage_supervisee,
    access_supervisee,
    can_manage_supervisee,
    offices_managed_by,
    sees_full_identity,
)
from portal.exports import csv_response, xlsx_response
from portal.forms import LevelChangeForm, SuperviseeFilterForm, SuperviseeForm, ViolationForm
from portal.models import Role, Supervisee
from portal.privacy import person_view

from .decorators import role_required

PEOPLE_ROLES = (Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER)


def _scoped_list(request):
    form = SuperviseeFilterForm(request.GET or None)
    queryset = form.apply(
        Supervisee.objects.in_scope_of(request.user).select_related(
            "judicial_office__parent", "home_township"
        )
    )
    return form, queryset


@role_required(*PEOPLE_ROLES)
def supervisee_list(request):
    form, queryset = _scoped_list(request)
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    audit.record_many(request, audit.Action.LIST, page.object_list)
    rows = [(s, person_view(request.user, s, in_scope=True)) for s in page.object_list]
    return render(
        request,
        "portal/supervisee_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "can_register": offices_managed_by(request.user).exists(),
            "query": request.GET.urlencode(),
        },
    )


EXPORT_HEADER = [
    gettext_lazy("Record number"),
    gettext_lazy("Name"),
    gettext_lazy("Gender"),
    gettext_lazy("Age"),
    gettext_lazy("Minor"),
    gettext_lazy("Home township"),
    gettext_lazy("Judicial office"),
    gettext_lazy("Sentence type"),
    gettext_lazy("Supervision level"),
    gettext_lazy("Offence category"),
    gettext_lazy("Supervision start"),
    gettext_lazy("Planned end"),
    gettext_lazy("Status"),
]


@role_required(*PEOPLE_ROLES)
def supervisee_export(request, fmt: str):
    _form, queryset = _scoped_list(request)
    supervisees = list(queryset)
    audit.record_many(request, audit.Action.EXPORT, supervisees, detail={"format": fmt})
    rows = []
    for s in supervisees:
        view = person_view(request.user, s, in_scope=True)
        rows.append(
            [
                s.pk,
                view.name,
                view.gender,
                view.age,
                _("yes") if s.is_minor else _("no"),
                view.township,
                s.judicial_office.name,
                s.get_sentence_type_display(),
                s.get_supervision_level_display(),
                view.offence,
                s.supervision_start.isoformat(),
                s.planned_end.isoformat(),
                s.get_status_display(),
            ]
        )
    header = [str(h) for h in EXPORT_HEADER]
    if fmt == "xlsx":
        return xlsx_response("supervisees", _("Supervisees"), header, rows)
    return csv_response("supervisees", header, rows)


@role_required(*PEOPLE_ROLES)
def supervisee_detail(request, pk: int):
    supervisee = access_supervisee(request.user, pk)
    audit.record(request, audit.Action.VIEW, supervisee)
    return render(
        request,
        "portal/supervisee_detail.html",
        {
            "supervisee": supervisee,
            "person": person_view(request.user, supervisee, in_scope=True),
            "can_manage": can_manage_supervisee(request.user, supervisee),
            "level_changes": supervisee.level_changes.select_related("changed_by")[:20],
            "team": supervisee.team.all(),
            "violations": supervisee.violations.select_related("recorded_by"),
        },
    )


@role_required(Role.CASEWORKER)
def supervisee_create(request):
    if not offices_managed_by(request.user).exists():
        raise Http404
    form = SuperviseeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        supervisee = actions.register_supervisee(request, form)
        messages.success(request, _("The supervisee was registered."))
        return redirect("supervisee_detail", pk=supervisee.pk)
    return render(request, "portal/supervisee_form.html", {"form": form, "creating": True})


@role_required(Role.CASEWORKER)
def supervisee_edit(request, pk: int):
    supervisee = access_manage_supervisee(request.user, pk)
    form = SuperviseeForm(
        request.POST or None, request.FILES or None, instance=supervisee, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        actions.update_supervisee(request, form)
        messages.success(request, _("The changes were saved."))
        return redirect("supervisee_detail", pk=supervisee.pk)
    return render(
        request,
        "portal/supervisee_form.html",
        {"form": form, "creating": False, "supervisee": supervisee},
    )


@role_required(Role.CASEWORKER)
def supervisee_level(request, pk: int):
    supervisee = access_manage_supervisee(request.user, pk)
    # A proposal opened from an opportunity arrives pre-filled: ?level=…&reason=…
    proposal = {key: request.GET[key] for key in ("level", "reason") if key in request.GET}
    form = LevelChangeForm(
        request.POST or None, current=supervisee.supervision_level, initial=proposal
    )
    if request.method == "POST" and form.is_valid():
        actions.change_supervision_level(
            request, supervisee, form.cleaned_data["level"], form.cleaned_data["reason"]
        )
        messages.success(request, _("The supervision level was changed."))
        return redirect("supervisee_detail", pk=supervisee.pk)
    return render(
        request,
        "portal/supervisee_level.html",
        {"form": form, "supervisee": supervisee, "person": person_view(request.user, supervisee)},
    )


@role_required(Role.CASEWORKER)
def violation_create(request, pk: int):
    supervisee = access_manage_supervisee(request.user, pk)
    form = ViolationForm(request.POST or None, supervisee=supervisee)
    if request.method == "POST" and form.is_valid():
        actions.record_violation(request, supervisee, form)
        messages.success(request, _("The violation was recorded."))
        return redirect("supervisee_detail", pk=supervisee.pk)
    return render(
        request,
        "portal/violation_form.html",
        {"form": form, "supervisee": supervisee, "person": person_view(request.user, supervisee)},
    )


@never_cache
@require_POST
@role_required(Role.CASEWORKER)
def supervisee_account(request, pk: int):
    supervisee = access_manage_supervisee(request.user, pk)
    user, password = actions.create_supervisee_account(request, supervisee)
    return render(
        request,
        "portal/supervisee_account.html",
        {
            "supervisee": supervisee,
            "person": person_view(request.user, supervisee),
            "account": user,
            "password": password,
        },
    )


@role_required(*PEOPLE_ROLES)
def supervisee_photo(request, pk: int):
    supervisee = access_supervisee(request.user, pk)
    if not supervisee.photo or not sees_full_identity(request.user, supervisee, in_scope=True):
        raise Http404
    audit.record(request, audit.Action.VIEW, supervisee, detail={"file": "photo"})
    response = FileResponse(supervisee.photo.open("rb"))
    response["Cache-Control"] = "private, no-store"
    return response
