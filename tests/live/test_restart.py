"""A server process that dies mid-class (SIGKILL, no goodbye) costs a listener at most one
lease interval of attendance: the ping interval plus the batch-write interval. The listener
reconnects to the restarted server and the time there counts too; nothing is ever added."""

import datetime
import json
import signal
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from websockets.sync.client import connect

from live.attendance import end_class, sweep_stale_leases
from live.models import Attendance, Lease
from tests.asgi import free_port, start_server, stop_server

pytestmark = pytest.mark.django_db(transaction=True)
PING, FLUSH = 1, 1
FAST = {"LIVE_PING_SECONDS": str(PING), "LIVE_FLUSH_SECONDS": str(FLUSH)}


@contextmanager
def attending(url: str, live_class, cookie: str, pings: int):
    """Join, ping every PING seconds `pings` times, then hand over the open socket."""
    with connect(
        url.replace("http", "ws") + f"/ws/live/{live_class.key}/",
        origin=url,
        additional_headers={"Cookie": cookie},
    ) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "live.welcome"
        for _ in range(pings):
            time.sleep(PING)
            socket.send(json.dumps({"type": "live.ping"}))
        yield socket


def test_a_restart_loses_at_most_one_lease_interval(world, live_class):
    client = Client()
    client.force_login(world.supervisee_user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = free_port()

    server, url = start_server(port, FAST)
    joined = timezone.now()
    with attending(url, live_class, cookie, pings=4):
        time.sleep(0.5)
        server.send_signal(signal.SIGKILL)  # a crash: no disconnect, no last write
        server.wait()
        crashed = timezone.now()

    server, url = start_server(port, FAST)
    try:
        rejoined = timezone.now()
        with attending(url, live_class, cookie, pings=3):
            pass  # leaving says goodbye: the lease ends at the last ping heard
        time.sleep(0.5)
        left = timezone.now()
    finally:
        stop_server(server)

    lost, returned = Lease.objects.order_by("opened_at")
    assert lost.closed_at is None  # nobody said goodbye for the crashed server's socket
    later = timezone.now() + datetime.timedelta(seconds=settings.LIVE_LEASE_STALE_SECONDS + 1)
    assert sweep_stale_leases(later) == 1
    lost.refresh_from_db()
    assert lost.closed_at == lost.renewed_at  # closed at its last renewal, not at the sweep

    # The crashed server's lease lost at most one ping and one batch write (and some slack
    # for the server's own start-up of the socket); it never runs past the crash.
    interval = datetime.timedelta(seconds=PING + FLUSH + 0.5)
    assert crashed - interval <= lost.closed_at <= crashed
    assert joined <= lost.opened_at
    assert rejoined <= returned.opened_at and returned.closed_at <= left

    end_class(live_class)
    attendance = Attendance.objects.get(supervisee=world.adult)
    present = (crashed - joined) + (left - rejoined)
    credited = (lost.closed_at - lost.opened_at) + (returned.closed_at - returned.opened_at)
    assert attendance.seconds == int(credited.total_seconds())
    assert present - 2 * interval <= credited <= present
