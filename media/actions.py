"""Use cases of the video pipeline that change state and start work."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Failure, Status, Video
from .tasks import process_video

logger = logging.getLogger(__name__)


def _enqueue_after_commit(video_id: int) -> None:
    transaction.on_commit(lambda: process_video.enqueue(video_id))


def submit_video(video: Video, user=None) -> Video:
    """A new or replaced original (saved by the caller's form): reset processing and queue it."""
    video.original_size = video.original.size
    if user is not None and video.uploaded_by_id is None:
        video.uploaded_by = user
    video.status, video.progress, video.attempts = Status.UPLOADED, 0, 0
    video.failure = video.failure_detail = video.claim = ""
    video.save()
    _enqueue_after_commit(video.pk)
    return video


def retry_video(video: Video) -> bool:
    """Queue a failed video again; the original is still there."""
    updated = Video.objects.filter(pk=video.pk, status=Status.FAILED).update(
        status=Status.UPLOADED, progress=0, attempts=0, failure="", failure_detail="", claim=""
    )
    if updated:
        _enqueue_after_commit(video.pk)
    return bool(updated)


def recover_stalled_videos() -> int:
    """Requeue jobs whose worker died mid-transcode; give up after MEDIA_MAX_ATTEMPTS."""
    before = timezone.now() - timedelta(seconds=settings.MEDIA_STALE_SECONDS)
    requeued = 0
    for video in Video.objects.stalled(before).only("pk", "attempts"):
        with transaction.atomic():
            stalled = Video.objects.stalled(before).filter(pk=video.pk)
            if video.attempts >= settings.MEDIA_MAX_ATTEMPTS:
                stalled.update(status=Status.FAILED, failure=Failure.INTERRUPTED, claim="")
                continue
            if stalled.update(status=Status.UPLOADED, claim="", progress=0):
                _enqueue_after_commit(video.pk)
                requeued += 1
    if requeued:
        logger.warning("requeued %d stalled video job(s)", requeued)
    return requeued
