"""Every write with side effects in the volunteers app: the pairing lifecycle, sessions,
assistance logs with their attachments, follow-ups and the approval of volunteer hours."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit
from portal.models import Membership, Role, Supervisee
from portal.notify import notify

from .access import (
    approves_for,
    counts_as_volunteer_time,
    is_approved_mentor,
    manages_pairing,
    may_log_assistance,
)
from .models import (
    AssistanceLog,
    Attachment,
    MentoringSession,
    MentorProfile,
    Pairing,
    VolunteerTime,
)

S = Pairing.Status
H = VolunteerTime.HoursStatus


class Refused(Exception):
    """A step that cannot be taken; the message says why, in the user's language."""


def _fit_to_mentor(mentor, supervisee: Supervisee, *, counting: Pairing | None = None) -> None:
    """Raise Refused unless `mentor` may take `supervisee` on now. Run inside a transaction:
    it locks the mentor's profile until the pairing is written."""
    if supervisee.status != Supervisee.Status.ACTIVE:
        raise Refused(_("Only people under supervision are paired with a mentor."))
    if not is_approved_mentor(mentor):
        raise Refused(_("This volunteer has not been approved by the agency."))
    # Locked, so two proposals (or a proposal and a start) cannot both take the last place.
    profile = MentorProfile.objects.select_for_update().filter(user=mentor).first()
    if profile is None:
        raise Refused(_("This volunteer has no mentor profile yet."))
    if supervisee.is_minor and not profile.is_screened:
        raise Refused(
            _("Only a screened mentor (background check, training, agreement) may mentor a minor.")
        )
    taken = Pairing.objects.current().filter(mentor=mentor)
    if counting is not None:
        taken = taken.exclude(pk=counting.pk)
    if taken.count() >= profile.capacity:
        raise Refused(_("This mentor has no room for another mentee."))


ALREADY_PAIRED = gettext_lazy("This mentor is already paired with this person.")


def propose(request, mentor, supervisee: Supervisee, goals: str = "") -> Pairing:
    """The person's caseworker proposes a mentor."""
    if Pairing.objects.current().filter(mentor=mentor, supervisee=supervisee).exists():
        raise Refused(ALREADY_PAIRED)
    try:
        with transaction.atomic():
            _fit_to_mentor(mentor, supervisee)
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
        raise Refused(ALREADY_PAIRED) from exc
    return pairing


def _move(pairing: Pairing, sources: tuple[str, ...], **changes) -> Pairing:
    """Apply `changes` only if the pairing is still in one of `sources`."""
    if not Pairing.objects.filter(pk=pairing.pk, status__in=sources).update(**changes):
        pairing.refresh_from_db()
        raise Refused(
            _("This pairing is “%(status)s” and cannot take this step.")
            % {"status": pairing.get_status_display()}
        )
    pairing.refresh_from_db()
    return pairing


def approve(request, pairing: Pairing) -> Pairing:
    """The responsible agency approves a proposed pairing of a minor."""
    if not approves_for(request.user, pairing.supervisee):
        raise Refused(_("Only the person's responsible agency may approve this pairing."))
    if not pairing.supervisee.is_minor:
        raise Refused(_("Only a minor's pairing needs the agency's approval."))
    with transaction.atomic():
        if not Pairing.objects.filter(
            pk=pairing.pk, status=S.PROPOSED, approved_at__isnull=True
        ).update(approved_by=request.user, approved_at=timezone.now()):
            raise Refused(_("This pairing is no longer waiting for approval."))
        pairing.refresh_from_db()
        audit.record(request, audit.Action.APPROVE, pairing)
    return pairing


def start(
    request, pairing: Pairing, *, goals: str, frequency: str, starts_on: datetime.date
) -> Pairing:
    """The caseworker starts the pairing under an agreement: goals, frequency, start date."""
    if not manages_pairing(request.user, pairing):
        raise Refused(_("Only the person's caseworker may start the pairing."))
    if pairing.supervisee.is_minor and pairing.approved_at is None:
        raise Refused(_("A minor's pairing starts only after the agency has approved it."))
    with transaction.atomic():
        _fit_to_mentor(pairing.mentor, pairing.supervisee, counting=pairing)
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
        raise Refused(_("Only the person's caseworker may close the pairing."))
    if closure == Pairing.Closure.EARLY and not reason.strip():
        raise Refused(_("Give the reason for closing early."))
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
    with transaction.atomic():
        # Locked against a close at the same moment: no session lands on a closed pairing.
        current = Pairing.objects.select_for_update().filter(pk=pairing.pk).first()
        if current is None or current.mentor_id != request.user.pk or current.status != S.ACTIVE:
            raise Refused(_("Sessions are logged by the mentor of an active pairing."))
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
        .select_related("mentor", "supervisee")
    )
    caseworkers_of: dict[int, list] = {}  # by office: many pairings share one
    for pairing in pairings:
        last = pairing.last or pairing.starts_on
        if last is None or last > quiet_since:
            continue
        key = f"pairing:{pairing.pk}:lapse:{last.isoformat()}"
        text = _("No mentoring session has been logged since %(day)s.") % {"day": last.isoformat()}
        link = reverse("volunteers:pairing_detail", args=[pairing.pk])
        office = pairing.supervisee.judicial_office_id
        if office not in caseworkers_of:
            caseworkers_of[office] = list(Membership.objects.users_in(office, Role.CASEWORKER))
        for user in [pairing.mentor, *caseworkers_of[office]]:
            sent += notify(user, key, text, link)
    return sent


def log_assistance(request, supervisee: Supervisee, files=(), **values) -> AssistanceLog:
    """Record help given to a person; the files go to private storage with it."""
    saved: list[Attachment] = []
    try:
        with transaction.atomic():
            # Checked under a lock on the mentor's pairing, so help never lands on a pairing
            # closed at the same moment.
            list(
                Pairing.objects.active()
                .select_for_update()
                .filter(mentor=request.user, supervisee=supervisee)
            )
            if not may_log_assistance(request.user, supervisee):
                raise Refused(_("You cannot record assistance for this person."))
            counted = counts_as_volunteer_time(request.user, supervisee)
            log = AssistanceLog.objects.create(
                supervisee=supervisee,
                author=request.user,
                hours_status=H.PENDING if counted else H.NOT_COUNTED,
                **values,
            )
            for upload in files:
                saved.append(attach(request, log, upload))
            audit.record(request, audit.Action.CREATE, log, detail={"files": len(files)})
    except BaseException:
        for attachment in saved:  # rolled back: nothing refers to these files any more
            attachment.file.delete(save=False)
        raise
    return log


def attach(request, log: AssistanceLog, upload) -> Attachment:
    """Keep a checked upload (see forms.checked_upload) with the log."""
    return Attachment.objects.create(
        log=log,
        file=upload,
        name=upload.name[-200:],
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by=request.user,
    )


def follow_up_done(request, entry: AssistanceLog | MentoringSession) -> None:
    """The author (or the mentor) marks the follow-up of a log or session as done today."""
    if entry.volunteer_id != request.user.pk or not entry.follow_up:
        raise Refused(_("Only the one who recorded it marks the follow-up done."))
    with transaction.atomic():
        open_only = type(entry).objects.filter(pk=entry.pk, follow_up_done_on__isnull=True)
        if not open_only.update(follow_up_done_on=timezone.localdate()):
            raise Refused(_("This follow-up is already done."))
        audit.record(request, audit.Action.UPDATE, entry, detail={"follow_up": "done"})


def decide_hours(
    request, entry: AssistanceLog | MentoringSession, *, approve: bool, reason: str = ""
) -> None:
    """An official of the region approves volunteer time, or refuses it with a reason that the
    volunteer is told."""
    reason = reason.strip()
    if entry.volunteer_id == request.user.pk:
        raise Refused(_("Nobody decides on their own hours."))
    if not approve and not reason:
        raise Refused(_("Give the reason for not approving these hours."))
    with transaction.atomic():
        decided = (
            type(entry)
            .objects.filter(pk=entry.pk, hours_status=H.PENDING)
            .update(
                hours_status=H.APPROVED if approve else H.REJECTED,
                hours_decided_by=request.user,
                hours_decided_at=timezone.now(),
                hours_reason=reason,
            )
        )
        if not decided:
            raise Refused(_("These hours have already been decided."))
        audit.record(
            request,
            audit.Action.APPROVE if approve else audit.Action.UPDATE,
            entry,
            detail={"hours": "approved" if approve else "rejected"},
        )
        if not approve:
            notify(
                get_user_model().objects.get(pk=entry.volunteer_id),
                f"hours:{entry._meta.model_name}:{entry.pk}:rejected",
                _("Hours of %(day)s were not approved: %(reason)s")
                % {"day": entry.held_on.isoformat(), "reason": reason},
                reverse("volunteers:my_hours"),
            )
