"""The demo has a class on air for the demo supervisee and one tomorrow."""

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
