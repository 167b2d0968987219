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
from live.replay import FLUSH_GRACE_SECONDS, make_replay, make_replays
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
        encoder = Encoder(run)
        await encoder.start()
        for start in range(0, len(data), 32 * 1024):
            assert await encoder.feed(data[start : start + 32 * 1024])
        await encoder.stop()

    async_to_sync(send)()
    return run


def test_the_recording_becomes_a_make_up_lesson(world, courses, recording):
    live_class = make_class(world, course=courses.general)
    broadcast_run(live_class, world.official, recording)
    broadcast_run(live_class, world.official, recording)  # the presenter reconnected once
    end_class(live_class)
    # Housekeeping waits until every run's encoder has stored its segments …
    assert make_replays() == 0
    BroadcastRun.objects.update(flushed_at=timezone.now())
    assert make_replays() == 1
    assert make_replay(live_class.pk) == "skipped"  # once
    live_class.refresh_from_db()
    lesson = live_class.replay
    assert lesson.live and lesson.optional and lesson.get_parent().specific == courses.general
    assert lesson.title == "回放：法治教育直播课"
    assert processing.process(lesson.video_id) == "ready"
    lesson.video.refresh_from_db()
    assert 7 <= lesson.video.duration <= 9  # two runs of 4 s


def test_a_process_that_died_gets_its_recording_made_later(world, courses, recording):
    live_class = make_class(world, course=courses.general)
    broadcast_run(live_class, world.official, recording)  # never reports itself stored
    end_class(live_class)
    assert make_replays() == 0
    later = timezone.now() + datetime.timedelta(seconds=FLUSH_GRACE_SECONDS + 1)
    assert make_replays(later) == 1


def test_a_minors_class_feeds_only_a_minors_course(world, courses, recording):
    minors = make_class(world, audience="minors", course=courses.general)
    broadcast_run(minors, world.official, recording)
    BroadcastRun.objects.update(flushed_at=timezone.now())
    end_class(minors)
    assert make_replay(minors.pk) == "nothing"  # the general course is for adults too
    youth = make_class(world, audience="minors", course=courses.minors_only, title="成长课")
    broadcast_run(youth, world.official, recording)
    BroadcastRun.objects.update(flushed_at=timezone.now())
    end_class(youth)
    assert make_replay(youth.pk) == "made"


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


def test_a_reversed_live_credit_does_not_reduce_the_replay(world, courses):
    live_class = make_class(world, course=courses.general)
    live_class.replay = courses.lesson  # 30 credited minutes
    live_class.save()
    attended = ledger.credit(
        world.adult,
        source="live",
        minutes=20,
        day=timezone.localdate(),
        key=f"live:{live_class.pk}:{world.adult.pk}",
        record=live_class,
    )
    ledger.reverse(attended, by=world.caseworker, reason="误记")
    progress = LessonProgress.objects.create(
        supervisee=world.adult, lesson=courses.lesson, intervals=[[0, 120]], covered_seconds=120
    )
    assert complete_if_due(progress)
    assert HourCredit.objects.get(key=f"lesson:{progress.pk}").minutes == 30
