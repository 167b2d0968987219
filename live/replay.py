"""The make-up lesson (回放补学): when a class with a browser broadcast ends, its runs' segments
are joined without re-encoding into one MP4, which enters the video pipeline like an upload and
becomes a lesson of the class's course, credited like any lesson.

Someone who attended the class live is credited by the replay only for the minutes the live
credit did not already cover, so one class never counts twice.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import ffmpeg
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from courses.models import HourCredit, LessonPage
from media import ffmpeg as media_ffmpeg
from media.actions import submit_video
from media.models import Video, video_storage

from .models import LiveClass

logger = logging.getLogger(__name__)


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


def make_replay(live_class_id: int) -> str:
    """Build the make-up lesson once; safe to run again."""
    live_class = LiveClass.objects.select_related("course").get(pk=live_class_id)
    if live_class.replay_id or live_class.status != LiveClass.Status.ENDED:
        return "skipped"
    segments = recorded_segments(live_class)
    if not segments or live_class.course is None:
        return "nothing"
    Path(settings.SCRATCH_ROOT).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.SCRATCH_ROOT) as scratch:
        work = Path(scratch)
        target = work / "replay.mp4"
        join(segments, target, work)
        minutes = max(1, round(media_ffmpeg.probe(target).duration / 60))
        with transaction.atomic():
            locked = LiveClass.objects.select_for_update().get(pk=live_class.pk)
            if locked.replay_id:
                return "skipped"
            title = _("Replay: %(title)s") % {"title": live_class.title}
            video = Video(title=title, uploaded_by=live_class.created_by)
            with target.open("rb") as handle:
                video.original.save("replay.mp4", File(handle), save=False)
            submit_video(video, live_class.created_by)
            lesson = LessonPage(
                title=title,
                slug=f"replay-{live_class.key.hex[:12]}",
                video=video,
                credited_minutes=minutes,
                body="<p>%s</p>"
                % (
                    _("The recording of the live class of %(day)s.")
                    % {"day": f"{live_class.starts_at:%Y-%m-%d}"}
                ),
            )
            live_class.course.add_child(instance=lesson)
            lesson.save_revision().publish()
            locked.replay = lesson
            locked.save(update_fields=["replay"])
    return "made"


def live_minutes_already_credited(lesson: LessonPage, supervisee) -> int:
    """Minutes the supervisee was credited for attending the class this lesson replays."""
    return (
        HourCredit.objects.filter(
            supervisee=supervisee,
            key__in=[
                f"live:{pk}:{supervisee.pk}"
                for pk in LiveClass.objects.filter(replay=lesson).values_list("pk", flat=True)
            ],
        ).aggregate(total=Sum("minutes"))["total"]
        or 0
    )
