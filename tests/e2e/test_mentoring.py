"""A mentor logs a session on a phone; the caseworker sees it on the person's timeline."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import World
from volunteers.models import MentoringSession, MentorProfile, Pairing

from .conftest import PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_mentor_logs_a_session_and_the_caseworker_sees_it(live_server, new_page):
    world = World()
    MentorProfile.objects.create(user=world.mentor, elder_kind="retired_teacher")
    Pairing.objects.create(
        mentor=world.mentor,
        supervisee=world.adult,
        status="active",
        proposed_by=world.caseworker,
        frequency="weekly",
        starts_on=timezone.localdate() - datetime.timedelta(days=14),
    )

    phone = new_page(**PHONE)
    sign_in(phone, live_server.url, "mentor", "pw-mentor")
    phone.click("nav >> text=我的帮教对象")
    assert "张三丰" in phone.inner_text("ul.mentees")
    phone.click("text=记录一次帮教")
    phone.fill("input[name=minutes]", "-10")
    phone.select_option("select[name=mode]", "phone")
    phone.fill("input[name=topic]", "求职准备与家庭沟通")
    phone.click("#main form button[type=submit]")
    assert "大于或等于1" in phone.inner_text("#main")
    assert phone.input_value("input[name=topic]") == "求职准备与家庭沟通"  # nothing typed is lost
    phone.fill("input[name=minutes]", "35")
    phone.click("#main form button[type=submit]")
    phone.wait_for_url("**/mentoring/")
    assert "帮教记录已保存" in phone.inner_text("#main")
    assert MentoringSession.objects.get().minutes == 35

    desk = new_page(viewport={"width": 1280, "height": 900})
    sign_in(desk, live_server.url, "caseworker", "pw-caseworker", totp_user=world.caseworker)
    desk.goto(f"{live_server.url}/supervisees/{world.adult.pk}/")
    desk.click("text=时间线")
    entries = desk.inner_text("ol.person-timeline")
    assert "求职准备与家庭沟通" in entries and "35 分钟" in entries


def test_social_worker_records_help_with_a_file_and_the_caseworker_opens_it(
    live_server, new_page, tmp_path
):
    world = World()
    world.social_worker.caseload.update(assigned_at=timezone.now() - datetime.timedelta(days=30))
    scan = tmp_path / "低保申请.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    today = timezone.localdate()

    phone = new_page(**PHONE)
    sign_in(
        phone, live_server.url, "social_worker", "pw-social_worker", totp_user=world.social_worker
    )
    phone.click("nav >> text=我的服务对象")
    phone.click("tr:has-text('张三丰') >> text=填写帮扶记录")
    phone.select_option("select[name=kind]", "dibao")
    phone.fill("input[name=held_on]", (today - datetime.timedelta(days=3)).isoformat())
    phone.fill("input[name=minutes]", "90")
    phone.fill("textarea[name=summary]", "协助准备低保申请材料")
    phone.fill("input[name=follow_up]", "询问审批结果")
    phone.fill("input[name=follow_up_due]", (today - datetime.timedelta(days=5)).isoformat())
    phone.set_input_files("input[name=files]", str(scan))
    phone.click("#main form button[type=submit]")
    # The follow-up is due before the help was given: refused, and what was typed is kept.
    assert "跟进期限不能早于记录当天" in phone.inner_text("#main")
    assert phone.input_value("textarea[name=summary]") == "协助准备低保申请材料"
    phone.fill("input[name=follow_up_due]", (today - datetime.timedelta(days=1)).isoformat())
    phone.set_input_files("input[name=files]", str(scan))
    phone.click("#main form button[type=submit]")
    assert "帮扶记录已保存" in phone.inner_text("#main")
    phone.click("nav >> text=我的服务对象")
    overdue = phone.inner_text("ul.follow-ups")
    assert "询问审批结果" in overdue and "逾期" in overdue

    desk = new_page(viewport={"width": 1280, "height": 900})
    sign_in(desk, live_server.url, "caseworker", "pw-caseworker", totp_user=world.caseworker)
    desk.goto(f"{live_server.url}/supervisees/{world.adult.pk}/")
    desk.click("text=时间线")
    desk.click("ol.person-timeline >> text=最低生活保障（低保）")
    with desk.expect_download() as download:
        desk.click("text=低保申请.pdf")
    assert download.value.suggested_filename == "低保申请.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-1.4")
