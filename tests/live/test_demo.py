"""The demo has a class on air for the demo supervisee, one tomorrow, and one held three
days ago with its make-up lesson."""

import pytest

from live import demo
from live.access import classes_for
from live.models import LiveClass
from portal import demo as portal_demo
from portal.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_class_on_air_for_the_supervisee():
    portal_demo.load()
    demo.load()
    demo.load()
    assert LiveClass.objects.count() == 2
    on_air = LiveClass.objects.get(title=demo.ON_AIR)
    supervisee = User.objects.get(username="supervisee")
    assert on_air.status == "live" and on_air in classes_for(supervisee)
    assert on_air.presenters.filter(username="official").exists()


def test_the_demo_class_held_three_days_ago_has_its_make_up_lesson():
    from courses import demo as courses_demo

    portal_demo.load()
    courses_demo.load()
    demo.load()
    demo.load()
    held = LiveClass.objects.get(title=demo.HELD)
    assert held.status == "ended" and held.runs.count() == 1
    lesson = held.replay
    assert lesson.live and lesson.get_parent().slug == "job-skills"
    assert lesson.video.status == "ready" and 19 <= lesson.video.duration <= 21
