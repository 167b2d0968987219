"""The make-up lesson (回放补学): when a class with a browser broadcast ends, its runs' segments
are joined without re-encoding into one MP4, which enters the video pipeline like an upload and
becomes a lesson of the class's course, credited like any lesson.

Someone who attended the class live is credited by the replay only for the minutes the live
credit did not already cover, so one class never counts twice.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from pathlib import Path

import ffmpeg
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import HourCredit, LessonPage
from courses.models.pages import AgeGroup
from media import ffmpeg as media_ffmpeg
from media.actions import submit_video
from media.models import Video, video_storage

from .models import LiveClass

logger = logging.getLogger(__name__)
# A class's recording is made once every run reports its segments stored, or this long after
# the class ended (a server process that died never reports); classes older than the window
# are left alone.
FLUSH_GRACE_SECONDS = 120
REPLAY_WINDOW_DAYS = 7


def recorded_segments(live_class: LiveClass) -> list[str]:
    """Storage names of every published segment, run after run, in order."""
    storage = video_storage()
    names = []
    for run in live_class.runs.select_related("live_class"):
        try:
            files = storage.listdir(run.folder)[1]
        except FileNotFoundError:
            continue
        names += [f"{run.folder}/{name}" for name in sorted(files) if name.endswith(".ts")]
    return names


def join(segments: list[str], target: Path, work: Path) -> None:
    """One MP4 from the segments, streams copied, the index at the front."""
    storage = video_storage()
    listing = work / "segments.txt"
    with listing.open("w") as out:
        for i, name in enumerate(segments):
            local = work / f"{i:06d}.ts"
            with storage.open(name, "rb") as source, local.open("wb") as copy:
                copy.write(source.read())
            out.write(f"file '{local.name}'\n")
    command = ffmpeg.input(str(listing), f="concat", safe=0).output(
        str(target), c="copy", movflags="+faststart", **{"bsf:a": "aac_adtstoasc"}
    )
    media_ffmpeg.run(media_ffmpeg.command_line(command))


def course_fits(live_class: LiveClass) -> bool:
    """The course must admit the class's audience, and a minors' class (whose recording may
    show minors) may only feed a minors-only course."""
    course = live_class.course
    if course is None:
        return False
    if live_class.audience == LiveClass.Audience.MINORS:
        return course.age_group == AgeGroup.MINORS
    return course.age_group in (AgeGroup.ADULTS, AgeGroup.ALL)


def make_replays(now=None) -> int:
    """Housekeeping: make the lessons of ended classes whose recording is complete (every
    run's encoder has stored its segments) or whose encoders had their chance (a process that
    died never says so)."""
    now = now or timezone.now()
    late = now - datetime.timedelta(seconds=FLUSH_GRACE_SECONDS)
    due = (
        LiveClass.objects.filter(
            status=LiveClass.Status.ENDED,
            replay__isnull=True,
            course__isnull=False,
            ended_at__gte=now - datetime.timedelta(days=REPLAY_WINDOW_DAYS),
            runs__isnull=False,
        )
        .exclude(Q(runs__flushed_at__isnull=True) & Q(ended_at__gt=late))
        .distinct()
        .values_list("pk", flat=True)
    )
    return sum(make_replay(pk) == "made" for pk in due)


def make_replay(live_class_id: int) -> str:
    """Build the make-up lesson once. The class row stays locked while it is made, so two
    workers never make it twice; a failure leaves no stored file behind."""
    with transaction.atomic():
        live_class = (
            LiveClass.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("course")
            .filter(pk=live_class_id)
            .first()
        )
        if live_class is None:
            return "busy"
        if live_class.replay_id or live_class.status != LiveClass.Status.ENDED:
            return "skipped"
        segments = recorded_segments(live_class)
        if not segments or not course_fits(live_class):
            return "nothing"
        Path(settings.SCRATCH_ROOT).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=settings.SCRATCH_ROOT) as scratch:
            target = Path(scratch) / "replay.mp4"
            join(segments, target, Path(scratch))
            minutes = max(1, round(media_ffmpeg.probe(target).duration / 60))
            title = _("Replay: %(title)s") % {"title": live_class.title}
            video = Video(title=title, uploaded_by=live_class.created_by)
            with target.open("rb") as handle:
                video.original.save("replay.mp4", File(handle), save=False)
        stored = video.original.name
        try:
            submit_video(video, live_class.created_by)
            lesson = LessonPage(
                title=title,
                slug=f"replay-{live_class.key.hex[:12]}",
                video=video,
                credited_minutes=minutes,
                optional=True,
                body="<p>%s</p>"
                % (
                    _("The recording of the live class of %(day)s.")
                    % {"day": f"{live_class.starts_at:%Y-%m-%d}"}
                ),
            )
            live_class.course.add_child(instance=lesson)
            lesson.save_revision().publish()
            live_class.replay = lesson
            live_class.save(update_fields=["replay"])
        except Exception:
            video_storage().delete(stored)
            raise
    return "made"


def live_minutes_already_credited(lesson: LessonPage, supervisee) -> int:
    """Net minutes the supervisee keeps for attending the class this lesson replays: the live
    credit less any reversal of it."""
    keys = [
        f"live:{pk}:{supervisee.pk}"
        for pk in LiveClass.objects.filter(replay=lesson).values_list("pk", flat=True)
    ]
    if not keys:
        return 0
    return (
        HourCredit.objects.filter(supervisee=supervisee)
        .filter(Q(key__in=keys) | Q(reverses__key__in=keys))
        .aggregate(total=Sum("minutes"))["total"]
        or 0
    )
