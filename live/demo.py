"""Demo live classes: one on air for the 枣庄 adults, presented by `official`, one tomorrow,
and one held three days ago whose broadcast became a make-up lesson. Each run of `make run`
moves the one on air to now. Idempotent."""

import datetime
import tempfile
from pathlib import Path

from asgiref.sync import async_to_sync
from django.db import transaction
from django.utils import timezone

from courses.models import CoursePage
from media import processing
from media.samples import generate_webm
from portal.models import Organisation, User

from .attendance import end_class
from .broadcast import Encoder
from .models import BroadcastRun, LiveClass
from .replay import make_replay

ON_AIR = "每月一主题：遵纪守法（直播）"
TOMORROW = "就业政策解读（直播）"
HELD = "求职面试技巧（直播）"


def load() -> None:
    _scheduled()
    _held_with_replay()


@transaction.atomic
def _scheduled() -> None:
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


def _held_with_replay() -> None:
    """A class three days ago: a 20-second broadcast through the real encoder, ended, and its
    make-up lesson made and processed now rather than by the worker later."""
    official = User.objects.filter(username="official").first()
    agency = Organisation.objects.filter(name="枣庄市社区矫正管理局").first()
    course = CoursePage.objects.filter(slug="job-skills").first()
    if official is None or agency is None or course is None:
        return
    if LiveClass.objects.filter(title=HELD, organiser=agency).exists():
        return
    starts = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=3)
    live_class = LiveClass.objects.create(
        title=HELD,
        course=course,
        organiser=agency,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=45),
        audience=LiveClass.Audience.ADULTS,
        status=LiveClass.Status.LIVE,
        created_by=official,
    )
    live_class.presenters.set([official])
    run = BroadcastRun.objects.create(live_class=live_class, started_by=official)
    with tempfile.TemporaryDirectory() as work:
        recording = generate_webm(Path(work) / "camera.webm", seconds=20, width=640, height=360)
        async_to_sync(_broadcast)(run, recording.read_bytes())
    BroadcastRun.objects.filter(pk=run.pk).update(
        ended_at=timezone.now(), flushed_at=timezone.now()
    )
    end_class(live_class)
    if make_replay(live_class.pk) == "made":
        live_class.refresh_from_db()
        processing.process(live_class.replay.video_id)


async def _broadcast(run: BroadcastRun, data: bytes) -> None:
    encoder = Encoder(run)
    await encoder.start()
    for start in range(0, len(data), 64 * 1024):
        await encoder.feed(data[start : start + 64 * 1024])
    await encoder.stop()
