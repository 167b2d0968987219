"""The closed loop in two browsers: a caseworker refers from the ranked openings, the base
accepts on a phone, and the caseworker sees the new status."""

import pytest

from tests.conftest import World
from tests.resources.conftest import Directory

from .conftest import PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_caseworker_refers_and_operator_accepts(live_server, new_page):
    world = World()
    directory = Directory(world)
    world.adult.skills.add(directory.electrician)
    world.adult.needs = ["employment"]
    world.adult.save()

    desk = new_page(viewport={"width": 1280, "height": 900})
    sign_in(desk, live_server.url, "caseworker", "pw-caseworker", totp_user=world.caseworker)
    desk.click("nav >> text=社区矫正对象")
    desk.click(f"a[href='/supervisees/{world.adult.pk}/']")
    desk.click("text=匹配岗位并转介")
    desk.wait_for_url(f"**/directory/match/{world.adult.pk}/")
    first = desk.locator("ol.matches > li").first
    assert "电工学徒" in first.inner_text()
    reasons = first.locator("ul.reasons").inner_text()
    assert "技能相符：电工" in reasons and "符合需求：就业" in reasons and "公里" in reasons
    first.locator("button", has_text="转介").click()
    desk.wait_for_url("**/directory/referrals/*/")
    assert desk.inner_text("#referral-status") == "已转介"
    referral_url = desk.url

    phone = new_page(**PHONE)
    sign_in(phone, live_server.url, "operator", "pw-operator")
    phone.click("nav >> text=我的基地")
    inbox = phone.locator("ul.inbox").inner_text()
    assert "张**" in inbox and "张三丰" not in inbox
    phone.click("ul.inbox a")
    assert phone.inner_text("#referral-status") == "已签收"
    page_text = phone.inner_text("#main")
    assert "盗窃" not in page_text and world.adult.id_number not in page_text
    phone.click("button[data-step=accept]")
    phone.wait_for_selector("text=转介状态已更新为“已受理”")
    assert phone.inner_text("#referral-status") == "已受理"

    desk.goto(referral_url)
    assert desk.inner_text("#referral-status") == "已受理"
    history = desk.inner_text("ol.timeline")
    assert "已签收" in history and "已受理" in history
    directory.job.refresh_from_db()
    assert directory.job.slots_available == 2
