"""PostgreSQL briefly unreachable (a proxy in front of it cut and restored) under a running
daphne and a running worker: people get a clear 503 in their language, a live class keeps one
unbroken presence lease, a transcode under way is finished, a task cut off midway runs again, and
both processes carry on by themselves once it is back."""

import json
import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.db.models import F
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from websockets.sync.client import connect

from live.models import Lease
from media import actions, samples
from media.models import Status, Video
from tests.conftest import database_url, wait_for
from tests.live.conftest import make_class
from tests.media.conftest import make_video

from .conftest import get, next_frame, signed_in_cookie
from .tasks import write_when_flagged

pytestmark = pytest.mark.django_db(transaction=True)

FAST = {"LIVE_PING_SECONDS": "1", "LIVE_FLUSH_SECONDS": "1"}
UNAVAILABLE_ZH = "服务暂时不可用"


class Pinger(threading.Thread):
    """A listener's browser: a live.ping every second until stopped; remembers a failed send."""

    def __init__(self, socket):
        super().__init__(daemon=True)
        self.socket, self.stopped, self.failure = socket, threading.Event(), None

    def run(self):
        while not self.stopped.wait(1):
            try:
                self.socket.send('{"type": "live.ping"}')
            except Exception as error:  # the server closed the socket
                self.failure = error
                return


def assert_unavailable_page(answer, text: str):
    assert answer.status == 503
    assert answer.headers["Retry-After"] == "30"
    assert answer.headers["Content-Type"].startswith("text/html")
    assert text in answer.text
    assert "Traceback" not in answer.text and "OperationalError" not in answer.text


def test_a_database_outage_answers_503_keeps_the_class_and_recovers(
    world, postgres_proxy, server_through
):
    live_class = make_class(world)
    client = Client()
    client.force_login(world.supervisee_user)
    cookie = signed_in_cookie(client)
    url = server_through(postgres=postgres_proxy, **FAST)
    assert get(url, "/live/", cookie).status == 200
    # Error pages drawn before the outage leave connections on daphne's worker threads.
    assert {get(url, "/no-such-page/", cookie).status for _ in range(6)} == {404}

    with connect(
        url.replace("http", "ws") + f"/ws/live/{live_class.key}/",
        origin=url,
        additional_headers={"Cookie": cookie},
    ) as socket:
        assert '"live.welcome"' in socket.recv(timeout=10)
        pinger = Pinger(socket)
        pinger.start()
        lease = wait_for(
            lambda: Lease.objects.filter(renewed_at__gt=F("opened_at")).first(),
            timeout=30,
            what="the first renewal to be written",
        )
        cut = timezone.now()
        postgres_proxy.cut()

        assert_unavailable_page(get(url, "/live/", cookie), UNAVAILABLE_ZH)
        assert_unavailable_page(
            get(url, "/live/", cookie, language="en"), "Service temporarily unavailable"
        )
        api = get(url, "/api/v1/referrals", cookie)
        assert api.status == 503 and api.headers["Retry-After"] == "30"
        assert api.json()["code"] == "service_unavailable"
        assert "稍后" in api.json()["detail"]
        # A chat message cannot be saved now: the sender is told, and the socket stays open.
        socket.send(json.dumps({"type": "chat.send", "text": "停电时的消息"}))
        refusal = next_frame(socket, "live.error")
        assert refusal["code"] == "unavailable" and "稍后" in refusal["message"]
        time.sleep(3)  # a few pings whose batch writes fail

        postgres_proxy.restore()
        restored = timezone.now()
        wait_for(lambda: get(url, "/live/", cookie).status == 200, what="pages to come back")
        # No thread keeps a broken connection: every error page is itself again at once.
        assert [get(url, "/no-such-page/", cookie).status for _ in range(8)] == [404] * 8
        # Presence is written again while the listener stays (a crash now would cost little).
        wait_for(
            lambda: Lease.objects.filter(pk=lease.pk, renewed_at__gt=restored).exists(),
            timeout=20,
            what="renewals to be written again",
        )
        assert pinger.failure is None  # the socket stayed open through the outage
        socket.send(json.dumps({"type": "chat.send", "text": "恢复后的消息"}))
        next_frame(socket, "chat.message", text="恢复后的消息")
        pinger.stopped.set()
        pinger.join()
    left = timezone.now()

    lease = wait_for(
        lambda: Lease.objects.filter(pk=lease.pk, closed_at__isnull=False).first(),
        timeout=20,
        what="the goodbye to be written",
    )
    assert Lease.objects.count() == 1  # one unbroken presence across the outage
    assert lease.opened_at < cut and restored < lease.closed_at <= left


def test_the_worker_outlives_a_database_outage_and_the_transcode_completes(
    postgres_proxy, worker_process, tmp_path
):
    source = samples.generate(tmp_path / "lesson.mp4", seconds=16, width=640, height=360)
    video = actions.submit_video(make_video(source, title="停电时的视频"))
    worker = worker_process(DATABASE_URL=postgres_proxy.url(database_url()))

    def in_flight():
        current = Video.objects.get(pk=video.pk)
        return current if current.status == Status.PROCESSING and current.progress >= 5 else None

    wait_for(in_flight, what="the transcode to get going")
    postgres_proxy.cut()
    time.sleep(4)
    assert worker.poll() is None  # waits for the database instead of dying
    postgres_proxy.restore()

    done = wait_for(
        lambda: Video.objects.filter(pk=video.pk, status=Status.READY).first(),
        timeout=150,
        what="the video to be published after the outage",
    )
    assert worker.poll() is None
    assert done.attempts >= 2  # the interrupted job was taken up again, not lost
    assert done.rendition_dir and done.duration


def test_a_task_cut_off_by_a_database_outage_runs_again(postgres_proxy, worker_process, tmp_path):
    flag = tmp_path / "go"
    queued = write_when_flagged.enqueue(str(flag), "written after the outage")
    worker = worker_process(DATABASE_URL=postgres_proxy.url(database_url()))
    wait_for(
        lambda: DBTaskResult.objects.filter(pk=queued.id, status=TaskResultStatus.RUNNING).exists(),
        what="the worker to take the task",
    )
    postgres_proxy.cut()
    flag.touch()  # the task reaches for the database while it is away
    time.sleep(3)
    postgres_proxy.restore()

    done = wait_for(
        lambda: DBTaskResult.objects.filter(
            pk=queued.id, status=TaskResultStatus.SUCCESSFUL
        ).first(),
        timeout=30,
        what="the task to run again and succeed",
    )
    assert len(done.worker_ids) == 2  # taken up again once, by the same worker
    assert Group.objects.filter(name="written after the outage").exists()
    assert worker.poll() is None
