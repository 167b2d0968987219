"""Processing: the ladder, the fallback, the poster, bad inputs, retries and stalled jobs."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from media import actions, ffmpeg, processing
from media.models import Failure, Status, Video, video_storage

from .conftest import make_video

pytestmark = pytest.mark.django_db


def published(video: Video, name: str) -> bytes:
    with video_storage().open(video.published_name(name)) as handle:
        return handle.read()


def test_a_720p_source_gets_a_360p_and_720p_ladder_a_fallback_and_a_poster(sample):
    video = make_video(sample["hd"])
    assert processing.process(video.pk) == "ready"
    video.refresh_from_db()
    assert (video.status, video.progress, video.failure) == (Status.READY, 100, "")
    assert [r["height"] for r in video.renditions] == [360, 720]
    assert video.duration == pytest.approx(3, abs=0.2)
    assert (video.width, video.height, video.has_audio) == (1280, 720, True)

    master = published(video, "master.m3u8").decode()
    assert re.findall(r"RESOLUTION=(\d+x\d+)", master) == ["640x360", "1280x720"]
    assert "mp4a.40.2" in master  # AAC audio
    for i in (0, 1):
        playlist = published(video, f"stream_{i}.m3u8").decode()
        assert "#EXT-X-ENDLIST" in playlist
        durations = [float(d) for d in re.findall(r"#EXTINF:([\d.]+)", playlist)]
        assert durations and max(durations) <= 4.1
        assert sum(durations) == pytest.approx(3, abs=0.2)

    fallback = published(video, "fallback.mp4")
    assert fallback.index(b"moov") < fallback.index(b"mdat")  # faststart
    with video_storage().open(video.published_name("poster.jpg")) as handle:
        poster = Image.open(handle)
        assert poster.format == "JPEG" and poster.size == (1280, 720)
    assert video_storage().exists(video.original.name)  # the original is kept


def test_rungs_never_exceed_the_source(sample):
    video = make_video(sample["small"])
    processing.process(video.pk)
    video.refresh_from_db()
    assert [r["height"] for r in video.renditions] == [360]
    assert [rung.height for rung in ffmpeg.ladder(240)] == [240]
    assert [rung.height for rung in ffmpeg.ladder(1080)] == [360, 720]


def test_a_video_without_sound_is_published_without_an_audio_track(sample):
    video = make_video(sample["silent"])
    assert processing.process(video.pk) == "ready"
    video.refresh_from_db()
    assert video.has_audio is False
    assert "mp4a" not in published(video, "master.m3u8").decode()


@pytest.mark.parametrize(
    ("kind", "failure"),
    [
        ("not_video", Failure.NOT_VIDEO),
        ("truncated", Failure.CORRUPT),
        ("audio", Failure.AUDIO_ONLY),
        ("empty", Failure.EMPTY),
    ],
)
def test_bad_input_ends_failed_with_a_reason_and_other_videos_still_process(sample, kind, failure):
    bad = make_video(sample[kind])
    good = make_video(sample["small"])
    assert processing.process(bad.pk) == "failed"
    assert processing.process(good.pk) == "ready"
    bad.refresh_from_db()
    assert (bad.status, bad.failure, bad.rendition_dir) == (Status.FAILED, failure, "")
    assert bad.failure_message  # the sentence an editor sees
    assert video_storage().exists(bad.original.name)


def test_too_long_and_too_large_sources_fail_with_their_reason(sample, settings):
    settings.MEDIA_MAX_DURATION_SECONDS = 2
    long_one = make_video(sample["small"])
    processing.process(long_one.pk)
    long_one.refresh_from_db()
    assert long_one.failure == Failure.TOO_LONG

    settings.MEDIA_MAX_DURATION_SECONDS = 60
    settings.MEDIA_MAX_UPLOAD_MB = 0
    large = make_video(sample["small"])
    processing.process(large.pk)
    large.refresh_from_db()
    assert large.failure == Failure.TOO_LARGE


def test_failure_reasons_read_in_chinese(sample):
    from django.utils import translation

    video = make_video(sample["audio"])
    processing.process(video.pk)
    video.refresh_from_db()
    with translation.override("zh-hans"):
        assert str(video.failure_message) == "文件只有声音没有画面，请上传视频。"


def test_a_failed_video_can_be_retried_and_then_succeeds(
    sample, settings, django_capture_on_commit_callbacks
):
    settings.FFMPEG_BINARY = "/nonexistent/ffmpeg"
    video = make_video(sample["small"])
    processing.process(video.pk)
    video.refresh_from_db()
    assert video.status == Status.FAILED

    settings.FFMPEG_BINARY = ""
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.retry_video(video) is True
    video.refresh_from_db()
    assert (video.status, video.failure) == (Status.UPLOADED, "")
    assert DBTaskResult.objects.filter(args_kwargs__args=[video.pk]).exists()
    assert processing.process(video.pk) == "ready"
    assert actions.retry_video(video) is False  # only failed videos


def test_processing_twice_is_harmless(sample):
    video = make_video(sample["small"])
    assert processing.process(video.pk) == "ready"
    video.refresh_from_db()
    first = video.rendition_dir
    assert processing.process(video.pk) == "skipped"
    video.refresh_from_db()
    assert video.rendition_dir == first


def test_a_job_owned_by_a_live_worker_is_not_taken_over(sample):
    video = make_video(sample["small"])
    Video.objects.filter(pk=video.pk).update(
        status=Status.PROCESSING, claim="other", heartbeat_at=timezone.now()
    )
    assert processing.process(video.pk) == "skipped"


def test_stalled_jobs_are_requeued_then_given_up(
    sample, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_MAX_ATTEMPTS = 2
    video = make_video(sample["small"])
    old = timezone.now() - timedelta(seconds=settings.MEDIA_STALE_SECONDS + 5)
    Video.objects.filter(pk=video.pk).update(
        status=Status.PROCESSING, claim="dead", heartbeat_at=old, attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.recover_stalled_videos() == 1
    video.refresh_from_db()
    assert (video.status, video.claim) == (Status.UPLOADED, "")
    assert DBTaskResult.objects.filter(args_kwargs__args=[video.pk]).count() == 1

    Video.objects.filter(pk=video.pk).update(
        status=Status.PROCESSING, claim="dead-again", heartbeat_at=old, attempts=2
    )
    assert actions.recover_stalled_videos() == 0
    video.refresh_from_db()
    assert (video.status, video.failure) == (Status.FAILED, Failure.INTERRUPTED)


def test_a_stale_claim_can_be_taken_over_and_its_leftovers_are_removed(sample):
    video = make_video(sample["small"])
    leftover = f"{video.key}/deadbeef/stream_0.m3u8"
    video_storage().save(leftover, ContentFile(b"#EXTM3U\n"))
    old = timezone.now() - timedelta(hours=1)
    Video.objects.filter(pk=video.pk).update(
        status=Status.PROCESSING, claim="deadbeef", heartbeat_at=old
    )
    assert processing.process(video.pk) == "ready"
    assert not video_storage().exists(leftover)
