"""Scheduling by officials, who sees which class, the calendar feed, ending a class and the
attendance dashboard with its exports."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from live.calendar import feed_token
from live.models import Lease, LiveClass
from tests.live.conftest import make_class

pytestmark = pytest.mark.django_db

LATER = timezone.localtime() + datetime.timedelta(days=2)


def values(**change) -> dict:
    data = {
        "title": "宪法宣传周直播",
        "starts_at": LATER.strftime("%Y-%m-%dT10:00"),
        "ends_at": LATER.strftime("%Y-%m-%dT11:00"),
        "audience": "adults",
        "attention_every_minutes": 0,
        "attention_answer_seconds": 60,
    }
    data.update(change)
    return data


def test_an_official_schedules_a_class_and_bad_input_is_refused(world, client_for):
    client = client_for(world.official)
    refused = client.post("/live/new/", values(ends_at=LATER.strftime("%Y-%m-%dT09:00")))
    assert refused.status_code == 400 and "结束" in refused.content.decode()
    assert "宪法宣传周直播" in refused.content.decode()  # nothing typed is lost
    assert client.post("/live/new/", values(audience="")).status_code == 400
    response = client.post("/live/new/", values())
    live_class = LiveClass.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/live/{live_class.key}/"
    assert (live_class.organiser, live_class.created_by) == (world.zz_agency, world.official)
    assert client_for(world.caseworker).get("/live/new/").status_code == 403


def test_a_studio_source_must_be_an_allowed_https_playlist(world, client_for, settings):
    settings.MEDIA_CSP_SOURCES = ["https://studio.example.cn"]
    client = client_for(world.official)
    for url, message in (
        ("https://elsewhere.example.com/live/index.m3u8", "MEDIA_CSP_SOURCES"),
        ("http://studio.example.cn/live/index.m3u8", "MEDIA_CSP_SOURCES"),
        ("https://studio.example.cn/live/stream.mp4", ".m3u8"),
    ):
        refused = client.post("/live/new/", values(hls_source_url=url))
        assert refused.status_code == 400 and message in refused.content.decode()
    source = "https://studio.example.cn/live/index.m3u8"
    assert client.post("/live/new/", values(hls_source_url=source)).status_code == 302
    live_class = LiveClass.objects.get()
    page = client_for(world.supervisee_user).get(f"/live/{live_class.key}/").content.decode()
    assert f'data-hls="{source}"' in page  # played in the platform's player
    # The organiser puts the studio-fed class on air.
    client.post(f"/live/{live_class.key}/on-air/")
    live_class.refresh_from_db()
    assert live_class.status == LiveClass.Status.LIVE
    assert (
        client_for(world.supervisee_user).post(f"/live/{live_class.key}/on-air/").status_code == 403
    )


def test_who_sees_which_class(world, client_for):
    adults = make_class(world, title="成人法治课")
    minors = make_class(world, title="未成年人成长课", audience="minors")
    jining = make_class(world, title="济宁专场", organiser=world.jn_agency)
    page = client_for(world.supervisee_user).get("/live/").content.decode()
    assert "成人法治课" in page and "未成年人成长课" not in page and "济宁专场" not in page
    supervisee = client_for(world.supervisee_user)
    assert supervisee.get(f"/live/{minors.key}/").status_code == 404
    assert supervisee.get(f"/live/{jining.key}/").status_code == 404
    assert supervisee.get(f"/live/{adults.key}/attendance/").status_code == 403
    official = client_for(world.jining_official)
    assert official.get(f"/live/{adults.key}/").status_code == 404
    assert official.get(f"/live/{adults.key}/attendance.xlsx").status_code == 404
    # The caseworker's people attend the city's class: the caseworker sees it, cannot run it.
    caseworker = client_for(world.caseworker)
    assert caseworker.get(f"/live/{adults.key}/").status_code == 200
    assert caseworker.get(f"/live/{adults.key}/attendance/").status_code == 404


def test_the_calendar_feed(world, client_for):
    live_class = make_class(world, title="法治, 教育; 第一讲")
    make_class(world, title="未成年人成长课", audience="minors")
    feed = client_for(world.supervisee_user).get(
        f"/live/calendar/{feed_token(world.supervisee_user)}.ics"
    )
    body = feed.content.decode()
    assert feed["Content-Type"].startswith("text/calendar")
    assert f"UID:{live_class.key}@" in body and "SUMMARY:法治\\, 教育\\; 第一讲" in body
    assert "未成年人成长课" not in body and body.count("BEGIN:VEVENT") == 1
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert client_for(world.supervisee_user).get("/live/calendar/forged.ics").status_code == 404


def test_ending_a_class_fills_the_dashboard_and_the_exports(world, client_for):
    live_class = make_class(world)
    start = live_class.starts_at
    Lease.objects.create(
        live_class=live_class,
        user=world.supervisee_user,
        supervisee=world.adult,
        opened_at=start,
        renewed_at=start + datetime.timedelta(minutes=42),
    )
    official = client_for(world.official)
    response = official.post(f"/live/{live_class.key}/end/", follow=True)
    page = response.content.decode()
    assert "张三丰" in page and "<td>42</td>" in page
    rows = list(
        load_workbook(
            io.BytesIO(official.get(f"/live/{live_class.key}/attendance.xlsx").content)
        ).active.values
    )
    assert (
        rows[0][:3] == ("姓名", "乡镇（街道）", "分钟")
        and rows[1][0] == "张三丰"
        and rows[1][2] == 42
    )
    csv = official.get(f"/live/{live_class.key}/attendance.csv").content.decode("utf-8-sig")
    assert "张三丰" in csv
    assert official.get(f"/live/{live_class.key}/attendance.pdf").status_code == 404
