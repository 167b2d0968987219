"""Polls with live results, Q&A with upvotes, raised hands, reactions and attention checks,
each through the socket; and what the attendance dashboard makes of them."""

import datetime
import json

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from live.attendance import recompute, send_attention_checks
from live.models import AttentionCheck, Lease, Poll
from tests.live.conftest import make_class
from tests.live.test_socket import frame, socket

pytestmark = pytest.mark.django_db(transaction=True)


async def send(communicator, **data):
    await communicator.send_to(text_data=json.dumps(data))


@pytest.fixture
def room(world):
    live_class = make_class(world)
    live_class.presenters.add(world.official)
    return live_class


async def pair(world, room):
    presenter = await socket(room, world.official)
    listener = await socket(room, world.supervisee_user)
    await frame(presenter), await frame(listener)
    return presenter, listener


async def test_a_poll_with_live_results(world, room):
    presenter, listener = await pair(world, room)
    await send(listener, type="poll.create", question="?", choices=["a", "b"])
    assert (await frame(listener))["code"] == "not_moderator"
    await send(
        presenter,
        type="poll.create",
        question="社区矫正期间可以出国吗？",
        choices=["可以", "不可以"],
    )
    opened = await frame(listener)
    assert opened["type"] == "poll.open" and opened["counts"] == [0, 0]
    await frame(presenter)
    await send(listener, type="poll.answer", id=opened["id"], choice=1)
    assert (await frame(presenter))["counts"] == [0, 1]
    await frame(listener)
    await send(listener, type="poll.answer", id=opened["id"], choice=0)
    assert (await frame(listener))["code"] == "answered"
    await send(presenter, type="poll.close", id=opened["id"])
    closed = await frame(listener)
    assert closed == {"type": "poll.results", "id": opened["id"], "counts": [0, 1], "closed": True}
    await frame(presenter)
    await send(listener, type="poll.answer", id=opened["id"], choice=0)
    assert (await frame(listener))["code"] == "no_poll"
    poll = await sync_to_async(Poll.objects.get)()
    assert not poll.is_open
    await presenter.disconnect(), await listener.disconnect()


async def test_questions_upvotes_hands_and_reactions(world, room):
    presenter, listener = await pair(world, room)
    await send(listener, type="question.ask", text="请假外出需要提前几天申请？")
    asked = await frame(presenter)
    assert (asked["type"], asked["name"], asked["votes"]) == ("question.new", "张三丰", 0)
    await frame(listener)
    await send(listener, type="question.vote", id=asked["id"])
    assert (await frame(listener))["code"] == "voted"  # not one's own question
    await send(presenter, type="question.vote", id=asked["id"])
    assert (await frame(listener)) == {"type": "question.votes", "id": asked["id"], "votes": 1}
    await frame(presenter)
    await send(presenter, type="question.answered", id=asked["id"])
    assert (await frame(listener))["type"] == "question.answered"
    await frame(presenter)

    await send(listener, type="hand", up=True)
    assert (await frame(presenter)) == {"type": "hand", "name": "张三丰", "up": True}
    await frame(listener)
    await send(listener, type="reaction", emoji="👏")
    assert (await frame(presenter)) == {"type": "reaction", "emoji": "👏"}
    await frame(listener)
    await send(listener, type="reaction", emoji="<script>")
    assert (await frame(listener))["code"] == "reaction"
    await presenter.disconnect(), await listener.disconnect()


async def test_attention_checks_are_answered_in_time_only(world, room):
    presenter, listener = await pair(world, room)
    await send(listener, type="attention.start")
    assert (await frame(listener))["code"] == "not_moderator"
    await send(presenter, type="attention.start")
    check = await frame(listener)
    assert check["type"] == "attention.check" and check["seconds"] == 60
    await frame(presenter)
    await send(listener, type="attention.answer", id=check["id"])
    assert (await frame(listener)) == {"type": "attention.ok", "id": check["id"]}
    await presenter.receive_nothing(timeout=0.2)  # the answer is not broadcast

    late = await sync_to_async(AttentionCheck.objects.create)(
        live_class=room,
        asked_at=timezone.now() - datetime.timedelta(minutes=5),
        closes_at=timezone.now() - datetime.timedelta(minutes=4),
    )
    await send(listener, type="attention.answer", id=late.pk)
    assert (await frame(listener))["code"] == "late"
    await send(listener, type="live.ping")  # still here after the first check
    await listener.receive_nothing(timeout=0.2)
    await presenter.disconnect(), await listener.disconnect()

    attendance = (await sync_to_async(recompute)(room))[0]
    # Present for the first check and answered it; the late one was asked before joining.
    assert (attendance.attention_answered, attendance.attention_asked) == (1, 1)


def test_the_policy_asks_when_due(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    due = make_class(
        world, attention_every_minutes=10, starts_at=now - datetime.timedelta(minutes=11)
    )
    make_class(world, title="不检查", attention_every_minutes=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_attention_checks(now) == 1
        assert send_attention_checks(now + datetime.timedelta(minutes=5)) == 0
        assert send_attention_checks(now + datetime.timedelta(minutes=10)) == 1
    assert due.attention_checks.count() == 2
    Lease.objects.create(
        live_class=due,
        user=world.supervisee_user,
        supervisee=world.adult,
        opened_at=now - datetime.timedelta(minutes=1),
        renewed_at=now + datetime.timedelta(minutes=6),
    )
    attendance = recompute(due)[0]
    assert (attendance.attention_asked, attendance.attention_answered) == (1, 0)
