"""Coverage reports through the API: only real playback completes a lesson, and only once."""

import datetime
import json
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone

from courses.models import HourCredit, LessonProgress

from .conftest import complete_orientation

pytestmark = pytest.mark.django_db


class Player:
    """Plays the part of the lesson page's script, on a clock the test moves."""

    def __init__(self, client, lesson, monkeypatch):
        self.client, self.lesson = client, lesson
        self.start = timezone.now()
        self.offset = 0.0
        clock = SimpleNamespace(
            **{name: getattr(timezone, name) for name in dir(timezone) if name[0] != "_"}
        )
        clock.now = lambda: self.start + datetime.timedelta(seconds=self.offset)
        monkeypatch.setattr("courses.api.timezone", clock)  # when reports arrive
        monkeypatch.setattr("courses.views.timezone", clock)  # when pages are served

    def open(self, *, at: float | None = None) -> str:
        self.offset = self.offset if at is None else at
        page = self.client.get(self.lesson.url)
        assert page.status_code == 200
        return re.search(r'data-token="([^"]+)"', page.content.decode()).group(1)

    def report(self, token, seq, ranges, *, at, position=None):
        self.offset = at
        position = ranges[-1][1] if position is None and ranges else (position or 0)
        response = self.client.post(
            f"/api/v1/lessons/{self.lesson.pk}/progress",
            json.dumps({"token": token, "seq": seq, "ranges": ranges, "position": position}),
            content_type="application/json",
        )
        return response.status_code, response.json()

    def progress(self) -> LessonProgress:
        return LessonProgress.objects.get(lesson=self.lesson)


@pytest.fixture
def player(world, courses, client_for, monkeypatch):
    return Player(client_for(world.supervisee_user), courses.orientation_lesson, monkeypatch)


def test_real_playback_completes_the_lesson_and_credits_it_once(world, player):
    token = player.open()
    for seq in range(1, 6):  # 10 s of video every 10 s
        status, body = player.report(token, seq, [[0, 10 * seq]], at=10 * seq)
        assert status == 200 and body["status"] == "accepted"
        assert not body["completed"]
    _status, body = player.report(token, 6, [[0, 54]], at=55)
    assert body["status"] == "accepted" and body["completed"]
    assert body["covered_seconds"] == 54
    credit = HourCredit.objects.get(supervisee=world.adult)
    assert (credit.source, credit.minutes) == ("video", 30)
    assert credit.source_record == player.progress()
    # Watching on, reloading and watching again never credits a second time.
    player.report(token, 7, [[0, 60]], at=62)
    second = player.open(at=70)
    player.report(second, 1, [[0, 10]], at=80)
    assert HourCredit.objects.filter(supervisee=world.adult).count() == 1


def test_skipping_to_the_end_never_completes(player):
    token = player.open()
    _status, body = player.report(token, 1, [[0, 60]], at=5)
    assert (body["status"], body["reason"]) == ("rejected", "too_fast")
    _status, body = player.report(token, 2, [[55, 60]], at=10)  # watched the last 5 s only
    assert body["status"] == "accepted"
    assert body["covered_seconds"] == 5 and not body["completed"]
    assert player.progress().completed_at is None


def test_sped_up_playback_beyond_the_permitted_rate_is_refused(player, settings):
    settings.COURSES_MAX_PLAYBACK_RATE = 2
    token = player.open()
    _status, body = player.report(token, 1, [[0, 30]], at=10)  # 3x
    assert body["reason"] == "too_fast"
    _status, body = player.report(token, 2, [[0, 20]], at=10.5)  # 2x is allowed
    assert body["status"] == "accepted"
    assert player.progress().rejected_reports == 1
    assert player.progress().last_rejection == "too_fast"


def test_a_long_silence_does_not_let_one_report_claim_everything(player):
    token = player.open()
    _status, body = player.report(token, 1, [[0, 60]], at=3600)
    assert body["reason"] == "too_fast"


def test_duplicates_are_idempotent_and_replays_refused(player):
    token = player.open()
    assert player.report(token, 1, [[0, 10]], at=10)[1]["status"] == "accepted"
    assert player.report(token, 2, [[0, 20]], at=20)[1]["status"] == "accepted"
    _status, body = player.report(token, 2, [[0, 20]], at=21)
    assert body["status"] == "duplicate" and body["covered_seconds"] == 20
    _status, body = player.report(token, 1, [[0, 10]], at=22)
    assert (body["status"], body["reason"]) == ("rejected", "replayed")
    # Replaying the same stretch with a new number adds no seconds.
    _status, body = player.report(token, 3, [[0, 20]], at=23)
    assert body["status"] == "accepted" and body["covered_seconds"] == 20


def test_ranges_outside_the_video_are_refused(player):
    token = player.open()
    assert player.report(token, 1, [[50, 70]], at=20)[1]["reason"] == "out_of_range"
    _status, body = player.report(token, 2, [[-5, 5]], at=20)
    assert body["reason"] == "out_of_range"
    assert player.progress().covered_seconds == 0


def test_two_devices_never_count_at_once(player):
    first = player.open()
    assert player.report(first, 1, [[0, 10]], at=10)[1]["status"] == "accepted"
    second = player.open(at=11)  # served after the first page's last report: takes over
    assert player.report(second, 1, [[10, 15]], at=15)[1]["status"] == "accepted"
    _status, body = player.report(first, 2, [[10, 20]], at=20)
    assert (body["status"], body["reason"]) == ("rejected", "other_device")
    # Once the second page has been quiet long enough, the first may continue.
    _status, body = player.report(first, 3, [[15, 25]], at=60)
    assert body["status"] == "accepted"


def test_a_reload_takes_over_even_when_the_old_pages_last_report_arrives_after_it(player):
    """The page being left sends its last report as it goes; on a slow network that report
    arrives after the new page was served. The newer page still takes over at once, and the
    older one cannot take the lesson back while the newer one reports."""
    old = player.open()
    assert player.report(old, 1, [[0, 10]], at=10)[1]["status"] == "accepted"
    new = player.open(at=12)  # the reload
    assert player.report(old, 2, [[10, 12]], at=13)[1]["status"] == "accepted"  # late goodbye
    _status, body = player.report(new, 1, [[12, 20]], at=20)
    assert body["status"] == "accepted" and body["covered_seconds"] == 20
    _status, body = player.report(old, 3, [[12, 22]], at=22)
    assert (body["status"], body["reason"]) == ("rejected", "other_device")


def test_tokens_are_personal_and_tamper_proof(world, player, client_for):
    token = player.open()
    other = client_for(world.caseworker)
    response = other.post(
        f"/api/v1/lessons/{player.lesson.pk}/progress",
        json.dumps({"token": token, "seq": 1, "ranges": [[0, 5]], "position": 5}),
        content_type="application/json",
    )
    assert response.status_code == 403
    forged = token.replace("60.000", "6.000")
    assert player.report(forged, 1, [[0, 5]], at=5)[0] == 403


def test_resume_position_is_served_back(player):
    token = player.open()
    player.report(token, 1, [[0, 12]], at=12, position=12)
    page = player.client.get(player.lesson.url).content.decode()
    assert 'data-resume-at="12.0"' in page


def test_a_quiz_must_be_passed_as_well(world, courses, client_for, monkeypatch):
    lesson = courses.lesson
    lesson.quiz = [
        (
            "question",
            {
                "question": "社区矫正的法律依据是？",
                "choices": ["社区矫正法", "合同法"],
                "answer": 1,
            },
        )
    ]
    lesson.save_revision().publish()
    complete_orientation(world.adult, courses)
    client = client_for(world.supervisee_user)
    player = Player(client, lesson, monkeypatch)
    token = player.open()
    for seq in range(1, 13):
        player.report(token, seq, [[0, 10 * seq]], at=10 * seq)
    assert player.progress().covered_seconds == 120
    assert player.progress().completed_at is None
    client.post(f"/study/lessons/{lesson.pk}/quiz/", {"q1": "2"})
    assert player.progress().completed_at is None
    client.post(f"/study/lessons/{lesson.pk}/quiz/", {"q1": "1"})
    assert player.progress().completed_at is not None
    assert HourCredit.objects.filter(supervisee=world.adult, source="video").count() == 2


def test_the_api_is_described_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/lessons/{lesson_id}/progress",
        "/api/v1/group-classes/check-in",
        "/api/v1/compliance",
        "/api/v1/compliance/{supervisee_id}",
    ):
        assert path in paths
    assert {"token", "seq", "ranges", "position"} <= set(
        schema["components"]["schemas"]["ProgressIn"]["properties"]
    )


def test_a_report_racing_another_is_applied_again_under_the_lock(world, player):
    """Two reports read the same row; the second one's conditional update must not overwrite."""
    from courses import actions
    from courses.progress import Report, read_token

    token = read_token(player.open(), timezone.now())
    assert player.report(token.sign(), 1, [[0, 10]], at=10)[1]["status"] == "accepted"
    stale = player.progress()
    player.report(token.sign(), 2, [[0, 20]], at=20)
    later = player.start + datetime.timedelta(seconds=30)
    report = Report(seq=3, ranges=[[0, 30]], position=30)
    assert actions._apply(stale, token, report, later, locked=False) is None
    outcome = actions.record_progress(world.supervisee_user, token.lesson_id, token, report, later)
    assert outcome.status == "accepted" and outcome.covered_seconds == 30
    assert player.progress().last_seq == 3
