"""Courses on the shared world: a first lesson, a general, a minors' and a local course."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import Page

from courses.models import CourseIndexPage, CoursePage, LessonPage
from media.models import Video
from portal.models import HomePage


def ready_video(duration: float = 60, title: str = "课程视频") -> Video:
    """A video the pipeline has finished (no files needed for coverage rules)."""
    return Video.objects.create(
        title=title, status="ready", duration=duration, rendition_dir="r1", width=640, height=360
    )


def add_course(parent: Page, title: str, **fields) -> CoursePage:
    regions = fields.pop("regions", [])
    course = parent.add_child(instance=CoursePage(title=title, **fields))
    if regions:
        course.regions.set(regions)
        course.save_revision().publish()
    return course


def add_lesson(
    course: CoursePage, title: str, *, duration: float | None = 60, **fields
) -> LessonPage:
    video = ready_video(duration) if duration else None
    fields.setdefault("credited_minutes", 30)
    return course.add_child(instance=LessonPage(title=title, video=video, **fields))


class Courses:
    def __init__(self, world):
        home = HomePage.objects.first()
        self.index = home.add_child(instance=CourseIndexPage(title="课程", slug="courses"))
        self.orientation = add_course(
            self.index, "入矫第一课", slug="first-lesson", kind="orientation"
        )
        self.orientation_lesson = add_lesson(self.orientation, "认识社区矫正", slug="intro")
        self.general = add_course(self.index, "法治教育", slug="law", kind="general")
        self.lesson = add_lesson(self.general, "宪法与公民", slug="constitution", duration=120)
        self.minors_only = add_course(
            self.index, "未成年人成长课", slug="youth", kind="targeted", age_group="minors"
        )
        add_lesson(self.minors_only, "成长的烦恼", slug="growing")
        self.jining_only = add_course(
            self.index, "济宁专题", slug="jining", kind="targeted", regions=[world.jining]
        )
        add_lesson(self.jining_only, "运河文化", slug="canal")


@pytest.fixture
def courses(world) -> Courses:
    return Courses(world)


def complete_orientation(supervisee, courses: Courses) -> None:
    """Mark the first lesson as done, as if it had been watched."""
    from courses.actions import complete_if_due
    from courses.models import LessonProgress

    progress, _ = LessonProgress.objects.get_or_create(
        supervisee=supervisee, lesson=courses.orientation_lesson
    )
    progress.intervals = [[0, 60]]
    progress.covered_seconds = 60
    progress.save()
    assert complete_if_due(progress)


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)
