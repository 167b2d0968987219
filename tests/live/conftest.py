"""A live class of the Zaozhuang agency for adults, running now."""

import datetime

import pytest
from django.utils import timezone

from live.models import LiveClass


def make_class(world, **values) -> LiveClass:
    now = timezone.now()
    data = {
        "title": "法治教育直播课",
        "organiser": world.zz_agency,
        "starts_at": now - datetime.timedelta(minutes=10),
        "ends_at": now + datetime.timedelta(minutes=50),
        "audience": LiveClass.Audience.ADULTS,
        "created_by": world.official,
    }
    data.update(values)
    return LiveClass.objects.create(**data)


@pytest.fixture
def live_class(world) -> LiveClass:
    return make_class(world)
