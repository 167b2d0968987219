"""Demo live classes: one on air for the 枣庄 adults, presented by `official`, and one
tomorrow. Each run of `make run` moves the one on air to now. Idempotent."""

import datetime

from django.db import transaction
from django.utils import timezone

from portal.models import Organisation, User

from .models import LiveClass

ON_AIR = "每月一主题：遵纪守法（直播）"
TOMORROW = "就业政策解读（直播）"


@transaction.atomic
def load() -> None:
    official = User.objects.filter(username="official").first()
    agency = Organisation.objects.filter(name="枣庄市社区矫正管理局").first()
    if official is None or agency is None:
        return
    now = timezone.now().replace(second=0, microsecond=0)
    tomorrow = timezone.localtime(now).replace(hour=10, minute=0) + datetime.timedelta(days=1)
    for title, starts, minutes in (
        (ON_AIR, now - datetime.timedelta(minutes=5), 120),
        (TOMORROW, tomorrow, 60),
    ):
        live_class, _ = LiveClass.objects.update_or_create(
            title=title,
            organiser=agency,
            defaults={
                "starts_at": starts,
                "ends_at": starts + datetime.timedelta(minutes=minutes),
                "audience": LiveClass.Audience.ADULTS,
                "status": LiveClass.Status.LIVE if title == ON_AIR else LiveClass.Status.SCHEDULED,
                "created_by": official,
            },
        )
        live_class.presenters.set([official])
