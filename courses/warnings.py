"""Warnings near the end of the month to people short of their hours, and their caseworkers."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.models import Membership, Role, Supervisee
from portal.notify import notify

from .calendar import month_end
from .compliance import measures


def send_hour_warnings(today: datetime.date | None = None) -> int:
    """Run by housekeeping: once a day in the last COURSES_WARNING_DAYS days of the month."""
    today = today or timezone.localdate()
    if (month_end(today) - today).days >= settings.COURSES_WARNING_DAYS:
        return 0
    if not cache.add(f"courses:hour-warnings:{today.isoformat()}", True, 24 * 3600):
        return 0
    return warn_short(today)


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}".removesuffix(".0")


def warn_short(today: datetime.date) -> int:
    """Notify each short supervisee and the caseworkers of their office; returns messages sent."""
    supervisees = list(
        Supervisee.objects.active()
        .filter(user__isnull=False)
        .select_related("user", "judicial_office__region")
    )
    month = today.replace(day=1)
    short_by_office: dict[int, int] = defaultdict(int)
    sent = 0
    hours = measures(supervisees, today)
    with override(settings.LANGUAGE_CODE):
        for supervisee in supervisees:
            study, service = hours[supervisee.pk]
            if not (study.missing or service.missing):
                continue
            short_by_office[supervisee.judicial_office_id] += 1
            text = _(
                "This month you still need %(study)s study hours and %(service)s service hours. "
                "Please complete them by %(end)s."
            ) % {
                "study": _hours(study.missing),
                "service": _hours(service.missing),
                "end": month_end(today).strftime("%m-%d"),
            }
            sent += notify(
                supervisee.user, f"hours-short:{month:%Y-%m}", text, reverse("courses:my_hours")
            )
        caseworkers = (
            Membership.objects.active()
            .filter(role=Role.CASEWORKER, organisation_id__in=list(short_by_office))
            .select_related("user")
        )
        link = reverse("courses:compliance") + "?show=short"
        for membership in caseworkers:
            count = short_by_office[membership.organisation_id]
            text = _("%(count)d people in your office are short of their hours this month.") % {
                "count": count
            }
            sent += notify(
                membership.user,
                f"hours-short:{month:%Y-%m}:{membership.organisation_id}",
                text,
                link,
            )
    return sent
