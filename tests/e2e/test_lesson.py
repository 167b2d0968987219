"""Acceptance: a supervisee on a phone watches a lesson; progress is saved, a reload resumes,
skipping ahead does not count, and the lesson completes only after enough real playback."""

import pytest

from courses.models import HourCredit, LessonProgress
from media import processing, samples
from media.models import Video
from tests.conftest import World, wait_for
from tests.courses.conftest import Courses

from .conftest import PHONE, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
VIDEO = "document.querySelector('figure[data-player] video')"
# The player's keys work once its script has set the figure up (a slow phone takes a while).
READY = "() => document.querySelector('figure[data-player]').dataset.playerReady === '1'"


def percent(page) -> int:
    return int(page.inner_text("[data-percent]"))


def test_watching_a_lesson_on_a_phone(live_server, new_page, tmp_path, settings):
    settings.COURSES_REPORT_SECONDS = 2  # report often, so the test need not wait long
    world = World()
    courses = Courses(world)
    source = samples.generate(tmp_path / "lesson.mp4", seconds=12, width=640, height=360)
    video = Video(title="社区矫正须知", original_name="lesson.mp4")
    with source.open("rb") as handle:
        from django.core.files import File

        video.original.save("lesson.mp4", File(handle), save=False)
    video.save()
    processing.process(video.pk)
    lesson = courses.orientation_lesson
    lesson.video = Video.objects.get(pk=video.pk)
    lesson.save_revision().publish()

    page = new_page(**PHONE)
    sign_in(page, live_server.url, "supervisee", "pw-supervisee")
    # The first lesson comes first.
    page.goto(f"{live_server.url}/workspace/")
    assert page.url.endswith("/courses/first-lesson/")
    page.click("text=认识社区矫正")
    wait_until(page, READY)
    page.focus("figure[data-player] video")
    page.keyboard.press("Space")
    wait_until(page, f"() => {VIDEO}.currentTime > 5", timeout=60)
    wait_until(page, "() => Number(document.querySelector('[data-percent]').textContent) >= 30")

    # Skipping to the end is refused by the player and would not count anyway.
    page.evaluate(f"{VIDEO}.currentTime = 11.5")
    page.wait_for_timeout(300)
    assert page.evaluate(f"{VIDEO}.currentTime") < 9
    page.evaluate(f"{VIDEO}.pause()")
    paused_at = page.evaluate(f"{VIDEO}.currentTime")
    progress = wait_for(
        lambda: LessonProgress.objects.filter(
            supervisee=world.adult, lesson=lesson, position__gte=paused_at - 0.05
        ).first(),
        timeout=10,
        what="the pause to be reported",
    )
    assert progress.completed_at is None
    assert not page.is_visible("[data-complete]")
    assert 4 <= progress.covered_seconds <= 9
    saved_at = progress.position

    # Reloading resumes where playback stopped.
    page.reload()
    resume = float(page.get_attribute("figure[data-player]", "data-resume-at"))
    assert resume == pytest.approx(saved_at, abs=0.2) and resume > 4
    assert percent(page) >= 30
    wait_until(page, READY)
    page.focus("figure[data-player] video")
    page.keyboard.press("Space")
    wait_until(page, f"() => {VIDEO}.currentTime >= {resume}")
    assert page.evaluate(f"{VIDEO}.currentTime") >= resume - 0.5

    # Watching the rest completes the lesson, credits it, and opens the platform.
    page.wait_for_selector("[data-complete]", state="visible", timeout=60_000)
    progress.refresh_from_db()
    assert progress.completed_at is not None
    assert progress.covered_seconds >= 0.9 * lesson.video.duration
    assert HourCredit.objects.filter(supervisee=world.adult, source="video").count() == 1
    page.goto(f"{live_server.url}/workspace/")
    assert page.url.endswith("/workspace/")
