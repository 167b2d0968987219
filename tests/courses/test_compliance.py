"""The compliance view, its exports and API: right numbers, own scope only, masked minors."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from courses import ledger
from courses.models import Reflection
from courses.warnings import send_hour_warnings, warn_short
from portal.models import Notification

from .conftest import complete_orientation

pytestmark = pytest.mark.django_db


@pytest.fixture
def hours(world):
    today = timezone.localdate()
    ledger.credit(
        world.adult, source="video", minutes=240, day=today, key="v1", record=world.caseworker
    )
    ledger.credit(
        world.adult, source="service", minutes=480, day=today, key="s1", record=world.caseworker
    )
    return today


def test_rows_show_hours_against_the_requirement(world, courses, hours, client_for):
    complete_orientation(world.adult, courses)
    response = client_for(world.caseworker).get("/study/compliance/")
    rows = {r.supervisee: r for r in response.context["rows"]}
    assert set(rows) == {world.adult, world.minor}
    adult = rows[world.adult]
    assert (adult.study.done, adult.study.required) == (270, 480)  # 30 from the first lesson
    assert (adult.service.done, adult.service.required) == (480, 480)
    assert not adult.orientation_overdue
    assert rows[world.minor].orientation_overdue  # started 60 days ago, no first lesson
    assert rows[world.minor].person.name == "李小龙"  # the own caseworker sees a minor's name


def test_filters_and_sorting(world, courses, hours, client_for):
    Reflection.objects.create(supervisee=world.minor, lesson=courses.lesson, text="x" * 30)
    client = client_for(world.caseworker)
    overdue = client.get("/study/compliance/?show=overdue").context["rows"]
    assert {r.supervisee for r in overdue} == {world.adult, world.minor}
    reflections = client.get("/study/compliance/?show=reflections").context["rows"]
    assert [r.supervisee for r in reflections] == [world.minor]
    by_shortfall = client.get("/study/compliance/").context["rows"]
    assert by_shortfall[0].supervisee == world.minor  # nothing done: the largest shortfall
    by_study = client.get("/study/compliance/?sort=study").context["rows"]
    assert by_study[-1].supervisee == world.adult


def test_exports_open_in_excel(world, hours, client_for):
    client = client_for(world.caseworker)
    workbook = load_workbook(io.BytesIO(client.get("/study/compliance/export.xlsx").content))
    sheet = workbook.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][1] == "姓名"
    assert {row[1] for row in values[1:]} == {"张三丰", "李小龙"}
    csv = client.get("/study/compliance/export.csv").content.decode("utf-8-sig")
    assert "张三丰" in csv and "赵六" not in csv


def test_other_regions_get_404_on_rows_exports_and_api(world, hours, client_for):
    outsider = client_for(world.jining_official)
    assert outsider.get(f"/study/compliance/{world.adult.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/compliance/{world.adult.pk}").status_code == 404
    assert "张" not in outsider.get("/study/compliance/export.csv").content.decode("utf-8-sig")
    assert world.adult.pk not in [r["id"] for r in outsider.get("/api/v1/compliance").json()]
    neighbour = client_for(world.other_caseworker)
    assert neighbour.get(f"/study/compliance/{world.adult.pk}/").status_code == 404
    inside = client_for(world.official)
    row = inside.get(f"/api/v1/compliance/{world.adult.pk}").json()
    assert row["study_minutes"]["done"] == 240
    assert row["service_minutes"]["projected_shortfall"] == 0


def test_a_minor_is_masked_for_the_social_worker(world, client_for):
    rows = client_for(world.social_worker).get("/api/v1/compliance").json()
    minor = next(r for r in rows if r["id"] == world.minor.pk)
    assert minor["name"] == "李**" and minor["masked"]


def test_reflections_are_reviewed_by_the_caseworker(world, courses, client_for):
    reflection = Reflection.objects.create(
        supervisee=world.adult, lesson=courses.lesson, text="我认识到遵纪守法的重要性。" * 3
    )
    assert (
        client_for(world.other_caseworker)
        .post(f"/study/reflections/{reflection.pk}/review/", {"note": "x"})
        .status_code
        == 404
    )
    client_for(world.caseworker).post(
        f"/study/reflections/{reflection.pk}/review/", {"note": "写得很好"}
    )
    reflection.refresh_from_db()
    assert reflection.reviewed_by == world.caseworker and reflection.review_note == "写得很好"


def test_warnings_reach_the_short_and_their_caseworkers_once(world, hours, settings):
    today = timezone.localdate()
    end = today.replace(day=28) + datetime.timedelta(days=4)
    last_day = end - datetime.timedelta(days=end.day)
    assert send_hour_warnings(last_day - datetime.timedelta(days=20)) == 0  # too early
    sent = warn_short(last_day - datetime.timedelta(days=2))
    # The adult is short of study hours; the caseworker hears about the office once.
    assert Notification.objects.filter(user=world.supervisee_user).count() == 1
    assert Notification.objects.filter(user=world.caseworker).count() == 1
    assert sent == 2
    assert warn_short(last_day - datetime.timedelta(days=1)) == 0
    note = Notification.objects.get(user=world.supervisee_user)
    assert note.link == "/study/hours/"


def test_my_hours_page(world, courses, hours, client_for):
    complete_orientation(world.adult, courses)
    page = client_for(world.supervisee_user).get("/study/hours/")
    assert page.status_code == 200
    row = page.context["row"]
    assert (row.study.done, row.service.done) == (270, 480)
    assert [m["study"] for m in page.context["history"]] == [270]
