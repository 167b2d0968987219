"""One chronological view of what happened with a person: assistance, mentoring, referrals,
study and service credits, supervision level changes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import HourCredit
from portal.models import Supervisee
from resources.models import ReferralEvent

from .models import MentoringSession, Pairing

KINDS = {
    "assistance": gettext_lazy("assistance"),
    "mentoring": gettext_lazy("mentoring"),
    "referral": gettext_lazy("referrals"),
    "hours": gettext_lazy("study and service hours"),
    "level": gettext_lazy("supervision level"),
}


@dataclass(frozen=True)
class Entry:
    at: datetime.datetime
    kind: str
    title: str
    detail: str = ""
    link: str = ""

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def _day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def entries(supervisee: Supervisee, kinds: set[str] | None = None, limit: int = 200) -> list[Entry]:
    """The newest `limit` entries of the chosen kinds (all when `kinds` is empty)."""
    wanted = set(kinds or KINDS) & set(KINDS)
    found: list[Entry] = []
    if "assistance" in wanted:
        for log in supervisee.assistance_logs.select_related("author")[:limit]:
            found.append(
                Entry(
                    _day(log.held_on),
                    "assistance",
                    _("%(kind)s by %(author)s (%(minutes)d min)")
                    % {
                        "kind": log.get_kind_display(),
                        "author": log.author.get_full_name(),
                        "minutes": log.minutes,
                    },
                    log.summary[:200],
                    reverse("volunteers:assistance_detail", args=[log.pk]),
                )
            )
    if "mentoring" in wanted:
        for session in MentoringSession.objects.filter(
            pairing__supervisee=supervisee
        ).select_related("pairing__mentor")[:limit]:
            found.append(
                Entry(
                    _day(session.held_on),
                    "mentoring",
                    _("Mentoring session with %(mentor)s (%(mode)s, %(minutes)d min)")
                    % {
                        "mentor": session.pairing.mentor.get_full_name(),
                        "mode": session.get_mode_display(),
                        "minutes": session.minutes,
                    },
                    session.topic,
                    reverse("volunteers:pairing_detail", args=[session.pairing_id]),
                )
            )
        for pairing in Pairing.objects.filter(supervisee=supervisee).select_related("mentor"):
            found.append(
                Entry(
                    pairing.proposed_at,
                    "mentoring",
                    _("Mentor %(mentor)s proposed") % {"mentor": pairing.mentor.get_full_name()},
                    link=reverse("volunteers:pairing_detail", args=[pairing.pk]),
                )
            )
            if pairing.closed_at:
                found.append(
                    Entry(
                        pairing.closed_at,
                        "mentoring",
                        _("Pairing with %(mentor)s closed (%(closure)s)")
                        % {
                            "mentor": pairing.mentor.get_full_name(),
                            "closure": pairing.get_closure_display(),
                        },
                        pairing.closure_reason or pairing.exit_notes,
                    )
                )
    if "referral" in wanted:
        for event in (
            ReferralEvent.objects.filter(referral__supervisee=supervisee)
            .select_related("referral__opening__base")
            .order_by("-at", "-pk")[:limit]
        ):
            opening = event.referral.opening
            found.append(
                Entry(
                    event.at,
                    "referral",
                    _("Referral to %(opening)s (%(base)s): %(status)s")
                    % {
                        "opening": opening.title,
                        "base": opening.base.name,
                        "status": event.get_to_status_display(),
                    },
                    event.reason,
                    reverse("resources:referral_detail", args=[event.referral_id]),
                )
            )
    if "hours" in wanted:
        for credit in HourCredit.objects.filter(supervisee=supervisee)[:limit]:
            found.append(
                Entry(
                    credit.recorded_at,
                    "hours",
                    _("%(minutes)+d min credited: %(source)s")
                    % {"minutes": credit.minutes, "source": credit.get_source_display()},
                    credit.note,
                )
            )
    if "level" in wanted:
        for change in supervisee.level_changes.all()[:limit]:
            found.append(
                Entry(
                    change.changed_at,
                    "level",
                    _("Supervision level: %(level)s") % {"level": change.get_to_level_display()},
                    change.reason,
                )
            )
    found.sort(key=lambda e: e.at, reverse=True)
    return found[:limit]
