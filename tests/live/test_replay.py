"""The make-up lesson (回放补学): a class's broadcast runs, joined, become a lesson of its
course; the lesson credits only what attending the class live did not already credit."""

import datetime

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone

from courses import ledger
from courses.actions import complete_if_due
from courses.models import HourCredit, LessonProgress
from live.attendance import end_class
from live.broadcast import Encoder
from live.models import BroadcastRun
from live.replay import make_replay
from media import processing
from media.samples import generate_webm
from tests.courses.conftest import Courses
from tests.live.conftest import make_class

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(world) -> Courses:
    return Courses(world)


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    return generate_webm(tmp_path_factory.mktemp("webm") / "camera.webm", seconds=4).read_bytes()


def broadcast_run(live_class, user, data: bytes) -> BroadcastRun:
    """A whole run through the real encoder, as the presenter's socket drives it."""
    run = BroadcastRun.objects.create(live_class=live_class, started_by=user)

    async def send():
        encoder = Encoder(live_class.key, run.key)
        await encoder.start()
        for start in range(0, len(data), 32 * 1024):
            assert await encoder.feed(data[start : start + 32 * 1024])
        await encoder.stop()

    async_to_sync(send)()
    return run


def test_the_recording_becomes_a_make_up_lesson(
    world, courses, recording, django_capture_on_commit_callbacks
):
    live_class = make_class(world, course=courses.general)
    broadcast_run(live_class, world.official, recording)
    broadcast_run(live_class, world.official, recording)  # the presenter reconnected once
    with django_capture_on_commit_callbacks() as callbacks:
        end_class(live_class)
    assert len(callbacks) == 1  # the replay job was queued

    assert make_replay(live_class.pk) == "made"
    assert make_replay(live_class.pk) == "skipped"  # once
    live_class.refresh_from_db()
    lesson = live_class.replay
    assert lesson.live and lesson.get_parent().specific == courses.general
    assert lesson.title == "回放：法治教育直播课"
    assert processing.process(lesson.video_id) == "ready"
    lesson.video.refresh_from_db()
    assert 7 <= lesson.video.duration <= 9  # two runs of 4 s


def test_no_course_or_no_broadcast_means_no_replay(world, courses, recording):
    without_course = make_class(world)
    broadcast_run(without_course, world.official, recording)
    end_class(without_course)
    assert make_replay(without_course.pk) == "nothing"
    silent = make_class(world, course=courses.general)
    end_class(silent)
    assert make_replay(silent.pk) == "nothing"


def test_a_replay_credits_only_what_the_live_class_did_not(world, courses):
    live_class = make_class(world, course=courses.general)
    lesson = courses.lesson  # stands in for the replay: a 120 s video, 30 credited minutes
    live_class.replay = lesson
    live_class.save()
    ledger.credit(
        world.adult,
        source="live",
        minutes=20,
        day=timezone.localdate(),
        key=f"live:{live_class.pk}:{world.adult.pk}",
        record=live_class,
    )
    for person, expected in ((world.adult, 10), (world.kuangqu_person, 30)):
        progress = LessonProgress.objects.create(
            supervisee=person, lesson=lesson, intervals=[[0, 120]], covered_seconds=120
        )
        assert complete_if_due(progress)
        assert HourCredit.objects.get(key=f"lesson:{progress.pk}").minutes == expected

    # Attended the whole class: the replay adds nothing.
    other = make_class(world, course=courses.general, title="另一课")
    full = courses.orientation_lesson
    other.replay = full
    other.save()
    ledger.credit(
        world.kuangqu_person,
        source="live",
        minutes=45,
        day=timezone.localdate() - datetime.timedelta(days=1),
        key=f"live:{other.pk}:{world.kuangqu_person.pk}",
        record=other,
    )
    progress = LessonProgress.objects.create(
        supervisee=world.kuangqu_person, lesson=full, intervals=[[0, 60]], covered_seconds=60
    )
    assert complete_if_due(progress)
    assert not HourCredit.objects.filter(key=f"lesson:{progress.pk}").exists()
