"""A real worker process: it is killed mid-transcode, restarted, and finishes the job."""

import os
import re
import signal

import pytest
from django.test import Client
from django.urls import reverse

from media import actions, samples
from media.models import Status, Video, video_storage
from tests.conftest import wait_for

from .conftest import make_video

pytestmark = pytest.mark.django_db(transaction=True)


def rendition(client: Client, video: Video, rev: str, name: str):
    return client.get(reverse("media:rendition", args=[video.key, rev, name]))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_worker_killed_mid_transcode_leaves_nothing_visible_and_the_job_completes(
    worker_process, tmp_path, django_user_model
):
    source = samples.generate(tmp_path / "long.mp4", seconds=24, width=1280, height=720)
    viewer = Client()
    viewer.force_login(django_user_model.objects.create_user("viewer", password="x"))
    video = actions.submit_video(make_video(source, title="长视频"))
    first = worker_process()

    def in_flight():
        current = Video.objects.get(pk=video.pk)
        return current if current.status == Status.PROCESSING and current.progress >= 5 else None

    killed = wait_for(in_flight, what="the transcode to get going")
    assert killed.progress < 95
    os.kill(first.pid, signal.SIGKILL)
    first.wait()

    # Nothing of the killed job is reachable, whichever folder name is tried.
    killed.refresh_from_db()
    assert (killed.status, killed.rendition_dir) == (Status.PROCESSING, "")
    for name in ("master.m3u8", "stream_0.m3u8", "stream_1.m3u8", "fallback.mp4"):
        assert rendition(viewer, killed, killed.claim, name).status_code == 404

    worker_process()
    seen_claims = {killed.claim}

    def finished():
        current = Video.objects.get(pk=video.pk)
        if current.claim:
            seen_claims.add(current.claim)
        if current.status != Status.READY:
            for claim in seen_claims:
                if rendition(viewer, current, claim, "master.m3u8").status_code != 404:
                    # The job may have been published between the read above and this request;
                    # then only the finished job's own folder may answer.
                    now = Video.objects.get(pk=video.pk)
                    assert (now.status, now.rendition_dir) == (Status.READY, claim)
            return None
        return current

    done = wait_for(finished, timeout=180, what="the restarted worker to finish the video")
    assert done.attempts == 2
    assert done.rendition_dir not in ("", killed.claim)

    master = body(rendition(viewer, done, done.rendition_dir, "master.m3u8")).decode()
    variants = re.findall(r"^(stream_\d\.m3u8)$", master, re.MULTILINE)
    assert variants == ["stream_0.m3u8", "stream_1.m3u8"]
    for variant in variants:
        playlist = body(rendition(viewer, done, done.rendition_dir, variant)).decode()
        assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
        segments = [line for line in playlist.splitlines() if line.endswith(".ts")]
        assert len(segments) >= 6
        for segment in segments:
            response = rendition(viewer, done, done.rendition_dir, segment)
            assert response.status_code == 200 and body(response)[:1] == b"G"  # MPEG-TS sync

    # The killed job's partial folder is cleaned away; the original is kept.
    folders, _files = video_storage().listdir(str(done.key))
    assert sorted(folders) == sorted(["original", done.rendition_dir])
