"""Redis briefly unreachable under a running daphne (a proxy in front of it cut and restored):
pages and the API say so with a 503 in the visitor's language, nobody is signed out, and the live
class's messages flow again once it is back, without a restart."""

import json
import time
from contextlib import contextmanager

import pytest
from django.test import Client
from websockets.sync.client import connect

from tests.conftest import wait_for
from tests.live.conftest import make_class

from .conftest import get, next_frame, signed_in_cookie
from .test_database import assert_unavailable_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_redis_outage_answers_503_keeps_sessions_and_the_class_recovers(
    world, redis_proxy, server_through
):
    live_class = make_class(world)
    listener, presenter = Client(), Client()
    listener.force_login(world.supervisee_user)
    presenter.force_login(world.official)
    cookie = signed_in_cookie(listener)
    url = server_through(redis=redis_proxy)
    assert get(url, "/live/", cookie).status == 200

    @contextmanager
    def join(client):
        with connect(
            url.replace("http", "ws") + f"/ws/live/{live_class.key}/",
            origin=url,
            additional_headers={"Cookie": signed_in_cookie(client)},
        ) as socket:
            assert json.loads(socket.recv(timeout=10))["type"] == "live.welcome"
            yield socket

    with join(listener) as audience, join(presenter) as host:
        host.send(json.dumps({"type": "chat.send", "text": "开课前的消息"}))
        next_frame(audience, "chat.message", text="开课前的消息")
        redis_proxy.cut()  # the connection that carried it is now dead in the server's pool
        assert_unavailable_page(get(url, "/live/", cookie), "服务暂时不可用")
        assert_unavailable_page(
            get(url, "/live/", cookie, language="en"), "Service temporarily unavailable"
        )
        api = get(url, "/api/v1/referrals", cookie)
        assert (api.status, api.json()["code"]) == (503, "service_unavailable")
        # A message that cannot reach the class: the sender is told, and keeps the socket.
        host.send(json.dumps({"type": "chat.send", "text": "断线时的消息"}))
        refusal = next_frame(host, "live.error")
        assert refusal["code"] == "unavailable" and "稍后" in refusal["message"]
        time.sleep(2)
        redis_proxy.restore()

        # Still signed in (a 200, not a redirect to the sign-in page), with no restart.
        wait_for(lambda: get(url, "/live/", cookie).status == 200, what="pages to come back")
        # The class's fan-out reads the channel layer again: a message reaches the audience.
        host.send(json.dumps({"type": "chat.send", "text": "恢复后的第一条消息"}))
        next_frame(audience, "chat.message", text="恢复后的第一条消息")
