"""Housekeeping for the directory: overdue referrals, and listings due for re-verification."""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.notify import notify
from search.registry import key_for, schedule

from .actions import operators_of, send_overdue_notices
from .models import Base, stale_before

REMIND_DAYS_BEFORE = 14


def send_reminders(today: datetime.date | None = None) -> int:
    with override(settings.LANGUAGE_CODE):
        sent = send_overdue_notices()
        today = today or timezone.localdate()
        if cache.add(f"resources:verify-reminders:{today.isoformat()}", True, 24 * 3600):
            sent += remind_to_verify(today)
    return sent


def remind_to_verify(today: datetime.date) -> int:
    """Ask operators to re-verify listings about to go stale, and let newly stale ones sink."""
    sent = 0
    for base in Base.objects.filter(status=Base.Status.ACTIVE).stale(
        today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    ):
        text = _("Please check that the listing of %(base)s is still right and confirm it.") % {
            "base": base.name
        }
        link = reverse("resources:operator_base", args=[base.pk])
        for user in operators_of(base):
            sent += notify(user, f"base:{base.pk}:verify:{base.verified_on or 'never'}", text, link)
    # A listing turns stale with no save to announce it: re-rank those that just crossed.
    crossed = Base.objects.filter(
        verified_on__gte=stale_before(today) - datetime.timedelta(days=7),
        verified_on__lt=stale_before(today),
    ).prefetch_related("openings")
    keys = [key_for(base) for base in crossed]
    keys += [key_for(opening) for base in crossed for opening in base.openings.all()]
    if keys:
        schedule(keys)
    return sent
