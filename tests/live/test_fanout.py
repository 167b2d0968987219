"""One channel-layer subscription per class per process, local delivery to every socket, and
bursts of poll results coalesced into the latest."""

import asyncio
import contextlib
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer

from live.fanout import Room, hub
from tests.live.conftest import make_class
from tests.live.test_socket import frame, socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_many_sockets_share_one_subscription(world):
    live_class = await sync_to_async(make_class)(world)
    listeners = [await socket(live_class, world.supervisee_user) for _ in range(5)]
    speaker = await socket(live_class, world.official)
    for communicator in [*listeners, speaker]:
        await frame(communicator)
    layer = get_channel_layer()
    assert hub().listeners(live_class.group) == 6
    if isinstance(layer, InMemoryChannelLayer):
        assert len(layer.groups[live_class.group]) == 1  # one member: this process's room

    await speaker.send_to(text_data=json.dumps({"type": "chat.send", "text": "大家好"}))
    for communicator in [*listeners, speaker]:
        assert (await frame(communicator))["text"] == "大家好"

    for communicator in [*listeners, speaker]:
        await communicator.disconnect()
    assert hub().listeners(live_class.group) == 0
    if isinstance(layer, InMemoryChannelLayer):
        assert not layer.groups.get(live_class.group)


async def test_a_burst_of_poll_results_is_coalesced(world, settings):
    from portal.models import User
    from tests.conftest import make_supervisee

    settings.LIVE_RATE_BURST = 50
    live_class = await sync_to_async(make_class)(world)
    await sync_to_async(live_class.presenters.add)(world.official)
    presenter = await socket(live_class, world.official)
    await frame(presenter)

    voters = []
    for index in range(8):
        user = await sync_to_async(User.objects.create_user)(f"voter{index}", password="x")
        await sync_to_async(make_supervisee)(
            world.zhongxin_office, world.zhongxin, name=f"投票人{index}", user=user
        )
        voter = await socket(live_class, user)
        await frame(voter)
        voters.append(voter)
    await presenter.send_to(
        text_data=json.dumps({"type": "poll.create", "question": "?", "choices": ["是", "否"]})
    )
    poll = await frame(presenter)
    for voter in voters:
        await frame(voter)
    for voter in voters:
        await voter.send_to(
            text_data=json.dumps({"type": "poll.answer", "id": poll["id"], "choice": 0})
        )
    results = []
    while True:
        try:
            results.append(await frame(presenter))
        except TimeoutError:  # nothing more came
            break
        if results[-1]["counts"] == [8, 0]:
            break
    assert results[-1]["counts"] == [8, 0]
    assert len(results) < 8  # fewer updates than answers
    for communicator in [presenter, *voters]:
        await communicator.disconnect()


async def test_a_room_keeps_reading_after_a_channel_layer_error(monkeypatch):
    from live.fanout import Room

    room = Room("live.test-room")
    real = room.layer.receive
    failures = [ConnectionError("the channel layer went away")]

    async def flaky(channel):
        if failures:
            raise failures.pop()
        return await real(channel)

    monkeypatch.setattr(room.layer, "receive", flaky)

    class Listener:
        def __init__(self):
            self.frames = []

        async def live_frame(self, message):
            self.frames.append(message["text"])

    listener = Listener()
    room.sockets.add(listener)
    await room.open()
    await room.layer.group_send(room.group, {"type": "live.frame", "text": "还在"})
    for _ in range(50):
        if listener.frames:
            break
        await asyncio.sleep(0.05)
    await room.close()
    assert listener.frames == ["还在"] and not failures


async def test_a_room_subscribes_again_when_the_layer_forgot_it(monkeypatch):
    """Members past the layer's group expiry, or all of them after Redis lost its data, are
    forgotten by the layer; the next socket to join the room subscribes it again, and the
    sockets already there hear their class again."""
    from live import fanout

    monkeypatch.setattr(fanout, "RENEW_SECONDS", 0)
    hub, group = fanout.Hub(), "live.test-renewal"
    heard = []

    class Listener:
        def __init__(self, name):
            self.name = name

        async def live_frame(self, message):
            heard.append((self.name, message["text"]))

    first, second = Listener("first"), Listener("second")
    await hub.join(group, first, 1)
    room = hub.rooms[group]
    await room.layer.group_discard(group, room.channel)  # what expiry or data loss does
    await room.layer.group_send(group, {"type": "live.frame", "text": "听不到"})
    await hub.join(group, second, 2)
    await room.layer.group_send(group, {"type": "live.frame", "text": "又听到了"})
    for _ in range(50):
        if len(heard) == 2:
            break
        await asyncio.sleep(0.05)
    await hub.leave(group, first, 1)
    await hub.leave(group, second, 2)
    assert sorted(heard) == [("first", "又听到了"), ("second", "又听到了")]


class LossyLayer(InMemoryChannelLayer):
    """A layer whose receive loses the first cancellation, as redis-py loses one that lands on
    a read whose timeout is expiring (it comes out as a TimeoutError, which is retried)."""

    async def receive(self, channel):
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(3600)
        await asyncio.sleep(3600)


async def test_closing_a_room_ends_its_reader_even_if_a_cancellation_is_lost(monkeypatch):
    monkeypatch.setattr("live.fanout.get_channel_layer", LossyLayer)
    room = Room("live.lossy")
    await room.open()
    await asyncio.sleep(0)  # the reader is waiting on the layer
    await asyncio.wait_for(room.close(), timeout=5)
    assert room.reader.done()
