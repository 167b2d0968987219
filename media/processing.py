"""Turn one uploaded video into published renditions: probe, HLS ladder, MP4 fallback, poster.

The job is safe to run twice and to kill at any moment. It claims the video with a token, writes
into a scratch folder, copies the finished files into a folder of their own in the video store,
and only then, in one database update guarded by its token, points the video at that folder.
Until that update no player can reach any of its files.
"""

import logging
import shutil
import tempfile
import time
import uuid
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

import filetype
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from . import ffmpeg
from .models import Failure, Status, Video, video_storage

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 1.0
MASTER, FALLBACK, POSTER = "master.m3u8", "fallback.mp4", "poster.jpg"


class Rejected(Exception):
    """The input cannot become a video; `failure` says why in the editor's terms."""

    def __init__(self, failure: Failure, detail: str = ""):
        super().__init__(failure)
        self.failure = failure
        self.detail = detail


def process(video_id: int) -> str:
    """Process a video if it still needs it; returns the status it was left in."""
    token = _claim(video_id)
    if token is None:
        return "skipped"
    video = Video.objects.get(pk=video_id)
    work = Path(settings.SCRATCH_ROOT) / f"{video.key}-{token}"
    try:
        with _local_original(video) as source:
            info = _inspect(video, source)
            published = _transcode(video, token, source, info, work)
        return "ready" if published else "superseded"
    except Rejected as rejected:
        _fail(video_id, token, rejected.failure, rejected.detail)
        return "failed"
    except ffmpeg.FfmpegError as error:
        _fail(video_id, token, Failure.CORRUPT, error.detail)
        return "failed"
    except Exception as error:
        logger.exception("processing video %s failed", video_id)
        _fail(video_id, token, Failure.TRANSCODE, repr(error))
        return "failed"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _claim(video_id: int) -> str | None:
    """Take the video for this job unless it is done, failed, or owned by a live job."""
    fresh_after = timezone.now() - timedelta(seconds=settings.MEDIA_STALE_SECONDS)
    with transaction.atomic():
        video = Video.objects.select_for_update().filter(pk=video_id).first()
        if video is None or video.status in (Status.READY, Status.FAILED):
            return None
        alive = video.heartbeat_at and video.heartbeat_at >= fresh_after
        if video.status == Status.PROCESSING and video.claim and alive:
            return None
        token = uuid.uuid4().hex
        Video.objects.filter(pk=video_id).update(
            status=Status.PROCESSING,
            claim=token,
            heartbeat_at=timezone.now(),
            attempts=video.attempts + 1,
            progress=0,
            failure="",
            failure_detail="",
        )
        return token


def _owned(video_id: int, token: str):
    return Video.objects.filter(pk=video_id, claim=token, status=Status.PROCESSING)


def _fail(video_id: int, token: str, failure: Failure, detail: str) -> None:
    _owned(video_id, token).update(
        status=Status.FAILED, failure=failure, failure_detail=detail[:4000], claim=""
    )


@contextmanager
def _local_original(video: Video):
    """A path to the original on this machine, downloading it from object storage if needed."""
    storage = video_storage()
    try:
        local = Path(storage.path(video.original.name))
    except NotImplementedError:  # object storage has no local path
        local = None
    if local is not None:
        yield local
        return
    with tempfile.NamedTemporaryFile(dir=_scratch_root(), suffix=".source") as copy:
        with storage.open(video.original.name) as remote:
            shutil.copyfileobj(remote, copy, length=1024 * 1024)
        copy.flush()
        yield Path(copy.name)


def _scratch_root() -> Path:
    root = Path(settings.SCRATCH_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def _inspect(video: Video, source: Path) -> ffmpeg.Probe:
    size = source.stat().st_size if source.exists() else 0
    if size == 0:
        raise Rejected(Failure.EMPTY)
    if size > settings.MEDIA_MAX_UPLOAD_MB * 1024 * 1024:
        raise Rejected(Failure.TOO_LARGE)
    try:
        info = ffmpeg.probe(source)
    except ffmpeg.FfmpegError as error:
        kind = filetype.guess_mime(str(source)) or ""
        failure = Failure.CORRUPT if kind.startswith("video/") else Failure.NOT_VIDEO
        raise Rejected(failure, error.detail) from error
    if not info.has_video:
        raise Rejected(Failure.AUDIO_ONLY if info.has_audio else Failure.NOT_VIDEO)
    if info.duration <= 0:
        raise Rejected(Failure.CORRUPT, "no duration")
    if info.duration > settings.MEDIA_MAX_DURATION_SECONDS:
        raise Rejected(Failure.TOO_LONG, f"{info.duration:.0f} s")
    return info


def _transcode(video: Video, token: str, source: Path, info: ffmpeg.Probe, work: Path) -> bool:
    work.mkdir(parents=True, exist_ok=True)
    rungs = ffmpeg.ladder(info.height)
    last_beat = 0.0

    def on_progress(fraction: float) -> bool:
        nonlocal last_beat
        now = time.monotonic()
        if now - last_beat < HEARTBEAT_SECONDS:
            return True
        last_beat = now
        # 95 %: the remux, poster and publishing that follow take the rest.
        percent = int(fraction * 95)
        return bool(_owned(video.pk, token).update(progress=percent, heartbeat_at=timezone.now()))

    ffmpeg.run(ffmpeg.hls_command(source, work, info, rungs), info.duration, on_progress)
    ffmpeg.mp4_fallback(work / "stream_0.m3u8", work / FALLBACK)
    ffmpeg.poster(source, work / POSTER, at_seconds=min(info.duration * 0.1, 5.0))
    _check_playlists(work, len(rungs))
    if not _owned(video.pk, token).update(progress=97, heartbeat_at=timezone.now()):
        return False
    return _publish(video, token, work, info, rungs)


def _check_playlists(work: Path, variants: int) -> None:
    """Every variant playlist is complete and every segment it names exists."""
    for i in range(variants):
        playlist = work / f"stream_{i}.m3u8"
        lines = playlist.read_text().splitlines()
        if "#EXT-X-ENDLIST" not in lines:
            raise ffmpeg.FfmpegError(f"{playlist.name} is incomplete")
        for line in lines:
            if line and not line.startswith("#") and not (work / line).is_file():
                raise ffmpeg.FfmpegError(f"{playlist.name} names a missing segment {line}")


def _publish(video: Video, token: str, work: Path, info: ffmpeg.Probe, rungs) -> bool:
    storage = video_storage()
    folder = f"{video.key}/{token}"
    for path in sorted(work.iterdir()):
        with path.open("rb") as handle:
            storage.save(f"{folder}/{path.name}", File(handle, name=path.name))
    renditions = [
        {"height": rung.height, "video_kbps": rung.video_kbps, "playlist": f"stream_{i}.m3u8"}
        for i, rung in enumerate(rungs)
    ]
    published = _owned(video.pk, token).update(
        status=Status.READY,
        progress=100,
        claim="",
        rendition_dir=token,
        renditions=renditions,
        duration=info.duration,
        width=info.width,
        height=info.height,
        has_audio=info.has_audio,
        processed_at=timezone.now(),
    )
    if not published:
        _delete_folder(storage, folder)
        return False
    remove_unpublished(video.pk)
    return True


def remove_unpublished(video_id: int) -> None:
    """Delete rendition folders the video no longer points at (earlier runs, killed jobs)."""
    video = Video.objects.filter(pk=video_id).first()
    if video is None:
        return
    storage = video_storage()
    try:
        folders, _files = storage.listdir(str(video.key))
    except FileNotFoundError:
        return
    keep = {"original", "captions", video.rendition_dir}
    for folder in folders:
        if folder not in keep and not (video.status == Status.PROCESSING and folder == video.claim):
            _delete_folder(storage, f"{video.key}/{folder}")


def _delete_folder(storage, folder: str) -> None:
    try:
        _subfolders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    with suppress(NotImplementedError, OSError):
        Path(storage.path(folder)).rmdir()
