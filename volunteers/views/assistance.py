"""Assistance logs (帮扶记录) with private attachments, follow-ups, and the social worker's
caseload."""

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db.models import F, Max, Min, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from portal import audit
from portal.access import access_supervisee, has_role
from portal.models import Role, Supervisee
from portal.privacy import person_view
from portal.views.decorators import role_required

from .. import actions
from ..access import access_assistance_log, access_attachment, access_pairing, assisting_since
from ..forms import AssistanceForm
from ..models import AssistanceLog, MentoringSession

WRITERS = (Role.CASEWORKER, Role.SOCIAL_WORKER, Role.MENTOR)


class CappedUpload(FileUploadHandler):
    """Stops reading a request once its files together pass `cap` bytes, instead of spooling
    whatever a client sends to disk before the form can refuse it."""

    def __init__(self, request, cap: int):
        super().__init__(request)
        self.cap, self.seen = cap, 0

    def receive_data_chunk(self, raw_data, start):
        self.seen += len(raw_data)
        if self.seen > self.cap:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def _request_cap() -> int:
    """Five files at the limit, and room for the text fields."""
    return (5 * settings.VOLUNTEERS_ATTACHMENT_MAX_MB + 1) * 1024 * 1024


# The upload handlers must be in place before anything reads the body, the CSRF check
# included; so the check runs inside, once the cap is set (as Django's upload docs describe).
@csrf_exempt
@role_required(*WRITERS)
def assistance_create(request, pk: int):
    supervisee = access_supervisee(request.user, pk)
    since = assisting_since(request.user, supervisee)
    if since is None:
        raise Http404
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > _request_cap():
            limit = settings.VOLUNTEERS_ATTACHMENT_MAX_MB
            messages.error(
                request,
                _("The files together are too large: at most 5 files of %(limit)d MB each.")
                % {"limit": limit},
            )
            return redirect("volunteers:assistance_create", pk=pk)
        request.upload_handlers.insert(0, CappedUpload(request, _request_cap()))
    return _assistance_form(request, supervisee, since)


@csrf_protect
def _assistance_form(request, supervisee, since):
    form = AssistanceForm(
        request.POST or None, request.FILES or None, supervisee=supervisee, since=since
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = data.pop("files")
        try:
            log = actions.log_assistance(request, supervisee, files, **data)
        except actions.Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The assistance was recorded."))
            return redirect("volunteers:assistance_detail", pk=log.pk)
    return render(
        request,
        "volunteers/assistance_form.html",
        {
            "form": form,
            "supervisee": supervisee,
            "person": person_view(request.user, supervisee, in_scope=True),
        },
        status=400 if form.errors else 200,
    )


@role_required(*WRITERS, Role.OFFICIAL)
def assistance_detail(request, pk: int):
    log = access_assistance_log(request.user, pk)
    audit.record(request, audit.Action.VIEW, log.supervisee, detail={"assistance": log.pk})
    person = person_view(request.user, log.supervisee, in_scope=True)
    return render(
        request,
        "volunteers/assistance_detail.html",
        {
            "log": log,
            "person": person,
            # A minor's files only for those who see the minor in full, and the author.
            "attachments": log.attachments.all()
            if not person.masked or log.author_id == request.user.pk
            else [],
            "is_author": log.author_id == request.user.pk,
            "staff": has_role(request.user, Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER),
        },
    )


@role_required(*WRITERS, Role.OFFICIAL)
def attachment(request, pk: int):
    """A private file, streamed after the scope check, never cached, never shown inline."""
    found = access_attachment(request.user, pk)
    audit.record(request, audit.Action.VIEW, found.log, detail={"attachment": found.pk})
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@role_required(*WRITERS)
def follow_up_done(request, kind: str, pk: int):
    if kind == "assistance":
        entry = access_assistance_log(request.user, pk)
    elif kind == "session":
        entry = MentoringSession.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        if entry is None:
            raise Http404
        access_pairing(request.user, entry.pairing_id)
    else:
        raise Http404
    try:
        actions.follow_up_done(request, entry)
    except actions.Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The follow-up is marked done."))
    if kind == "session":
        return redirect("volunteers:workspace")
    if has_role(request.user, Role.SOCIAL_WORKER):
        return redirect("volunteers:caseload")
    return redirect("volunteers:assistance_detail", pk=pk)


@role_required(Role.SOCIAL_WORKER)
def caseload(request):
    """The social worker's caseload: last help given and follow-ups, overdue ones first."""
    today = timezone.localdate()
    mine = Q(assistance_logs__author=request.user)
    open_follow_up = mine & Q(
        assistance_logs__follow_up_due__isnull=False,
        assistance_logs__follow_up_done_on__isnull=True,
    )
    people = (
        Supervisee.objects.on_caseload_of(request.user)
        .filter(status=Supervisee.Status.ACTIVE)
        .select_related("judicial_office__parent", "home_township")
        .annotate(
            last_help=Max("assistance_logs__held_on", filter=mine),
            next_due=Min("assistance_logs__follow_up_due", filter=open_follow_up),
        )
        .order_by(F("next_due").asc(nulls_last=True), "name")
    )
    follow_ups = (
        AssistanceLog.objects.filter(
            author=request.user,
            supervisee__in=people.values("pk"),
            follow_up_due__isnull=False,
            follow_up_done_on__isnull=True,
        )
        .select_related("supervisee__judicial_office__parent", "supervisee__home_township")
        .order_by("follow_up_due", "pk")
    )
    return render(
        request,
        "volunteers/caseload.html",
        {
            "today": today,
            "rows": [(p, person_view(request.user, p, in_scope=True)) for p in people],
            "follow_ups": [
                (
                    log,
                    person_view(request.user, log.supervisee, in_scope=True),
                    log.follow_up_due < today,
                )
                for log in follow_ups
            ],
        },
    )
