"""The presenter's browser broadcast through the real ASGI router: WebM chunks on the
broadcast socket become HLS segments in the video store and a playlist the audience fetches;
who may broadcast and watch; the limits."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.test import Client

from live import broadcast
from live.consumers import BroadcastConsumer
from live.models import BroadcastRun, LiveClass
from media.models import video_storage
from media.samples import generate_webm
from tests.live.test_socket import frame, socket

pytestmark = pytest.mark.django_db(transaction=True)
CHUNK = 32 * 1024


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    return generate_webm(tmp_path_factory.mktemp("webm") / "camera.webm", seconds=4).read_bytes()


async def send_recording(presenter, data: bytes, pace: float = 0.0) -> None:
    for start in range(0, len(data), CHUNK):
        await presenter.send_to(bytes_data=data[start : start + CHUNK])
        await asyncio.sleep(pace)


def get(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url)


async def test_chunks_become_hls_the_audience_can_fetch(world, live_class, recording):
    await sync_to_async(live_class.presenters.add)(world.caseworker)
    listener = await socket(live_class, world.supervisee_user)
    await frame(listener)
    presenter = await socket(live_class, world.caseworker, path="broadcast/")
    assert (await sync_to_async(LiveClass.objects.get)(pk=live_class.pk)).status == "live"
    assert await listener.receive_nothing(timeout=0.3)  # nothing to play yet

    await send_recording(presenter, recording)
    # The audience is told once the first segment and playlist are published.
    started = json.loads(await listener.receive_from(timeout=15))
    run = await sync_to_async(BroadcastRun.objects.select_related("live_class").get)()
    playlist_url = broadcast.playlist_url(live_class, run)
    assert started == {"type": "live.broadcast", "playlist": playlist_url}
    assert "#EXTM3U" in await sync_to_async(broadcast.live_playlist)(run.key)

    await presenter.disconnect()
    assert await frame(listener) == {"type": "live.broadcast", "playlist": ""}
    await listener.disconnect()
    run = await sync_to_async(BroadcastRun.objects.select_related("live_class").get)()
    assert run.ended_at is not None

    response = await sync_to_async(get)(world.supervisee_user, playlist_url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-cache, private"
    text = response.content.decode()
    names = broadcast.segments_in(text)
    assert "#EXT-X-ENDLIST" in text and len(names) >= 3  # 4 s at 1 s segments
    stored = await sync_to_async(video_storage().listdir)(run.folder)
    assert set(names) <= set(stored[1])
    first = playlist_url.replace("index.m3u8", names[0])
    segment = await sync_to_async(get)(world.supervisee_user, first)
    assert segment.status_code == 200 and segment["Content-Type"] == "video/mp2t"
    assert b"".join(segment.streaming_content)[:1] == b"G"  # MPEG-TS sync byte

    # Another region's official, and names outside the run's files, get 404.
    assert (await sync_to_async(get)(world.jining_official, playlist_url)).status_code == 404
    for name in ("../../etc/passwd", "seg_1.ts", "other.m3u8"):
        wrong = playlist_url.replace("index.m3u8", name)
        assert (await sync_to_async(get)(world.supervisee_user, wrong)).status_code == 404


async def test_only_those_who_run_the_class_broadcast(world, live_class):
    assert await socket(live_class, path="broadcast/") == 4401
    assert await socket(live_class, world.supervisee_user, path="broadcast/") == 4404
    assert await socket(live_class, world.jining_official, path="broadcast/") == 4404
    live_class.status = LiveClass.Status.ENDED
    await sync_to_async(live_class.save)()
    assert await socket(live_class, world.official, path="broadcast/") == 4404
    assert not await sync_to_async(BroadcastRun.objects.exists)()


async def test_oversize_chunks_and_unreadable_media_close_the_socket(world, live_class, settings):
    settings.LIVE_MEDIA_CHUNK_BYTES = 1000
    presenter = await socket(live_class, world.official, path="broadcast/")
    await presenter.send_to(bytes_data=b"x" * 1001)
    assert (await presenter.receive_output(timeout=3))["code"] == 4409
    await presenter.wait()

    settings.LIVE_MEDIA_CHUNK_BYTES = 64 * 1024
    garbage = await socket(live_class, world.official, path="broadcast/")
    for _ in range(100):  # ffmpeg gives up on input it cannot read; the socket says so
        await garbage.send_to(bytes_data=b"not a video " * 5000)
        if not await garbage.receive_nothing(timeout=0.1):
            break
    output = await garbage.receive_output(timeout=3)
    assert output["type"] == "websocket.send" and json.loads(output["text"])["code"] == "media"
    assert (await garbage.receive_output(timeout=3))["code"] == 4422
    await garbage.wait()


@pytest.fixture
def watchful(monkeypatch):
    monkeypatch.setattr(BroadcastConsumer, "RECHECK_SECONDS", 0.05)


async def test_a_newer_broadcast_takes_over(world, live_class, watchful):
    first = await socket(live_class, world.official, path="broadcast/")
    second = await socket(live_class, world.official, path="broadcast/")
    runs = await sync_to_async(list)(BroadcastRun.objects.order_by("pk"))
    assert runs[0].ended_at is not None and runs[1].ended_at is None
    assert (await first.receive_output(timeout=3))["code"] == 4412
    await first.wait()
    await second.disconnect()


async def test_a_presenter_who_loses_the_staff_role_is_cut_off(world, live_class, watchful):
    await sync_to_async(live_class.presenters.add)(world.caseworker)
    presenter = await socket(live_class, world.caseworker, path="broadcast/")
    await sync_to_async(world.caseworker.memberships.all().delete)()
    assert (await presenter.receive_output(timeout=3))["code"] == 4412
    await presenter.wait()


async def test_silence_ending_the_class_and_the_encoder_cap_close_it(
    world, live_class, watchful, settings
):
    settings.LIVE_BROADCAST_IDLE_SECONDS = 0
    silent = await socket(live_class, world.official, path="broadcast/")
    assert (await silent.receive_output(timeout=3))["code"] == 4408
    await silent.wait()

    settings.LIVE_BROADCAST_IDLE_SECONDS = 60
    presenter = await socket(live_class, world.official, path="broadcast/")
    await get_channel_layer().group_send(live_class.group, {"type": "class.end"})
    assert (await presenter.receive_output(timeout=3))["code"] == 4410
    await presenter.wait()

    settings.LIVE_ENCODERS_PER_PROCESS = 0
    assert await socket(live_class, world.official, path="broadcast/") == 4429
