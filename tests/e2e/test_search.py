"""A supervisee searches on a phone: suggestions while typing, highlighted results for their
own audience only, a facet to narrow them, and a result that opens."""

import pytest

from tests.conftest import World
from tests.courses.conftest import Courses, complete_orientation

from .conftest import PHONE, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_searching_courses_on_a_phone(live_server, new_page, settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "media"],
        }
    }
    world = World()
    courses = Courses(world)  # each page is indexed as its save commits
    complete_orientation(world.adult, courses)

    page = new_page(**PHONE)
    sign_in(page, live_server.url, "supervisee", "pw-supervisee")
    page.click("nav >> text=搜索")
    page.fill("#search-q", "宪")
    options = wait_until(
        page,
        "() => [...document.querySelectorAll('#search-suggestions option')].map(o => o.value)",
    )
    assert options == ["宪法与公民"]

    page.fill("#search-q", "法治")
    page.click("form.search-form button[type=submit]")
    page.wait_for_url("**/search/?q=*")
    results = page.inner_text("ol.search-results")
    assert "法治教育" in results and "宪法与公民" in results
    assert "济宁" not in results  # another region's course is not for this person
    assert page.inner_html("ol.search-results").count("<mark>法治</mark>") >= 2
    assert "共 2 条结果" in page.inner_text("#main")

    page.click("aside.facets >> text=课程")
    page.wait_for_url("**kind=course*")
    assert "共 1 条结果" in page.inner_text("#main")
    page.click("ol.search-results a")
    page.wait_for_url(f"**{courses.general.url}")
    assert page.inner_text("h1") == "法治教育"
