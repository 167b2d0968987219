"""Every write with side effects in the volunteers app: the pairing lifecycle and sessions."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit
from portal.models import Membership, Role, Supervisee
from portal.notify import notify

from .access import approves_for, is_approved_mentor, manages_pairing
from .models import MentoringSession, MentorProfile, Pairing

S = Pairing.Status


class PairingError(Exception):
    """A step that cannot be taken; the message says why, in the user's language."""


def _fit_to_mentor(mentor, supervisee: Supervisee, *, counting: Pairing | None = None) -> None:
    """Raise PairingError unless `mentor` may take `supervisee` on now."""
    if supervisee.status != Supervisee.Status.ACTIVE:
        raise PairingError(_("Only people under supervision are paired with a mentor."))
    if not is_approved_mentor(mentor):
        raise PairingError(_("This volunteer has not been approved by the agency."))
    profile = MentorProfile.objects.filter(user=mentor).first()
    if profile is None:
        raise PairingError(_("This volunteer has no mentor profile yet."))
    if supervisee.is_minor and not profile.is_screened:
        raise PairingError(
            _("Only a screened mentor (background check, training, agreement) may mentor a minor.")
        )
    taken = Pairing.objects.current().filter(mentor=mentor)
    if counting is not None:
        taken = taken.exclude(pk=counting.pk)
    if taken.count() >= profile.capacity:
        raise PairingError(_("This mentor has no room for another mentee."))


ALREADY_PAIRED = gettext_lazy("This mentor is already paired with this person.")


def propose(request, mentor, supervisee: Supervisee, goals: str = "") -> Pairing:
    """The person's caseworker proposes a mentor."""
    if Pairing.objects.current().filter(mentor=mentor, supervisee=supervisee).exists():
        raise PairingError(ALREADY_PAIRED)
    _fit_to_mentor(mentor, supervisee)
    try:
        with transaction.atomic():
            pairing = Pairing.objects.create(
                mentor=mentor, supervisee=supervisee, goals=goals, proposed_by=request.user
            )
            audit.record(request, audit.Action.CREATE, pairing)
            if supervisee.is_minor:
                agency = supervisee.judicial_office.parent_id
                for official in Membership.objects.users_in(agency, Role.OFFICIAL):
                    notify(
                        official,
                        f"pairing:{pairing.pk}:approve",
                        _("A mentor was proposed for a minor and needs the agency's approval."),
                        reverse("volunteers:pairing_detail", args=[pairing.pk]),
                    )
    except IntegrityError as exc:  # proposed twice at the same moment
        raise PairingError(ALREADY_PAIRED) from exc
    return pairing


def _move(pairing: Pairing, sources: tuple[str, ...], **changes) -> Pairing:
    """Apply `changes` only if the pairing is still in one of `sources`."""
    if not Pairing.objects.filter(pk=pairing.pk, status__in=sources).update(**changes):
        pairing.refresh_from_db()
        raise PairingError(
            _("This pairing is “%(status)s” and cannot take this step.")
            % {"status": pairing.get_status_display()}
        )
    pairing.refresh_from_db()
    return pairing


def approve(request, pairing: Pairing) -> Pairing:
    """The responsible agency approves a proposed pairing of a minor."""
    if not approves_for(request.user, pairing.supervisee):
        raise PairingError(_("Only the person's responsible agency may approve this pairing."))
    with transaction.atomic():
        pairing = _move(
            pairing, (S.PROPOSED,), approved_by=request.user, approved_at=timezone.now()
        )
        audit.record(request, audit.Action.APPROVE, pairing)
    return pairing


def start(
    request, pairing: Pairing, *, goals: str, frequency: str, starts_on: datetime.date
) -> Pairing:
    """The caseworker starts the pairing under an agreement: goals, frequency, start date."""
    if not manages_pairing(request.user, pairing):
        raise PairingError(_("Only the person's caseworker may start the pairing."))
    if pairing.supervisee.is_minor and pairing.approved_at is None:
        raise PairingError(_("A minor's pairing starts only after the agency has approved it."))
    _fit_to_mentor(pairing.mentor, pairing.supervisee, counting=pairing)
    with transaction.atomic():
        pairing = _move(
            pairing,
            (S.PROPOSED,),
            status=S.ACTIVE,
            goals=goals,
            frequency=frequency,
            starts_on=starts_on,
        )
        audit.record(request, audit.Action.UPDATE, pairing, detail={"step": "start"})
        notify(
            pairing.mentor,
            f"pairing:{pairing.pk}:active",
            _("You have a new mentee. The first meeting is planned for %(day)s.")
            % {"day": starts_on.isoformat()},
            reverse("volunteers:workspace"),
        )
    return pairing


def close(request, pairing: Pairing, *, closure: str, reason: str, exit_notes: str) -> Pairing:
    """The caseworker closes a pairing, as planned or early (with a reason)."""
    if not manages_pairing(request.user, pairing):
        raise PairingError(_("Only the person's caseworker may close the pairing."))
    if closure == Pairing.Closure.EARLY and not reason.strip():
        raise PairingError(_("Give the reason for closing early."))
    with transaction.atomic():
        pairing = _move(
            pairing,
            (S.PROPOSED, S.ACTIVE),
            status=S.CLOSED,
            closure=closure,
            closure_reason=reason.strip(),
            exit_notes=exit_notes.strip(),
            closed_at=timezone.now(),
        )
        audit.record(request, audit.Action.UPDATE, pairing, detail={"step": "close"})
    return pairing


def log_session(request, pairing: Pairing, **values) -> MentoringSession:
    """The mentor logs a meeting of an active pairing."""
    if pairing.mentor_id != request.user.pk or pairing.status != S.ACTIVE:
        raise PairingError(_("Sessions are logged by the mentor of an active pairing."))
    with transaction.atomic():
        session = MentoringSession.objects.create(pairing=pairing, logged_by=request.user, **values)
        audit.record(request, audit.Action.CREATE, session)
    return session


def send_lapse_alerts(today: datetime.date | None = None) -> int:
    """Tell the mentor and the caseworkers once when an active pairing has gone quiet for
    VOLUNTEERS_LAPSE_DAYS days."""
    today = today or timezone.localdate()
    quiet_since = today - datetime.timedelta(days=settings.VOLUNTEERS_LAPSE_DAYS)
    sent = 0
    pairings = (
        Pairing.objects.active()
        .annotate(last=Max("sessions__held_on"))
        .select_related("mentor", "supervisee__judicial_office")
    )
    for pairing in pairings:
        last = pairing.last or pairing.starts_on
        if last is None or last > quiet_since:
            continue
        key = f"pairing:{pairing.pk}:lapse:{last.isoformat()}"
        text = _("No mentoring session has been logged since %(day)s.") % {"day": last.isoformat()}
        link = reverse("volunteers:pairing_detail", args=[pairing.pk])
        caseworkers = Membership.objects.users_in(
            pairing.supervisee.judicial_office_id, Role.CASEWORKER
        )
        for user in [pairing.mentor, *caseworkers]:
            sent += notify(user, key, text, link)
    return sent
