"""The officials' region dashboard: suppression, scope, export, and numbers that add up."""

import io

import pytest
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook

from insights.dashboard import FOLLOWS, SMALL, TOTAL, Dashboard, protect
from portal.models import Region, Supervisee, User
from tests.conftest import make_supervisee

pytestmark = pytest.mark.django_db

URL = "/insights/dashboard/"


# --- suppression -------------------------------------------------------------------------------


def test_counts_below_five_are_withheld_and_cannot_be_subtracted_back():
    values = {
        ("a", "x"): 3,
        ("a", "y"): 7,
        ("a", "z"): 9,
        ("a", "all"): 19,
        ("b", "x"): 6,
        ("b", "y"): 8,
        ("b", "z"): 0,
        ("b", "all"): 14,
        (TOTAL, "x"): 9,
        (TOTAL, "y"): 15,
        (TOTAL, "z"): 9,
        (TOTAL, "all"): 33,
    }
    rows = ["a", "b", TOTAL]
    lines = [tuple((r, c) for c in ("x", "y", "z", "all")) for r in rows]
    lines += [tuple((r, c) for r in rows) for c in ("x", "y", "z", "all")]
    hidden = protect(values, lines)
    assert ("a", "x") in hidden  # the small cell itself
    # Every line holding a withheld cell holds at least two, so none can be worked out.
    for line in lines:
        assert len([k for k in line if k in hidden]) != 1
    # ...and nothing is withheld that need not be: the zero and the grand total stay.
    assert ("b", "z") not in hidden and (TOTAL, "all") not in hidden


def test_amounts_follow_the_people_they_were_given_to():
    values = {("a", "helped"): 2, ("a", "volunteer_hours"): 40, ("b", "helped"): 9}
    values |= {("b", "volunteer_hours"): 3, (TOTAL, "helped"): 11, (TOTAL, "volunteer_hours"): 43}
    assert FOLLOWS["volunteer_hours"] == "helped"
    hidden = protect(values, [])
    assert ("a", "volunteer_hours") in hidden  # two people's hours
    assert ("b", "volunteer_hours") not in hidden  # three hours of nine people: not a count


# --- the page ----------------------------------------------------------------------------------


def crowd(world, n: int, office=None, township=None, **extra):
    return [
        make_supervisee(
            office or world.zhongxin_office, township or world.zhongxin, name=f"甲{i}", **extra
        )
        for i in range(n)
    ]


def table(response, title: str) -> dict[str, dict[str, str]]:
    section = next(s for s in response.context["sections"] if s.title == title)
    return {row.label: dict(zip(section.headers, row.cells, strict=True)) for row in section.rows}


def test_official_sees_the_city_by_county_with_small_cells_withheld(world, client_for):
    crowd(world, 6)  # 中心街: 6 more adults on top of the world's adult and minor
    response = client_for(world.official).get(URL)
    assert response.status_code == 200
    people = table(response, "社区矫正对象")
    # 枣庄市 has one county in this world: 市中区 (8 + 赵六 = 9 active) and a total row.
    assert people["市中区"]["在矫人数"] == "9"
    assert people["市中区"]["普管"] == "9"
    assert people["市中区"]["未成年人"] == "<5"
    assert people["合计"]["在矫人数"] == "9"
    html = response.content.decode()
    assert "李小龙" not in html and "张三丰" not in html  # aggregates only
    assert 'id="dashboard-charts"' in html and "insights/charts.js" in html


def test_drill_down_stays_inside_the_officials_region(world, client_for):
    crowd(world, 5)
    client = client_for(world.official)
    county = client.get(URL, {"region": "370402"})
    assert county.status_code == 200
    rows = table(county, "社区矫正对象")
    assert set(rows) == {"中心街街道", "矿区街道", "合计"}
    assert rows["矿区街道"]["在矫人数"] == "<5"  # 赵六 alone
    # 7 at 中心街 with the total of 8 would give 矿区 away: withheld in turn.
    assert rows["中心街街道"]["在矫人数"] == "*"
    assert rows["合计"]["在矫人数"] == "8"
    assert client.get(URL, {"region": "370402001"}).status_code == 200
    assert client.get(URL, {"region": "370800"}).status_code == 404  # 济宁: another city
    assert client.get(URL, {"region": "370000"}).status_code == 404  # above the own region
    county_official = client_for(world.county_official)
    assert county_official.get(URL, {"region": "370400"}).status_code == 404
    assert county_official.get(f"{URL}export.xlsx", {"region": "370400"}).status_code == 404
    assert client_for(world.caseworker).get(URL).status_code == 403


def test_export_is_the_published_table(world, client_for):
    crowd(world, 6)
    client = client_for(world.official)
    page = table(client.get(URL, {"region": "370402"}), "社区矫正对象")
    response = client.get(f"{URL}export.xlsx", {"region": "370402"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["社区矫正对象"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    exported = {r[0]: dict(zip(header[1:], r[1:], strict=True)) for r in rows[1:]}
    assert exported == page
    assert exported["矿区街道"]["在矫人数"] == "<5"


def direct_counts(region: Region, year: int) -> dict[str, int]:
    from live.models import Attendance
    from resources.models import Referral
    from volunteers.models import AssistanceLog, MentoringSession

    people = Supervisee.objects.filter(judicial_office__region__path__startswith=region.path)
    active = people.filter(status="active")
    approved = {"hours_status": "approved", "held_on__year": year}
    helped = set(
        AssistanceLog.objects.filter(supervisee__in=people, **approved).values_list(
            "supervisee", flat=True
        )
    ) | set(
        MentoringSession.objects.filter(pairing__supervisee__in=people, **approved).values_list(
            "pairing__supervisee", flat=True
        )
    )
    return {
        "active": active.count(),
        "strict": active.filter(supervision_level="strict").count(),
        "standard": active.filter(supervision_level="standard").count(),
        "lenient": active.filter(supervision_level="lenient").count(),
        "minors": active.filter(is_minor=True).count(),
        "released": people.filter(status="released", ended_on__year=year).count(),
        "ref_total": Referral.objects.filter(supervisee__in=people, created_at__year=year).count(),
        "ref_started": Referral.objects.filter(
            supervisee__in=people, created_at__year=year, status="started"
        ).count(),
        "helped": len(helped),
        "attendees": Attendance.objects.filter(
            supervisee__in=people, live_class__starts_at__year=year, seconds__gt=0
        )
        .values("supervisee")
        .distinct()
        .count(),
        "live_seconds": Attendance.objects.filter(
            supervisee__in=people, live_class__starts_at__year=year
        ).aggregate(s=Sum("seconds"))["s"]
        or 0,
    }


def test_numbers_equal_a_direct_count_on_the_demo_data():
    from courses import demo as courses_demo
    from live import demo as live_demo
    from portal import demo
    from resources import demo as resources_demo
    from volunteers import demo as volunteers_demo

    today = timezone.localdate()
    demo.load(today)
    courses_demo.load(today)
    resources_demo.load()
    volunteers_demo.load()
    live_demo.load()
    official = User.objects.get(username="official")
    for region in (Region.objects.get(code="370400"), Region.objects.get(code="370402")):
        board = Dashboard(region, today)
        expected = direct_counts(region, today.year)
        for column in ("active", "strict", "standard", "lenient", "minors", "released"):
            assert board.values[(TOTAL, column)] == expected[column], column
        for column in ("ref_total", "ref_started", "helped", "attendees"):
            assert board.values[(TOTAL, column)] == expected[column], column
        assert board.values[(TOTAL, "live_hours")] == round(expected["live_seconds"] / 3600)
        # What is published is the count itself, or a withheld mark where the count is small.
        for (row, column), value in list(board.values.items()):
            shown = board.cell(row, column)
            if 0 < value < SMALL and column not in FOLLOWS:
                assert shown == "<5"
            elif shown not in ("*",):
                assert shown == str(value)
    # The compliance page, person by person, agrees with the month's compliance count.
    from courses.compliance import rows_for, scope

    rows = [
        r
        for r in rows_for(official, scope(official))
        if r.supervisee.judicial_office.region.path.startswith("/370000/370400/")
    ]
    board = Dashboard(Region.objects.get(code="370400"), today)
    assert board.values[(TOTAL, "met")] == len([r for r in rows if not r.is_short])
    assert board.values[(TOTAL, "met")] + board.values[(TOTAL, "not_met")] == len(rows)
