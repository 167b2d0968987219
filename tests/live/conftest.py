"""A live class of the Zaozhuang agency for adults, running now; and no task of a test's event
loop left running after it."""

import asyncio
import datetime

import pytest
from django.utils import timezone

from live.fanout import stop
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


@pytest.fixture(autouse=True)
async def tasks_stopped():
    """What the event loop does when a test ends (cancel every task left, such as the reader of
    a room whose sockets a test abandoned), but repeating the cancellation a task on Redis may
    lose: with a single one the loop's teardown could wait for such a task for ever."""
    yield
    for task in asyncio.all_tasks() - {asyncio.current_task()}:
        await stop(task)
