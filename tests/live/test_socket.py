"""The live-class socket through the real ASGI router: authentication at connect, origin,
audience (minors and adults never mixed), leases, chat and its moderation, frame size and
rate limits, and sockets closed when the user signs out or is deactivated."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from live.leases import renewals
from live.models import ChatMessage, Lease, LiveClass
from portal.asgi import application
from tests.live.conftest import make_class

pytestmark = pytest.mark.django_db(transaction=True)


async def socket(live_class, user=None, origin=b"http://localhost", path: str = ""):
    """A connected communicator (or the close code) for `user`, signed in by cookie, on the
    class socket or the one below it named by `path`."""
    headers = [(b"origin", origin)]
    if user is not None:
        client = Client()
        await sync_to_async(client.force_login)(user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, f"/ws/live/{live_class.key}/{path}", headers)
    connected, code = await communicator.connect()
    return communicator if connected else code


async def frame(communicator) -> dict:
    return json.loads(await communicator.receive_from(timeout=3))


@pytest.fixture
def adults(world):
    return make_class(world)


async def test_only_signed_in_members_of_the_audience_connect(world, adults):
    assert await socket(adults) == 4401
    assert await socket(adults, world.jining_official) == 4404  # another region's official
    minors = await sync_to_async(make_class)(world, audience=LiveClass.Audience.MINORS)
    assert await socket(minors, world.supervisee_user) == 4404  # an adult in a minors' class
    ok = await socket(adults, world.supervisee_user)
    welcome = await frame(ok)
    assert welcome["type"] == "live.welcome" and welcome["you"] == "张三丰"
    await ok.disconnect()


async def test_a_foreign_origin_is_refused(world, adults):
    refused = await socket(adults, world.supervisee_user, origin=b"https://evil.example")
    assert not isinstance(refused, WebsocketCommunicator)


async def test_presence_is_leased_renewed_in_batches_and_closed(world, adults):
    listener = await socket(adults, world.supervisee_user)
    await frame(listener)
    lease = await sync_to_async(Lease.objects.get)()
    assert lease.closed_at is None and lease.supervisee_id == world.adult.pk
    await listener.send_to(text_data=json.dumps({"type": "live.ping"}))
    await listener.send_to(text_data=json.dumps({"type": "live.ping"}))
    await listener.receive_nothing(timeout=0.2)
    assert await renewals.flush() == 1  # both pings, one write
    renewed = await sync_to_async(Lease.objects.get)()
    assert renewed.renewed_at > lease.renewed_at
    await listener.disconnect()
    closed = await sync_to_async(Lease.objects.get)()
    assert closed.closed_at is not None and closed.closed_at >= renewed.renewed_at


async def test_chat_reaches_everyone_and_moderation_works(world, adults):
    await sync_to_async(adults.presenters.add)(world.official)
    presenter = await socket(adults, world.official)
    listener = await socket(adults, world.supervisee_user)
    await frame(presenter), await frame(listener)

    await listener.send_to(text_data=json.dumps({"type": "chat.send", "text": "老师好"}))
    seen = await frame(presenter)
    assert (seen["type"], seen["name"], seen["text"]) == ("chat.message", "张三丰", "老师好")
    assert (await frame(listener))["text"] == "老师好"

    # A participant may not moderate.
    await listener.send_to(text_data=json.dumps({"type": "chat.hide", "id": seen["id"]}))
    assert (await frame(listener))["code"] == "not_moderator"
    await presenter.send_to(text_data=json.dumps({"type": "chat.hide", "id": seen["id"]}))
    assert (await frame(listener)) == {"type": "chat.hidden", "id": seen["id"]}
    await frame(presenter)
    await presenter.send_to(text_data=json.dumps({"type": "chat.mute", "id": seen["id"]}))
    await presenter.receive_nothing(timeout=0.2)
    await listener.send_to(text_data=json.dumps({"type": "chat.send", "text": "再问一句"}))
    assert (await frame(listener))["code"] == "muted"
    assert await sync_to_async(ChatMessage.objects.count)() == 1
    await presenter.disconnect(), await listener.disconnect()


async def test_slow_mode_limits_each_participant(world, adults):
    await sync_to_async(adults.presenters.add)(world.official)
    presenter = await socket(adults, world.official)
    listener = await socket(adults, world.supervisee_user)
    await frame(presenter), await frame(listener)
    await presenter.send_to(text_data=json.dumps({"type": "chat.slow_mode", "seconds": 30}))
    assert (await frame(listener)) == {"type": "chat.slow_mode", "seconds": 30}
    await frame(presenter)
    await listener.send_to(text_data=json.dumps({"type": "chat.send", "text": "第一句"}))
    await frame(listener), await frame(presenter)
    await listener.send_to(text_data=json.dumps({"type": "chat.send", "text": "第二句"}))
    assert (await frame(listener))["code"] == "slow_mode"
    await presenter.disconnect(), await listener.disconnect()


async def test_oversize_frames_and_floods_cut_off_only_the_sender(world, adults, settings):
    settings.LIVE_RATE_BURST, settings.LIVE_RATE_PER_SECOND = 5, 0.1
    calm = await socket(adults, world.official)
    big = await socket(adults, world.supervisee_user)
    await frame(calm), await frame(big)
    await big.send_to(text_data="x" * (settings.LIVE_MESSAGE_BYTES + 1))
    assert (await big.receive_output(timeout=3))["code"] == 4409

    flood = await socket(adults, world.supervisee_user)
    await frame(flood)
    for _ in range(6):
        await flood.send_to(text_data=json.dumps({"type": "live.ping"}))
    assert (await flood.receive_output(timeout=3))["code"] == 4429
    # The calm socket is still there and still answered.
    await calm.send_to(text_data=json.dumps({"type": "nonsense"}))
    assert (await frame(calm))["code"] == "unknown"
    await calm.disconnect()


async def test_signing_out_or_deactivation_closes_the_sockets(world, adults):
    listener = await socket(adults, world.supervisee_user)
    await frame(listener)
    elsewhere = Client()  # the same person signs out in another tab
    await sync_to_async(elsewhere.force_login)(world.supervisee_user)
    await sync_to_async(elsewhere.post)("/accounts/logout/")
    assert (await listener.receive_output(timeout=3))["code"] == 4401

    staff = await socket(adults, world.official)
    await frame(staff)
    world.official.is_active = False
    await sync_to_async(world.official.save)()
    assert (await staff.receive_output(timeout=3))["code"] == 4401


async def test_an_ended_class_refuses_new_sockets(world, adults):
    adults.status = LiveClass.Status.ENDED
    await sync_to_async(adults.save)()
    assert await socket(adults, world.supervisee_user) == 4410


async def test_overseeing_staff_follow_without_moderating(world, adults):
    caseworker = await socket(adults, world.caseworker)  # the city's class, the office's people
    welcome = await frame(caseworker)
    assert welcome["moderator"] is False
    await caseworker.send_to(text_data=json.dumps({"type": "chat.slow_mode", "seconds": 5}))
    assert (await frame(caseworker))["code"] == "not_moderator"
    await caseworker.disconnect()
    assert await sync_to_async(Lease.objects.count)() == 0  # staff hold no attendance lease


async def test_a_session_the_site_would_end_opens_no_socket(world, adults, settings):
    """Stale sessions: idle or too old, signed out everywhere, or with a duty outstanding."""
    import time

    from portal.middleware import SESSION_EPOCH, SESSION_LAST_SEEN, SESSION_STARTED

    def cookie_for(user, **stamps) -> bytes:
        client = Client()
        client.force_login(user)
        session = client.session
        now = int(time.time())
        session.update({SESSION_EPOCH: user.session_epoch, SESSION_STARTED: now})
        session.update({SESSION_LAST_SEEN: now, **stamps})
        session.save()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()

    async def connect(cookie: bytes):
        headers = [(b"origin", b"http://localhost"), (b"cookie", cookie)]
        communicator = WebsocketCommunicator(application, f"/ws/live/{adults.key}/", headers)
        connected, code = await communicator.connect()
        if connected:
            await communicator.disconnect()
        return connected or code

    user = world.supervisee_user
    now = int(time.time())
    assert await connect(await sync_to_async(cookie_for)(user)) is True  # a fresh session
    idle = await sync_to_async(cookie_for)(user, **{SESSION_LAST_SEEN: now - 2 * 3600})
    assert await connect(idle) == 4401
    old = await sync_to_async(cookie_for)(user, **{SESSION_STARTED: now - 30 * 24 * 3600})
    assert await connect(old) == 4401
    stale_epoch = await sync_to_async(cookie_for)(user, **{SESSION_EPOCH: user.session_epoch - 1})
    assert await connect(stale_epoch) == 4401
    user.must_change_password = True
    await sync_to_async(user.save)()
    assert await connect(await sync_to_async(cookie_for)(user)) == 4401
