"""Every write with side effects in the directory: referrals and their steps, slots, service hours.

A referral moves only along `TRANSITIONS`. Each step is one conditional UPDATE (the row must
still be in a state the step starts from), so two people acting at once can never both move it,
and an accepted person takes a place with one conditional UPDATE of the opening, so concurrent
acceptances never overbook.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from courses import ledger
from courses.models.ledger import Source
from portal import audit
from portal.access import can_manage_supervisee
from portal.models import Membership, Role, Supervisee
from portal.notify import notify
from search.registry import key_for, schedule

from .access import is_operator_of, may_refer
from .models import (
    Base,
    Opening,
    Referral,
    ReferralEvent,
    ServiceLog,
    Status,
    held_places,
)


class ReferralError(Exception):
    """A step that cannot be taken; the message says why, in the user's language."""


class OpeningFull(ReferralError):
    """No place is left on the opening."""


CASEWORKER, OPERATOR, REFERRER, PERSON = "caseworker", "operator", "referrer", "person"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    actors: frozenset[str]
    needs_reason: bool = False

    @property
    def cautious(self) -> bool:
        """Steps that close the door on the person, shown less prominently."""
        return self.target in (Status.DECLINED, Status.WITHDRAWN, Status.ENDED, Status.RETURNED)


def _t(name, label, sources, target, actors, needs_reason=False) -> Transition:
    return Transition(name, label, tuple(sources), target, frozenset(actors), needs_reason)


S = Status
TRANSITIONS = {
    t.name: t
    for t in (
        _t(
            "approve",
            pgettext_lazy("referral step", "approve"),
            [S.REQUESTED],
            S.SENT,
            {CASEWORKER},
        ),
        _t(
            "return",
            pgettext_lazy("referral step", "return"),
            [S.REQUESTED],
            S.RETURNED,
            {CASEWORKER},
            True,
        ),
        _t("receive", pgettext_lazy("referral step", "receive"), [S.SENT], S.RECEIVED, {OPERATOR}),
        _t(
            "accept",
            pgettext_lazy("referral step", "accept"),
            [S.SENT, S.RECEIVED],
            S.ACCEPTED,
            {OPERATOR},
        ),
        _t(
            "decline",
            pgettext_lazy("referral step", "decline"),
            [S.SENT, S.RECEIVED],
            S.DECLINED,
            {OPERATOR},
            True,
        ),
        _t(
            "start",
            pgettext_lazy("referral step", "record the start"),
            [S.ACCEPTED],
            S.STARTED,
            {OPERATOR},
        ),
        _t(
            "complete",
            pgettext_lazy("referral step", "complete"),
            [S.STARTED],
            S.COMPLETED,
            {OPERATOR},
            True,
        ),
        _t(
            "end",
            pgettext_lazy("referral step", "end"),
            [S.ACCEPTED, S.STARTED],
            S.ENDED,
            {OPERATOR, REFERRER},
            True,
        ),
        _t(
            "withdraw",
            pgettext_lazy("referral step", "withdraw"),
            [S.REQUESTED, S.SENT, S.RECEIVED, S.ACCEPTED],
            S.WITHDRAWN,
            {REFERRER, PERSON},
            True,
        ),
    )
}
# Steps after which the place taken at acceptance goes back to the opening.
RELEASES_SLOT = {S.ENDED, S.WITHDRAWN}


def roles_in(user, referral: Referral) -> set[str]:
    """The parts `user` plays in this referral."""
    supervisee = referral.supervisee
    parts = set()
    if can_manage_supervisee(user, supervisee):
        parts |= {CASEWORKER, REFERRER}
    elif may_refer(user, supervisee):
        parts.add(REFERRER)
    if is_operator_of(user, referral.opening.base):
        parts.add(OPERATOR)
    if supervisee.user_id and supervisee.user_id == user.pk:
        parts.add(PERSON)
    return parts


def available_steps(user, referral: Referral) -> list[Transition]:
    parts = roles_in(user, referral)
    steps = [t for t in TRANSITIONS.values() if referral.status in t.sources and t.actors & parts]
    if PERSON in parts and not parts - {PERSON}:
        # A supervisee may only take back a request the caseworker has not yet sent.
        steps = [t for t in steps if referral.status == S.REQUESTED]
    return steps


def add_working_days(moment: datetime.datetime, days: int) -> datetime.datetime:
    """`days` working days (Monday to Friday) after `moment`."""
    result = moment
    while days > 0:
        result += datetime.timedelta(days=1)
        if result.weekday() < 5:
            days -= 1
    return result


def _event(referral: Referral, from_status: str, by, reason: str, at) -> None:
    ReferralEvent.objects.create(
        referral=referral,
        from_status=from_status,
        to_status=referral.status,
        by=by,
        at=at,
        reason=reason,
    )


def _reindex(opening: Opening) -> None:
    """Slot counts change by UPDATE, which sends no signal: bring the listing up to date."""
    schedule([key_for(opening)])


def create_referral(request, supervisee: Supervisee, opening: Opening, note: str = "") -> Referral:
    """A caseworker or social worker sends `supervisee` to `opening`."""
    user = request.user
    if not may_refer(user, supervisee):
        raise ReferralError(_("You cannot refer this person."))
    return _open(request, supervisee, opening, note, status=S.SENT)


def request_referral(request, opening: Opening, note: str = "") -> Referral:
    """A supervisee asks to be referred; the caseworker approves before the base sees it."""
    supervisee = request.user.supervisee
    return _open(request, supervisee, opening, note, status=S.REQUESTED, by_person=True)


def check_referable(supervisee: Supervisee, opening: Opening) -> None:
    """Raise ReferralError unless `supervisee` may be sent to `opening` now."""
    if supervisee.status != Supervisee.Status.ACTIVE:
        raise ReferralError(_("Only people under supervision can be referred."))
    if not opening.is_listed:
        raise ReferralError(_("This opening is not taking people at the moment."))
    if opening.slots_available == 0:
        raise OpeningFull(_("This opening is full."))
    if not opening.base.admits_age(supervisee.age()):
        raise ReferralError(_("This person's age is outside what the base accepts."))


def _open(request, supervisee, opening, note, *, status, by_person=False) -> Referral:
    check_referable(supervisee, opening)
    now = timezone.now()
    referral = Referral(
        supervisee=supervisee,
        opening=opening,
        status=status,
        note=note,
        requested_by_supervisee=by_person,
        created_by=request.user,
        created_at=now,
        updated_at=now,
    )
    if status == S.SENT:
        referral.sent_at = now
        referral.respond_by = add_working_days(now, settings.RESOURCES_RESPONSE_WORKING_DAYS)
    try:
        with transaction.atomic():
            referral.save()
            _event(referral, "", request.user, "", now)
            audit.record(request, audit.Action.CREATE, referral)
            _tell_parties(referral, request.user)
    except IntegrityError as exc:
        raise ReferralError(_("This person already has an open referral to this opening.")) from exc
    return referral


def perform(request, referral: Referral, name: str, reason: str = "") -> Referral:
    """Take step `name` of `referral` as `request.user`; raises ReferralError when not allowed.

    The step, its history entry, the audit record and the in-app notifications commit together.
    """
    step = TRANSITIONS.get(name)
    if step is None:
        raise ReferralError(_("Unknown step."))
    user = request.user
    if step not in available_steps(user, referral):
        if referral.status not in step.sources:
            raise ReferralError(
                _("This referral is “%(status)s”; it cannot be %(step)s.")
                % {"status": referral.get_status_display(), "step": step.label}
            )
        raise ReferralError(_("You cannot %(step)s this referral.") % {"step": step.label})
    reason = reason.strip()
    if step.needs_reason and not reason:
        raise ReferralError(_("Give a reason."))
    now = timezone.now()
    changes = {"status": step.target, "updated_at": now}
    if step.name == "approve":
        # What held when the person asked may not hold any more.
        check_referable(referral.supervisee, referral.opening)
        changes["sent_at"] = now
        changes["respond_by"] = add_working_days(now, settings.RESOURCES_RESPONSE_WORKING_DAYS)
    if step.name == "complete":
        changes["outcome"] = reason
    elif step.needs_reason:
        changes["reason"] = reason
    with transaction.atomic():
        # The referral row is locked first, then the opening's: every step takes them in this
        # order, so steps may wait for each other but never deadlock.
        referral = (
            Referral.objects.select_for_update().select_related("opening").get(pk=referral.pk)
        )
        if referral.status not in step.sources:
            raise ReferralError(
                _("This referral was changed meanwhile and is now “%(status)s”.")
                % {"status": referral.get_status_display()}
            )
        previous = referral.status
        if step.name == "accept":
            _take_slot(referral.opening)
            changes["holds_slot"] = True
        Referral.objects.filter(pk=referral.pk).update(**changes)
        referral.refresh_from_db()
        if step.target in RELEASES_SLOT:
            _give_back_slot(referral)
        _event(referral, previous, user, reason, now)
        audit.record(request, audit.Action.UPDATE, referral, detail={"step": step.name})
        _tell_parties(referral, user)
    return referral


def _take_slot(opening: Opening) -> None:
    if not Base.objects.filter(pk=opening.base_id, status=Base.Status.ACTIVE).exists():
        raise ReferralError(_("This opening is not taking people at the moment."))
    # Conditions on the row itself only: PostgreSQL re-checks them after waiting for a
    # concurrent acceptance, where a join would be answered from the older snapshot.
    taken = Opening.objects.filter(
        pk=opening.pk, status=Opening.Status.OPEN, slots_available__gt=0
    ).update(slots_available=F("slots_available") - 1, updated_at=timezone.now())
    if not taken:
        raise OpeningFull(_("This opening is full: no place is left."))
    _reindex(opening)


def _give_back_slot(referral: Referral) -> None:
    if Referral.objects.filter(pk=referral.pk, holds_slot=True).update(holds_slot=False):
        Opening.objects.filter(pk=referral.opening_id, slots_available__lt=F("slots_total")).update(
            slots_available=F("slots_available") + 1, updated_at=timezone.now()
        )
        _reindex(referral.opening)
        referral.holds_slot = False


def mark_received(request, referral: Referral) -> Referral:
    """The base opened a new referral: it counts as received. Returns the referral as it is now."""
    if referral.status == S.SENT and is_operator_of(request.user, referral.opening.base):
        # Someone else may have moved it on already: then there is nothing to record.
        with contextlib.suppress(ReferralError):
            perform(request, referral, "receive")
        referral.refresh_from_db()
    return referral


# Who hears of each step: the base, the person's caseworkers, whoever made the referral, and
# the person.
NOTIFY = {
    S.REQUESTED: {"caseworkers"},
    S.SENT: {"operators", "person"},
    S.ACCEPTED: {"referrer", "person"},
    S.DECLINED: {"referrer", "person"},
    S.STARTED: {"referrer"},
    S.COMPLETED: {"referrer", "person"},
    S.ENDED: {"referrer", "operators", "person"},
    S.WITHDRAWN: {"operators", "referrer"},
    S.RETURNED: {"person"},
}


def caseworkers_of(supervisee: Supervisee) -> list:
    return Membership.objects.users_in(supervisee.judicial_office_id, Role.CASEWORKER)


def operators_of(base: Base) -> list:
    return Membership.objects.users_in(base.operator_id, Role.BASE_OPERATOR)


def referrers_of(referral: Referral) -> list:
    """Who answers for the referral on the agency's side: whoever made it, or, for a person's
    own request, their caseworkers."""
    if referral.requested_by_supervisee:
        return caseworkers_of(referral.supervisee)
    return [referral.created_by]


def _tell_parties(referral: Referral, by) -> None:
    """Notify the parties of the step just taken, but not the person who took it."""
    audience = NOTIFY.get(referral.status, set())
    opening = referral.opening
    text = _("Referral to “%(opening)s” (%(base)s): %(status)s.") % {
        "opening": opening.title,
        "base": opening.base.name,
        "status": referral.get_status_display(),
    }
    link = reverse("resources:referral_detail", args=[referral.pk])
    users = []
    # A base hears of a referral only once it has been sent there.
    if "operators" in audience and referral.sent_at is not None:
        users += operators_of(opening.base)
    if "caseworkers" in audience:
        users += caseworkers_of(referral.supervisee)
    if "referrer" in audience:
        users += referrers_of(referral)
    person = referral.supervisee.user
    key = f"referral:{referral.pk}:{referral.status}"
    for user in dict.fromkeys(users):
        if user.pk != by.pk and (person is None or user.pk != person.pk):
            notify(user, key, text, link)
    if "person" in audience and person is not None and person.pk != by.pk:
        notify(person, key, text, reverse("resources:my_referrals"))


def send_overdue_notices(now: datetime.datetime | None = None) -> int:
    """Tell the base and the referrer once when a referral passes its answer deadline."""
    sent = 0
    for referral in Referral.objects.overdue(now).select_related(
        "opening__base", "created_by", "supervisee"
    ):
        text = _("The referral to “%(opening)s” is past its answer deadline.") % {
            "opening": referral.opening.title
        }
        link = reverse("resources:referral_detail", args=[referral.pk])
        for user in dict.fromkeys([*operators_of(referral.opening.base), *referrers_of(referral)]):
            sent += notify(user, f"referral:{referral.pk}:overdue", text, link)
    return sent


def log_service(request, referral: Referral, day: datetime.date, minutes: int, note: str):
    """The base records community-service time worked; the caseworker approves it later."""
    if referral.opening.kind != Opening.Kind.SERVICE:
        raise ReferralError(_("Service hours can only be logged for community-service slots."))
    if referral.status not in (S.STARTED, S.COMPLETED):
        raise ReferralError(_("Service hours can be logged once the person has started."))
    try:
        with transaction.atomic():
            log = ServiceLog.objects.create(
                referral=referral, day=day, minutes=minutes, note=note, logged_by=request.user
            )
            audit.record(request, audit.Action.CREATE, log)
    except IntegrityError as exc:
        raise ReferralError(_("Hours for this day have already been logged.")) from exc
    link = reverse("resources:referral_detail", args=[referral.pk])
    text = _("%(base)s logged %(minutes)d minutes of community service to approve.") % {
        "base": referral.opening.base.name,
        "minutes": minutes,
    }
    for user in caseworkers_of(referral.supervisee):
        notify(user, f"service-log:{log.pk}", text, link)
    return log


def decide_service(request, log: ServiceLog, approve: bool, note: str = "") -> ServiceLog:
    """The caseworker approves logged hours into the ledger (as service minutes) or rejects them."""
    if not approve and not note.strip():
        raise ReferralError(_("Give a reason."))
    status = ServiceLog.Status.APPROVED if approve else ServiceLog.Status.REJECTED
    now = timezone.now()
    with transaction.atomic():
        decided = ServiceLog.objects.filter(pk=log.pk, status=ServiceLog.Status.PENDING).update(
            status=status, decided_by=request.user, decided_at=now, decision_note=note.strip()
        )
        if not decided:
            raise ReferralError(_("These hours have already been decided."))
        log.refresh_from_db()
        if approve:
            ledger.credit(
                log.referral.supervisee,
                source=Source.SERVICE,
                minutes=log.minutes,
                day=log.day,
                key=f"service-log:{log.pk}",
                record=log,
                by=request.user,
                note=log.note,
            )
        audit.record(request, audit.Action.APPROVE, log, detail={"approved": approve})
    return log


def save_opening(request, form, base: Base) -> Opening:
    """Save an operator's opening. Places left follow from the total and the places taken,
    counted with the opening locked, so an acceptance at the same moment is never undone."""
    with transaction.atomic():
        opening = form.save(commit=False)
        creating = opening.pk is None
        if creating:
            opening.base = base
            opening.created_by = request.user
            held = 0
        else:
            Opening.objects.select_for_update().filter(pk=opening.pk).first()
            held = held_places(opening)
        opening.slots_available = max(0, opening.slots_total - held)
        opening.save()
        form.save_m2m()
        audit.record(request, audit.Action.CREATE if creating else audit.Action.UPDATE, opening)
    return opening


def verify_base(request, base: Base) -> None:
    """The operator confirms the listing is still right."""
    base.verified_on = timezone.localdate()
    base.verified_by = request.user
    base.save(update_fields=["verified_on", "verified_by", "updated_at"])
    audit.record(request, audit.Action.UPDATE, base, detail={"verified": True})
