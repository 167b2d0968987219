"""Mentor workspace, pairings of a person, the pairing page and session logging."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import audit
from portal.access import access_supervisee, can_manage_supervisee
from portal.models import Role
from portal.privacy import person_view
from portal.views.decorators import role_required

from .. import actions, matching, timeline
from ..access import (
    access_mentor_profile,
    access_pairing,
    approves_for,
    manages_pairing,
    mentors_for,
)
from ..forms import CloseForm, ProfileForm, ProposeForm, ScreeningForm, SessionForm, StartForm
from ..models import MentoringSession, MentorProfile, Pairing

PEOPLE = (Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER)
User = get_user_model()


@role_required(Role.MENTOR)
def workspace(request):
    """The mentor's mentees, each with the last session, on one phone screen."""
    pairings = (
        Pairing.objects.active()
        .filter(mentor=request.user)
        .select_related("supervisee__judicial_office__parent", "supervisee__home_township")
        .annotate(last=Max("sessions__held_on"))
    )
    rows = [(p, person_view(request.user, p.supervisee, in_scope=True)) for p in pairings]
    people = {pairing.pk: person for pairing, person in rows}
    today = timezone.localdate()
    follow_ups = [
        (session, people[session.pairing_id], session.follow_up_due < today)
        for session in MentoringSession.objects.filter(
            pairing__in=people, follow_up_due__isnull=False, follow_up_done_on__isnull=True
        ).order_by("follow_up_due", "pk")
    ]
    return render(request, "volunteers/workspace.html", {"rows": rows, "follow_ups": follow_ups})


@role_required(Role.MENTOR)
def profile(request):
    """The volunteer's own mentor profile; the screening record is the agency's to keep."""
    instance = MentorProfile.objects.filter(user=request.user).first()
    form = ProfileForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.user = request.user
        saved.save()
        form.save_m2m()
        messages.success(request, _("Your profile was saved."))
        return redirect("volunteers:workspace")
    return render(request, "volunteers/profile_form.html", {"form": form, "profile": instance})


@role_required(Role.OFFICIAL)
def mentor_list(request):
    """The agency's volunteers with their screening state."""
    mentors = mentors_for(request.user)
    return render(request, "volunteers/mentor_list.html", {"mentors": mentors})


@role_required(Role.OFFICIAL)
def screening(request, pk: int):
    profile = access_mentor_profile(request.user, pk)
    form = ScreeningForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(request, audit.Action.UPDATE, profile, detail={"screening": True})
        messages.success(request, _("The screening record was saved."))
        return redirect("volunteers:mentor_list")
    return render(request, "volunteers/screening_form.html", {"form": form, "profile": profile})


@role_required(*PEOPLE)
def person_pairings(request, pk: int):
    """The person's pairings and, for the caseworker, the ranked mentor candidates."""
    supervisee = access_supervisee(request.user, pk)
    audit.record(request, audit.Action.VIEW, supervisee, detail={"page": "pairings"})
    return _pairings_page(request, supervisee, ProposeForm(mentors=User.objects.none()))


def _pairings_page(request, supervisee, form, status: int = 200):
    manages = can_manage_supervisee(request.user, supervisee)
    candidates = matching.candidates(supervisee) if manages else []
    return render(
        request,
        "volunteers/person_pairings.html",
        {
            "supervisee": supervisee,
            "person": person_view(request.user, supervisee, in_scope=True),
            "pairings": supervisee.pairings.select_related("mentor"),
            "candidates": candidates,
            "form": form if manages else None,
        },
        status=status,
    )


@require_POST
@role_required(Role.CASEWORKER)
def propose(request, pk: int):
    supervisee = access_supervisee(request.user, pk)
    if not can_manage_supervisee(request.user, supervisee):
        messages.error(request, _("Only the person's caseworker may propose a mentor."))
        return redirect("volunteers:person_pairings", pk=pk)
    offered = [c.user.pk for c in matching.candidates(supervisee)]
    form = ProposeForm(request.POST, mentors=User.objects.filter(pk__in=offered))
    if form.is_valid():
        try:
            pairing = actions.propose(
                request, form.cleaned_data["mentor"], supervisee, form.cleaned_data["goals"]
            )
        except actions.Refused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The mentor was proposed."))
            return redirect("volunteers:pairing_detail", pk=pairing.pk)
    else:
        messages.error(request, _("Choose one of the mentors offered."))
    # The page again, with the goals that were typed.
    return _pairings_page(request, supervisee, form, status=400)


@role_required(Role.MENTOR, *PEOPLE)
def pairing_detail(request, pk: int):
    pairing = access_pairing(request.user, pk)
    return render(
        request,
        "volunteers/pairing_detail.html",
        _pairing_context(request, pairing, StartForm(instance=pairing), CloseForm()),
    )


def _pairing_context(request, pairing, start_form, close_form) -> dict:
    manages = manages_pairing(request.user, pairing)
    is_open = pairing.status != Pairing.Status.CLOSED
    return {
        "pairing": pairing,
        # access_pairing has checked the scope.
        "person": person_view(request.user, pairing.supervisee, in_scope=True),
        "sessions": pairing.sessions.all(),
        "is_mentor": pairing.mentor_id == request.user.pk,
        "can_approve": pairing.status == Pairing.Status.PROPOSED
        and pairing.supervisee.is_minor
        and pairing.approved_at is None
        and approves_for(request.user, pairing.supervisee),
        "start_form": start_form if manages and pairing.status == Pairing.Status.PROPOSED else None,
        "close_form": close_form if manages and is_open else None,
    }


@require_POST
@role_required(Role.CASEWORKER, Role.OFFICIAL)
def pairing_step(request, pk: int, step: str):
    pairing = access_pairing(request.user, pk)
    start_form, close_form = StartForm(instance=pairing), CloseForm()
    try:
        if step == "approve":
            actions.approve(request, pairing)
        elif step == "start":
            start_form = StartForm(request.POST)
            if not start_form.is_valid():
                raise actions.Refused(_("Complete the agreement: goals, frequency, start."))
            actions.start(request, pairing, **start_form.cleaned_data)
        elif step == "close":
            close_form = CloseForm(request.POST)
            if not close_form.is_valid():
                raise actions.Refused(_("Say how the pairing ends."))
            data = close_form.cleaned_data
            actions.close(
                request,
                pairing,
                closure=data["closure"],
                reason=data["closure_reason"],
                exit_notes=data["exit_notes"],
            )
        else:
            raise actions.Refused(_("Unknown step."))
    except actions.Refused as error:
        messages.error(request, str(error))
        # Show the page again with what was typed, so nothing is lost.
        context = _pairing_context(request, pairing, start_form, close_form)
        return render(request, "volunteers/pairing_detail.html", context, status=400)
    messages.success(request, _("Saved."))
    return redirect("volunteers:pairing_detail", pk=pk)


@role_required(Role.MENTOR)
def session_create(request, pk: int):
    pairing = access_pairing(request.user, pk)
    form = SessionForm(request.POST or None, pairing=pairing)
    if request.method == "POST" and form.is_valid():
        try:
            actions.log_session(request, pairing, **form.cleaned_data)
        except actions.Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The session was logged."))
            return redirect("volunteers:workspace")
    return render(
        request,
        "volunteers/session_form.html",
        {
            "form": form,
            "pairing": pairing,
            "person": person_view(request.user, pairing.supervisee, in_scope=True),
        },
    )


@role_required(*PEOPLE)
def person_timeline(request, pk: int):
    """Everything about the person in one chronological list, filterable by kind."""
    supervisee = access_supervisee(request.user, pk)
    audit.record(request, audit.Action.VIEW, supervisee, detail={"page": "timeline"})
    chosen = [kind for kind in request.GET.getlist("kind") if kind in timeline.KINDS]
    return render(
        request,
        "volunteers/timeline.html",
        {
            "supervisee": supervisee,
            "person": person_view(request.user, supervisee, in_scope=True),
            "entries": timeline.entries(supervisee, set(chosen)),
            "kinds": [(value, str(label)) for value, label in timeline.KINDS.items()],
            "chosen": chosen,
        },
    )
