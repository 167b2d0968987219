"""The presenter's browser broadcast: MediaRecorder chunks (WebM) arrive on the presenter's
socket, one ffmpeg per run turns them into HLS with short segments, and a publisher copies each
finished segment into the video store and the sliding playlist into the cache, from where any
server process hands them to the audience (`views.hls`).

The encoder runs in the process that holds the presenter's socket. Segments keep their names
for good (`live/<class>/<run>/seg_00000.ts` …), so the runs in order are the recording the
make-up lesson is made from (`replay.py`).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from pathlib import Path

import ffmpeg
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from media import ffmpeg as media_ffmpeg
from media.models import video_storage
from portal.access import has_role
from portal.models import Role

from .access import manages
from .models import BroadcastRun, LiveClass

logger = logging.getLogger(__name__)
PLAYLIST = "index.m3u8"
SEGMENT_PATTERN = "seg_%05d.ts"
PUBLISH_INTERVAL = 0.2
STOP_SECONDS = 5
PLAYLIST_CACHE_SECONDS = 120


def playlist_key(run_key: uuid.UUID) -> str:
    return f"live:playlist:{run_key.hex}"


def live_playlist(run_key: uuid.UUID) -> str | None:
    """The sliding playlist of a run on air; None once it has been off air for a while."""
    return cache.get(playlist_key(run_key))


def encoder_command(out_dir: Path) -> list[str]:
    """WebM from the browser on stdin; H.264/AAC HLS of a fixed picture size, so the runs of
    one class can be joined without re-encoding."""
    segment = settings.LIVE_HLS_SEGMENT_SECONDS
    height = settings.LIVE_BROADCAST_HEIGHT
    width = height * 16 // 9 // 2 * 2
    kbps = settings.LIVE_BROADCAST_VIDEO_KBPS
    source = ffmpeg.input("pipe:0", fflags="+genpts", probesize="256k", analyzeduration="500000")
    picture = (
        source.video.filter("scale", width, height, force_original_aspect_ratio="decrease")
        .filter("pad", width, height, "(ow-iw)/2", "(oh-ih)/2")
        .filter("setsar", 1)
        .filter("fps", 25)
    )
    command = ffmpeg.output(
        picture,
        source.audio,
        str(out_dir / PLAYLIST),
        f="hls",
        hls_time=segment,
        hls_list_size=settings.LIVE_HLS_PLAYLIST_SEGMENTS,
        hls_flags="independent_segments+temp_file",
        hls_segment_filename=str(out_dir / SEGMENT_PATTERN),
        force_key_frames=f"expr:gte(t,n_forced*{segment})",
        sc_threshold=0,
        pix_fmt="yuv420p",
        preset="veryfast",
        tune="zerolatency",
        ac=2,
        ar=44100,
        **{
            "c:v": "libx264",
            "profile:v": "main",
            "b:v": f"{kbps}k",
            "maxrate": f"{kbps * 11 // 10}k",
            "bufsize": f"{kbps}k",
            "c:a": "aac",
            "b:a": "96k",
        },
    )
    return media_ffmpeg.command_line(command)


def segments_in(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


# The encoders running in this process; LIVE_ENCODERS_PER_PROCESS caps them.
running: set[Encoder] = set()


def off_thread(function):
    """Blocking storage and cache calls, on a thread of their own: the process's one thread for
    database work is busy with thousands of sockets, and segments must not wait behind them."""
    return sync_to_async(function, thread_sensitive=False)


class Encoder:
    """One run: start it, feed it chunks, stop it at the end. Publishing never blocks the
    socket; stopping always releases ffmpeg, its tasks and its scratch folder."""

    def __init__(self, run: BroadcastRun, on_air=None) -> None:
        """`on_air`: a coroutine function called once the first playlist is published."""
        self.run = run
        self.on_air = on_air
        self.work = Path(settings.SCRATCH_ROOT) / f"live-{run.key.hex}"
        self.published: set[str] = set()
        self.playlist_stamp = 0.0
        self.errors = bytearray()
        self.process: asyncio.subprocess.Process | None = None
        self.tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        running.add(self)
        self.work.mkdir(parents=True, exist_ok=True)
        self.process = await asyncio.create_subprocess_exec(
            *encoder_command(self.work),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self.tasks = [
            asyncio.create_task(self._publish_loop()),
            asyncio.create_task(self._drain_errors()),
        ]

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def feed(self, chunk: bytes) -> bool:
        """Hand a chunk to ffmpeg; False when ffmpeg has stopped (bad input)."""
        if not self.alive:
            return False
        try:
            self.process.stdin.write(chunk)
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            return False
        return True

    async def stop(self) -> None:
        """End of input: let ffmpeg finish the last segment (a few seconds at most), publish
        what is left, and release everything whatever goes wrong."""
        self.on_air = None  # a run that is stopping never announces itself
        try:
            if self.process is not None:
                if self.process.stdin and not self.process.stdin.is_closing():
                    self.process.stdin.close()
                try:
                    await asyncio.wait_for(self.process.wait(), timeout=STOP_SECONDS)
                except TimeoutError:
                    self.process.kill()
                    await self.process.wait()
                await self._publish(final=True)
        finally:
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            if self.alive:
                self.process.kill()
            if self.process is not None and self.process.returncode not in (0, None):
                logger.warning(
                    "live encoder %s stopped with %s: %s",
                    self.run.key,
                    self.process.returncode,
                    self.errors[-2000:].decode("utf-8", "replace"),
                )
            await off_thread(shutil.rmtree)(self.work, ignore_errors=True)
            running.discard(self)

    async def _drain_errors(self) -> None:
        while chunk := await self.process.stderr.read(4096):
            self.errors.extend(chunk)
            del self.errors[:-8192]

    async def _publish_loop(self) -> None:
        while True:
            await asyncio.sleep(PUBLISH_INTERVAL)
            try:
                await self._publish()
            except Exception:
                logger.exception("publishing live run %s", self.run.key)

    async def _publish(self, final: bool = False) -> None:
        """Every finished segment first (ffmpeg renames a segment into place when it is done,
        so all of them reach the recording even if publishing fell behind), then the playlist
        that names them: a player never sees a name whose file is not there yet."""
        path = self.work / PLAYLIST
        try:
            stamp = path.stat().st_mtime
        except FileNotFoundError:
            return
        if stamp == self.playlist_stamp and not final:
            return
        self.playlist_stamp = stamp
        text = path.read_text()
        for segment in sorted(self.work.glob("seg_*.ts")):
            if segment.name not in self.published:
                await off_thread(self._upload)(segment)
                self.published.add(segment.name)
        await off_thread(cache.set)(playlist_key(self.run.key), text, PLAYLIST_CACHE_SECONDS)
        if self.on_air is not None:
            on_air, self.on_air = self.on_air, None
            await on_air()

    def _upload(self, segment: Path) -> None:
        storage = video_storage()
        target = f"{self.run.folder}/{segment.name}"
        if not storage.exists(target):
            storage.save(target, ContentFile(segment.read_bytes()))


def playlist_url(live_class, run) -> str:
    return reverse("live:hls", args=[live_class.key, run.key, PLAYLIST])


def current_playlist(live_class: LiveClass) -> str:
    """What the audience should play now: the browser broadcast on air (once its first
    playlist is out), else the studio source, else nothing."""
    run = live_class.runs.filter(ended_at__isnull=True).last()
    if run is not None and live_playlist(run.key) is not None:
        return playlist_url(live_class, run)
    return live_class.hls_source_url


@database_sync_to_async
def open_run(user, key: str):
    """A presenter starts broadcasting: a new run, the class on air, any earlier run ended
    (the newest broadcast wins, so a presenter who reconnects simply takes over)."""
    with transaction.atomic():
        live_class = LiveClass.objects.select_for_update().filter(key=key).first()
        if live_class is None or live_class.status == LiveClass.Status.ENDED:
            return None
        if not may_present(user, live_class):
            return None
        now = timezone.now()
        live_class.runs.filter(ended_at__isnull=True).update(ended_at=now)
        if live_class.status == LiveClass.Status.SCHEDULED:
            live_class.status = LiveClass.Status.LIVE
            live_class.save(update_fields=["status"])
        run = BroadcastRun.objects.create(live_class=live_class, started_by=user)
    return live_class, run


@database_sync_to_async
def still_presenting(user, run) -> bool:
    """Re-checked while the broadcast runs: the user may still present, the class is on,
    and no newer run has taken over."""
    current = BroadcastRun.objects.select_related("live_class").filter(pk=run.pk).first()
    fresh = get_user_model().objects.filter(pk=user.pk, is_active=True).first()  # no cached roles
    return (
        current is not None
        and fresh is not None
        and current.ended_at is None
        and current.live_class.status != LiveClass.Status.ENDED
        and may_present(fresh, current.live_class)
    )


def may_present(user, live_class: LiveClass) -> bool:
    """Staff who run the class; a presenter who has since lost the staff role may not."""
    return has_role(user, Role.OFFICIAL, Role.CASEWORKER) and manages(user, live_class)


@database_sync_to_async
def close_run(run) -> bool:
    """End the run and note that its segments are all stored (the make-up lesson waits for
    that); False if it had already ended (a newer run took over, or the class ended)."""
    now = timezone.now()
    ended = BroadcastRun.objects.filter(pk=run.pk, ended_at__isnull=True).update(ended_at=now)
    BroadcastRun.objects.filter(pk=run.pk).update(flushed_at=now)
    return bool(ended)
