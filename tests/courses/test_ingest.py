"""The lean way in for coverage reports answers the ordinary report exactly as the API would,
and hands everything else to the full stack, which decides as always."""

import contextlib
import datetime
import io
import json
import re
from types import SimpleNamespace

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from courses.ingest import MAX_BODY, ProgressIngestion
from courses.models import HourCredit, LessonProgress

from .conftest import complete_orientation

pytestmark = pytest.mark.django_db
CSRF = "a" * 32


@contextlib.contextmanager
def keeping_the_test_transaction():
    """As Django's test client does around each request: the handlers must not close the
    connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class Viewer:
    """A signed-in supervisee's lesson page and its reports, on a clock the test moves."""

    def __init__(self, world, courses, client_for, monkeypatch):
        complete_orientation(world.adult, courses)
        self.lesson = courses.lesson
        self.client = client_for(world.supervisee_user)
        self.start, self.offset = timezone.now(), 0.0
        clock = SimpleNamespace(
            **{name: getattr(timezone, name) for name in dir(timezone) if name[0] != "_"}
        )
        clock.now = lambda: self.start + datetime.timedelta(seconds=self.offset)
        for module in ("courses.api", "courses.views", "courses.ingest"):
            monkeypatch.setattr(f"{module}.timezone", clock)
        self.full_stack_calls = 0
        handler = WSGIHandler()

        def full_stack(environ, start_response):
            self.full_stack_calls += 1
            return handler(environ, start_response)

        self.app = ProgressIngestion(full_stack)
        page = self.client.get(self.lesson.url)
        self.token = re.search(r'data-token="([^"]+)"', page.content.decode()).group(1)

    @property
    def cookie(self) -> str:
        return f"sessionid={self.client.cookies['sessionid'].value}; csrftoken={CSRF}"

    def post(self, body: bytes, *, at: float, cookie: str | None = None, host="testserver"):
        self.offset = at
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": f"/api/v1/lessons/{self.lesson.pk}/progress",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": host,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_COOKIE": self.cookie if cookie is None else cookie,
            "HTTP_X_CSRFTOKEN": CSRF,
        }
        answer = {}

        def start_response(status, headers):
            answer["status"], answer["headers"] = int(status[:3]), dict(headers)

        with keeping_the_test_transaction():
            content = b"".join(self.app(environ, start_response))
        is_json = answer["headers"].get("Content-Type", "").startswith("application/json")
        return answer["status"], json.loads(content) if is_json else {}, answer["headers"]

    def report(self, seq: int, ranges, *, at: float, token: str | None = None, **kwargs):
        body = {"token": token or self.token, "seq": seq, "ranges": ranges}
        body["position"] = ranges[-1][1] if ranges else 0
        return self.post(json.dumps(body).encode(), at=at, **kwargs)

    def progress(self) -> LessonProgress:
        return LessonProgress.objects.get(lesson=self.lesson)


@pytest.fixture
def viewer(world, courses, client_for, monkeypatch):
    return Viewer(world, courses, client_for, monkeypatch)


def test_ordinary_reports_are_answered_on_the_lean_way_like_the_api(viewer):
    status, first, _ = viewer.report(1, [[0, 10]], at=10)
    assert status == 200 and viewer.full_stack_calls == 1  # the first report creates the row
    status, body, headers = viewer.report(2, [[10, 20]], at=20)
    assert viewer.full_stack_calls == 1
    assert status == 200 and set(body) == set(first)
    assert body == {
        "status": "accepted",
        "reason": "",
        "covered_seconds": 20.0,
        "position": 20.0,
        "completed": False,
    }
    assert "Content-Security-Policy" in headers and headers["X-Content-Type-Options"] == "nosniff"
    progress = viewer.progress()
    assert (progress.covered_seconds, progress.last_seq) == (20.0, 2)
    assert progress.intervals == [[0, 20]]
    # The same report again (a retry) is acknowledged and counted once.
    _status, body, _ = viewer.report(2, [[10, 20]], at=21)
    assert body["status"] == "duplicate" and viewer.full_stack_calls == 1
    assert viewer.progress().covered_seconds == 20.0


def test_rejections_and_the_completion_are_left_to_the_full_stack(viewer):
    credits = HourCredit.objects.filter(source="video").count()  # the first lesson's
    viewer.report(1, [[0, 10]], at=10)
    _status, body, _ = viewer.report(2, [[10, 100]], at=20)  # 90 s of video in 10 s
    assert body == {**body, "status": "rejected", "reason": "too_fast"}
    assert viewer.full_stack_calls == 2 and viewer.progress().rejected_reports == 1
    for seq in range(2, 12):
        _status, body, _ = viewer.report(seq, [[(seq - 1) * 10, seq * 10]], at=seq * 10 + 10)
    assert body["completed"] and viewer.progress().completed_at is not None
    assert HourCredit.objects.filter(source="video").count() == credits + 1
    assert viewer.full_stack_calls == 3  # the report that completed the lesson


def test_sessions_the_full_stack_would_end_never_report_on_the_lean_way(world, viewer):
    viewer.report(1, [[0, 10]], at=10)
    covered = viewer.progress().covered_seconds

    status, _body, _ = viewer.report(2, [[10, 20]], at=20, cookie=f"csrftoken={CSRF}")
    assert status in (401, 403) and viewer.full_stack_calls == 2

    world.supervisee_user.end_all_sessions()  # signed out on every device
    status, _body, _ = viewer.report(2, [[10, 20]], at=20)
    assert status in (401, 403) and viewer.full_stack_calls == 3
    assert viewer.progress().covered_seconds == covered


def test_a_changed_password_or_a_deactivated_account_ends_the_reports(world, courses, viewer):
    viewer.report(1, [[0, 10]], at=10)
    user = world.supervisee_user
    user.set_password("a-new-password-2026")
    user.save()
    status, _body, _ = viewer.report(2, [[10, 20]], at=20)
    assert status in (401, 403) and viewer.full_stack_calls == 2


def test_a_deactivated_account_and_someone_elses_token_go_to_the_full_stack(
    world, viewer, client_for
):
    viewer.report(1, [[0, 10]], at=10)
    other = client_for(world.caseworker)
    cookie = f"sessionid={other.cookies['sessionid'].value}; csrftoken={CSRF}"
    status, _body, _ = viewer.report(2, [[10, 20]], at=20, cookie=cookie)
    assert status == 403 and viewer.full_stack_calls == 2
    type(world.supervisee_user).objects.filter(pk=world.supervisee_user.pk).update(is_active=False)
    status, _body, _ = viewer.report(2, [[10, 20]], at=20)
    assert status in (401, 403) and viewer.full_stack_calls == 3
    assert viewer.progress().last_seq == 1


def test_an_outstanding_duty_and_bad_bodies_go_to_the_full_stack(world, viewer):
    viewer.report(1, [[0, 10]], at=10)
    type(world.supervisee_user).objects.filter(pk=world.supervisee_user.pk).update(
        must_change_password=True
    )
    session = viewer.client.session
    session["portal_duties_checked"] = 0  # due for a new check
    session.save()
    status, body, _ = viewer.report(2, [[10, 20]], at=20)
    assert status == 403 and viewer.full_stack_calls == 2
    type(world.supervisee_user).objects.filter(pk=world.supervisee_user.pk).update(
        must_change_password=False
    )
    calls = viewer.full_stack_calls
    for body in (b"{", b'{"token": "x", "seq": 0, "ranges": [], "position": 0}'):
        status, _body, _ = viewer.post(body, at=20)
        assert status in (400, 403, 422)
    assert viewer.full_stack_calls == calls + 2
    status, _body, _ = viewer.post(b" " * (MAX_BODY + 1), at=20)
    assert viewer.full_stack_calls == calls + 3
    status, _body, _ = viewer.report(2, [[10, 20]], at=20, host="evil.example")
    assert status == 400 and viewer.full_stack_calls == calls + 4
    assert viewer.progress().last_seq == 1


def test_reports_keep_the_session_alive_and_an_idle_one_ends(viewer):
    import time

    viewer.report(1, [[0, 10]], at=10)
    session = viewer.client.session
    session["portal_last_seen"] = int(time.time()) - 40
    session.save()
    _status, body, _ = viewer.report(2, [[10, 20]], at=20)
    assert body["status"] == "accepted" and viewer.full_stack_calls == 1
    assert viewer.client.session["portal_last_seen"] >= int(time.time()) - 2  # seen again

    session = viewer.client.session
    session["portal_last_seen"] = int(time.time()) - 24 * 3600
    session.save()
    status, _body, _ = viewer.report(3, [[20, 30]], at=30)
    assert status in (401, 403) and viewer.full_stack_calls == 2
    assert viewer.progress().last_seq == 2


@pytest.mark.django_db(transaction=True)
def test_ordinary_reports_commit_without_waiting_for_the_wal_on_postgresql(viewer, settings):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from courses.actions import ASYNC_COMMIT_SQL, async_commit

    if connection.vendor != "postgresql":
        pytest.skip("asynchronous commit is PostgreSQL's")

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    def api_report(seq: int, ranges, at: float) -> list[str]:
        viewer.offset = at
        body = {"token": viewer.token, "seq": seq, "ranges": ranges, "position": ranges[-1][1]}
        url = f"/api/v1/lessons/{viewer.lesson.pk}/progress"
        with CaptureQueriesContext(connection) as queries:
            answer = viewer.client.post(url, body, content_type="application/json")
        assert answer.json()["status"] == "accepted"
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]

    viewer.report(1, [[0, 10]], at=10)  # creates the row: the full stack, synchronously
    viewer.report(2, [[10, 20]], at=20)  # the lean way
    assert viewer.full_stack_calls == 1
    assert any(ASYNC_COMMIT_SQL in sql for sql in prepared() if sql.startswith("UPDATE"))
    assert [ASYNC_COMMIT_SQL in sql for sql in api_report(3, [[20, 30]], at=30)] == [True]
    # Only that transaction: the connection itself still waits for its flushes.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    with transaction.atomic():
        assert not async_commit()  # never inside a caller's transaction

    settings.COURSES_COVERAGE_ASYNC_COMMIT = False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    viewer.report(4, [[30, 40]], at=40)
    updates = [sql for sql in prepared() if sql.startswith("UPDATE")]
    assert viewer.full_stack_calls == 1 and len(updates) == 1  # the lean way, prepared
    assert ASYNC_COMMIT_SQL not in updates[0]
    assert [ASYNC_COMMIT_SQL in sql for sql in api_report(5, [[40, 50]], at=50)] == [False]
    assert viewer.progress().covered_seconds == 50.0
