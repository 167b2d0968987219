"""The seeded demo, one journey per role that is not a supervisee: the caseworker (desk and
phone), the social worker, the mentor, the base operator, the official (desk and phone) and the
editor, each signing in with the demo password (and a second factor for staff)."""

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from portal.demo import DEMO_PASSWORD
from portal.models import Membership, Organisation, Supervisee, User
from tests.conftest import restore_database

from .conftest import PHONE, seed_demo_data, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
DESK = {"viewport": {"width": 1280, "height": 900}}

# Seeding makes and transcodes the demo videos (half a minute or more): done once, then the
# database as seeded is put back before each journey.
_seeded: list[str] = []


@pytest.fixture
def demo(live_server, settings) -> str:
    from django.db import connection

    if _seeded:
        restore_database(_seeded[0])
    else:
        seed_demo_data(settings)
        _seeded.append(connection.creation.serialize_db_to_string())
    return live_server.url


def staff_sign_in(page, url: str, username: str) -> User:
    user = User.objects.get(username=username)
    sign_in(page, url, username, DEMO_PASSWORD, totp_user=user)
    return user


def fact(page, label: str) -> str:
    """The value next to a label in a facts list."""
    return page.locator(
        f"xpath=//dl[contains(@class,'facts')]/dt[.='{label}']/following-sibling::dd[1]"
    ).first.inner_text()


def office_people():
    office = Organisation.objects.get(name="中心街街道司法所")
    return Supervisee.objects.filter(judicial_office=office, status=Supervisee.Status.ACTIVE)


def test_caseworker_at_the_desk(demo, new_page):
    from insights.models import OpportunityDecision

    people = office_people()
    desk = new_page(**DESK)
    staff_sign_in(desk, demo, "caseworker")
    desk.goto(f"{demo}/workspace/")
    assert "欢迎您，刘建华。" in desk.inner_text("#main")
    assert desk.inner_text("p.stat") == f"{people.count()} 在矫"

    # 工作提示: someone may move to 宽管; the proposal opens the level form filled in.
    desk.click("nav >> text=工作提示")
    lighter = desk.locator("section.panel", has=desk.locator("h2", has_text="可考虑降低管理等级"))
    candidate = lighter.locator("ul.opportunities > li").first
    name = candidate.locator("strong").first.inner_text()
    person = people.get(name=name)
    assert person.supervision_level == "standard"
    assert "最近6个月学时和公益活动每月均达标" in candidate.inner_text()
    candidate.locator("button", has_text="提出调整管理等级").click()
    desk.wait_for_url(f"**/supervisees/{person.pk}/level/**")
    assert f"{name} 当前的管理等级为：普管。" in desk.inner_text("#main")
    assert desk.input_value("#id_level") == "lenient"
    proposed = desk.input_value("#id_reason")
    assert proposed
    desk.fill("#id_reason", proposed + " 经矫正小组评议同意。")
    desk.click("#main form button[type=submit]")
    desk.wait_for_url(f"**/supervisees/{person.pk}/")
    assert "管理等级已调整。" in desk.inner_text(".messages")
    assert fact(desk, "管理等级") == "宽管"
    person.refresh_from_db()
    assert person.supervision_level == "lenient"
    assert person.level_changes.latest("changed_at").reason.endswith("经矫正小组评议同意。")
    assert OpportunityDecision.objects.filter(supervisee=person, action="acted").exists()

    # The person's timeline starts with the change and its reason.
    desk.click("#main >> text=时间线")
    desk.wait_for_url(f"**/mentoring/people/{person.pk}/timeline/")
    latest = desk.locator("ol.person-timeline > li").first.inner_text()
    assert "管理等级：宽管" in latest and "经矫正小组评议同意。" in latest

    # The prompt is gone: the record no longer matches the rule.
    desk.click("nav >> text=工作提示")
    desk.wait_for_url("**/insights/opportunities/")
    assert lighter.locator("li", has_text=name).count() == 0

    # 学时达标: the newcomer's first lesson is overdue, and theirs is the only one.
    newcomer = Supervisee.objects.get(user__username="newcomer")
    desk.click("nav >> text=学时达标")
    assert "学时达标情况" in desk.inner_text("h1")
    assert desk.locator("tbody tr").count() == people.count()
    desk.select_option("#id_show", "overdue")
    desk.click("form.filters button[type=submit]")
    desk.wait_for_url("**show=overdue**")
    rows = desk.locator("tbody tr")
    assert rows.count() == 1
    assert newcomer.name in rows.first.inner_text() and "逾期" in rows.first.inner_text()

    # 集中教育: the class coming up, someone marked present, the check-in screen.
    desk.click("nav >> text=集中教育")
    upcoming = desk.locator("#main ul.list > li", has_text="已安排").first
    title = upcoming.locator("a").inner_text()
    upcoming.locator("a").click()
    desk.wait_for_url("**/study/groups/*/")
    assert desk.inner_text("h1") == title
    assert fact(desk, "已签到") == "0 / 30"
    row = desk.locator("tbody tr").first
    attendee = row.locator("td").first.inner_text()
    row.locator("select").select_option("present")
    with desk.expect_navigation():
        row.locator("button", has_text="保存").click()
    assert fact(desk, "已签到") == "1 / 30"
    assert "出席" in desk.locator("tbody tr", has_text=attendee).first.inner_text()
    with desk.expect_popup() as popup:
        desk.click("text=打开签到屏幕")
    screen = popup.value
    screen.wait_for_load_state()
    assert screen.inner_text("h1") == title
    wait_until(screen, "() => document.querySelector('[data-code] svg') !== null")
    assert screen.inner_text("[data-count]") == "1"
    assert "/study/check-in/?t=" in screen.get_attribute("[data-code]", "data-url")


def test_caseworker_on_a_phone(demo, new_page):
    from insights.models import OpportunityDecision
    from portal.models import Violation

    people = office_people()
    person = people.filter(is_minor=False, supervision_level="strict").order_by("pk").first()
    today = timezone.localdate()
    violations_before = Violation.objects.filter(supervisee=person).count()

    phone = new_page(**PHONE)
    staff_sign_in(phone, demo, "caseworker")
    phone.click("nav >> text=社区矫正对象")
    phone.click(f"a[href='/supervisees/{person.pk}/']")
    phone.wait_for_url(f"**/supervisees/{person.pk}/")
    assert phone.inner_text("h1") == person.name
    phone.click("text=登记违规")
    # Nothing chosen: refused, and what was typed stays.
    phone.fill("#id_description", "未按规定时间报到，经电话联系后到所说明情况。")
    phone.click("#main form button[type=submit]")
    phone.wait_for_selector(".field.has-error")
    assert phone.locator(".field.has-error").count() == 2  # the date and the measure
    assert phone.input_value("#id_description") == "未按规定时间报到，经电话联系后到所说明情况。"
    phone.fill("#id_occurred_on", today.isoformat())
    phone.select_option("#id_measure", "admonition")
    phone.click("#main form button[type=submit]")
    phone.wait_for_url(f"**/supervisees/{person.pk}/")
    assert "违规记录已登记。" in phone.inner_text(".messages")
    violations = phone.inner_text("xpath=//h2[.='违规记录']/following-sibling::ol[1]")
    assert "训诫" in violations and "未按规定时间报到" in violations
    assert Violation.objects.filter(supervisee=person).count() == violations_before + 1
    violation = Violation.objects.filter(supervisee=person).latest("pk")
    assert violation.measure == "admonition" and violation.occurred_on == today

    # 工作提示: a shortfall prompt dismissed, first without a reason (refused), then with one.
    phone.click("nav >> text=工作提示")
    shortfall = phone.locator(
        "section.panel", has=phone.locator("h2", has_text="连续多月学时不达标")
    )
    item = shortfall.locator("ul.opportunities > li").first
    name = item.locator("strong").first.inner_text()
    item_id = item.get_attribute("id")
    item.locator("summary", has_text="不予处理").click()
    item.locator("button", has_text="按此原因不予处理").click()
    phone.wait_for_selector(f"li#{item_id} .field.has-error")
    item = phone.locator(f"li#{item_id}")
    assert item.locator(".field.has-error").count() == 1
    if item.locator("details").get_attribute("open") is None:
        item.locator("summary").click()
    item.get_by_label("已在办理中").check()
    item.locator("textarea").fill("已约谈，下周补学。")
    with phone.expect_navigation():
        item.locator("button", has_text="按此原因不予处理").click()
    phone.wait_for_url("**/insights/opportunities/")
    assert "已不予处理，原因已记录。" in phone.inner_text(".messages")
    assert phone.locator(f"li#{item_id}").count() == 0
    decision = OpportunityDecision.objects.get(action="dismissed")
    assert decision.supervisee.name == name
    assert (decision.reason, decision.note) == ("handled", "已约谈，下周补学。")


def test_social_worker_records_help_with_a_follow_up(demo, new_page):
    from volunteers.models import AssistanceLog

    today = timezone.localdate()
    phone = new_page(**PHONE)
    social_worker = staff_sign_in(phone, demo, "social_worker")
    phone.click("nav >> text=我的服务对象")
    overdue = phone.locator("ul.follow-ups > li.overdue").first
    overdue_text = overdue.inner_text()
    assert "逾期" in overdue_text
    row = phone.locator("tbody tr", has=phone.locator(".badge", has_text="逾期")).first
    name = row.locator("th").inner_text()
    assert name in overdue_text
    person = Supervisee.objects.get(name=name, caseload_assignments__social_worker=social_worker)
    before = AssistanceLog.objects.filter(supervisee=person).count()

    row.locator("text=填写帮扶记录").click()
    phone.wait_for_url(f"**/mentoring/people/{person.pk}/assistance/new/")
    assert phone.input_value("input[name=held_on]") == today.isoformat()
    phone.select_option("select[name=kind]", "dibao")
    phone.fill("input[name=minutes]", "40")
    phone.fill("textarea[name=summary]", "电话询问低保审批进度，街道已受理。")
    phone.fill("textarea[name=outcome]", "预计两周内出结果。")
    phone.fill("input[name=follow_up]", "陪同到民政办领取低保证")
    due = today + datetime.timedelta(days=14)
    phone.fill("input[name=follow_up_due]", due.isoformat())
    phone.click("#main form button[type=submit]")
    phone.wait_for_url("**/mentoring/assistance/*/")
    assert "帮扶记录已保存。" in phone.inner_text(".messages")
    assert "电话询问低保审批进度" in phone.inner_text("#main")
    log = AssistanceLog.objects.filter(supervisee=person).latest("pk")
    assert AssistanceLog.objects.filter(supervisee=person).count() == before + 1
    assert (log.kind, log.minutes, log.follow_up_due) == ("dibao", 40, due)
    assert log.hours_status == "pending"

    # The old follow-up is done now; the new one waits in the list.
    phone.click("nav >> text=我的服务对象")
    with phone.expect_navigation():
        phone.locator("ul.follow-ups > li.overdue").first.locator(
            "button", has_text="标记完成"
        ).click()
    phone.wait_for_url("**/mentoring/caseload/")
    assert "已标记跟进完成。" in phone.inner_text(".messages")
    follow_ups = phone.inner_text("ul.follow-ups")
    assert "逾期" not in follow_ups
    assert f"{due.isoformat()} · {name} · 陪同到民政办领取低保证" in follow_ups
    assert AssistanceLog.objects.filter(follow_up_done_on=today).count() == 1


def test_mentor_logs_a_session_on_a_phone(demo, new_page):
    from volunteers.models import MentoringSession, Pairing

    pairing = Pairing.objects.get(mentor__username="mentor", status="active")
    mentee = pairing.supervisee
    today = timezone.localdate()
    sessions = MentoringSession.objects.filter(pairing=pairing).count()

    phone = new_page(**PHONE)
    sign_in(phone, demo, "mentor", DEMO_PASSWORD)
    phone.click("nav >> text=我的帮教对象")
    card = phone.locator("ul.mentees > li", has_text=mentee.name)
    assert "上次见面" in card.inner_text() and today.isoformat() not in card.inner_text()
    # Mentors never see what the person was convicted of.
    assert mentee.get_offence_category_display() not in phone.inner_text("body")
    card.locator("text=记录一次帮教").click()
    phone.wait_for_url(f"**/mentoring/pairings/{pairing.pk}/sessions/new/")
    assert phone.input_value("input[name=held_on]") == today.isoformat()
    phone.fill("input[name=minutes]", "45")
    phone.select_option("select[name=mode]", "in_person")
    phone.fill("input[name=topic]", "模拟面试，准备下周的招聘会")
    phone.fill("input[name=mentee_feedback]", "心里更有底了")
    phone.click("#main form button[type=submit]")
    phone.wait_for_url("**/mentoring/")
    assert "帮教记录已保存。" in phone.inner_text(".messages")
    card = phone.locator("ul.mentees > li", has_text=mentee.name)
    assert f"上次见面 {today.isoformat()}" in card.inner_text()
    assert MentoringSession.objects.filter(pairing=pairing).count() == sessions + 1

    card.locator("text=历次帮教").click()
    phone.wait_for_url(f"**/mentoring/pairings/{pairing.pk}/")
    latest = phone.locator("ol.timeline > li").first.inner_text()
    assert today.isoformat() in latest and "面谈 · 45 分钟 · 模拟面试，准备下周的招聘会" in latest


def test_operator_answers_a_referral_and_posts_an_opening(demo, new_page):
    from resources.models import Opening, Referral

    operator = User.objects.get(username="operator")
    referral = (
        Referral.objects.for_operator(operator)
        .filter(status="sent")
        .select_related("opening", "supervisee")
        .get()
    )
    slots = referral.opening.slots_available

    awaiting = Referral.objects.for_operator(operator).filter(status__in=["sent", "received"])
    waiting = awaiting.count()

    phone = new_page(**PHONE)
    sign_in(phone, demo, "operator", DEMO_PASSWORD)
    phone.goto(f"{demo}/workspace/")
    assert f"{waiting} 个转介等待你答复。" in phone.inner_text("#main")
    phone.click("nav >> text=我的基地")
    inbox = phone.inner_text("ul.inbox")
    assert referral.supervisee.name not in inbox  # names are masked
    entry = phone.locator(
        "ul.inbox > li", has=phone.locator(f"a[href='/directory/referrals/{referral.pk}/']")
    )
    assert "已转介" in entry.inner_text()
    entry.locator("a").click()
    phone.wait_for_url(f"**/directory/referrals/{referral.pk}/")
    assert phone.inner_text("#referral-status") == "已签收"  # opening it acknowledges it
    page_text = phone.inner_text("#main")
    assert referral.supervisee.name not in page_text
    assert referral.supervisee.get_offence_category_display() not in page_text
    phone.click("button[data-step=accept]")
    phone.wait_for_selector("text=转介状态已更新为“已受理”")
    assert phone.inner_text("#referral-status") == "已受理"
    referral.refresh_from_db()
    referral.opening.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.opening.slots_available == slots - 1
    phone.goto(f"{demo}/workspace/")
    assert f"{waiting - 1} 个转介等待你答复。" in phone.inner_text("#main")

    # A new opening at the first base: refused without its essentials, then posted.
    phone.click("nav >> text=我的基地")
    base = phone.locator("section.panel", has=phone.locator("text=发布岗位")).first
    base_name = base.locator("h2").inner_text()
    base.locator("text=发布岗位").click()
    phone.wait_for_url("**/openings/new/")
    phone.fill("#id_description", "持C1驾照优先，提供岗前培训。")
    phone.click("#main form button[type=submit]")
    phone.wait_for_selector(".field.has-error")
    assert phone.locator(".field.has-error").count() == 3  # kind, title and places
    assert phone.input_value("#id_description") == "持C1驾照优先，提供岗前培训。"
    phone.select_option("#id_kind", "job")
    phone.fill("#id_title", "叉车司机")
    phone.get_by_label("驾驶").check()
    phone.fill("#id_slots_total", "2")
    phone.fill("#id_pay_min", "3500")
    phone.fill("#id_pay_max", "4500")
    phone.fill("#id_schedule", "白班，周末双休")
    phone.click("#main form button[type=submit]")
    phone.wait_for_url("**/directory/operator/")
    assert "岗位已保存。" in phone.inner_text(".messages")
    listed = phone.locator("section.panel", has_text=base_name).locator("li", has_text="叉车司机")
    assert "就业岗位 · 招募中 · 剩余 2 / 2 个名额" in listed.inner_text()
    opening = Opening.objects.get(title="叉车司机")
    assert list(opening.skills.values_list("name", flat=True)) == ["驾驶"]

    # Edited: one more place, and paused for now.
    listed.locator("a").click()
    phone.wait_for_url(f"**/directory/operator/openings/{opening.pk}/")
    assert phone.input_value("#id_title") == "叉车司机"
    phone.fill("#id_slots_total", "3")
    phone.select_option("#id_status", "paused")
    phone.click("#main form button[type=submit]")
    phone.wait_for_url("**/directory/operator/")
    listed = phone.locator("li", has_text="叉车司机")
    assert "暂停" in listed.inner_text() and "3 / 3" in listed.inner_text()
    opening.refresh_from_db()
    assert (opening.status, opening.slots_total) == ("paused", 3)


def test_official_dashboard_and_export_at_the_desk(demo, new_page):
    desk = new_page(accept_downloads=True, **DESK)
    staff_sign_in(desk, demo, "official")
    desk.click("nav >> text=地区数据看板")
    assert desk.inner_text("h1") == "地区数据看板：枣庄市"
    people = desk.locator("section.panel", has=desk.locator("h2", has_text="社区矫正对象")).first
    total = people.locator("tr.total td").first.inner_text()
    in_zaozhuang = (
        Supervisee.objects.active()
        .filter(judicial_office__region__path__contains="/370400/")
        .count()
    )
    assert total == str(in_zaozhuang)
    # No name of anyone under supervision on a dashboard.
    names = set(Supervisee.objects.values_list("name", flat=True))
    assert not any(name in desk.inner_text("#main") for name in names)

    # Drill down to a county; the export is of what is shown.
    people.locator("a", has_text="市中区").click()
    desk.wait_for_url("**region=370402**")
    assert desk.inner_text("h1") == "地区数据看板：市中区"
    assert "枣庄市" in desk.inner_text("nav.breadcrumb")
    with desk.expect_download() as download:
        desk.click("text=导出 Excel")
    name = download.value.suggested_filename
    assert name.startswith("dashboard-370402-") and name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "社区矫正对象" in book.sheetnames
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert "中心街街道" in cells
    assert not names & set(cells)


def test_official_approves_hours_and_a_volunteer_on_a_phone(demo, new_page):
    from volunteers.models import AssistanceLog, MentoringSession

    pending = sum(
        model.objects.filter(hours_status="pending").count()
        for model in (MentoringSession, AssistanceLog)
    )
    assert pending >= 3  # the demo's three, one of them a mentor's

    phone = new_page(**PHONE)
    staff_sign_in(phone, demo, "official")
    phone.click("nav >> text=志愿服务时长")
    assert phone.inner_text("#pending-heading") == f"{pending} 条记录待审核"
    session = MentoringSession.objects.get(hours_status="pending")
    entry = phone.locator(f"li[data-entry='session-{session.pk}']")
    assert "褚德明" in entry.inner_text()
    with phone.expect_navigation():
        entry.locator("button", has_text="审核通过").click()
    phone.wait_for_url("**/mentoring/hours/")
    assert "已认定。" in phone.inner_text(".messages")
    assert phone.inner_text("#pending-heading") == f"{pending - 1} 条记录待审核"
    session.refresh_from_db()
    assert session.hours_status == "approved" and session.hours_decided_by.username == "official"

    # Not counted, with a reason (the browser asks for one first).
    entry = phone.locator("ul.hours > li").first
    key = entry.get_attribute("data-entry")
    reason = entry.locator("input[name=reason]")
    entry.locator("button", has_text="不予认定").click()
    assert reason.evaluate("input => input.validity.valueMissing")  # not sent without one
    reason.fill("与本人工作职责重合")
    with phone.expect_navigation():
        entry.locator("button", has_text="不予认定").click()
    phone.wait_for_url("**/mentoring/hours/")
    assert "已标记为不予认定。" in phone.inner_text(".messages")
    assert phone.inner_text("#pending-heading") == f"{pending - 2} 条记录待审核"
    assert phone.locator(f"li[data-entry='{key}']").count() == 0

    # The volunteer waiting for approval.
    phone.click("nav >> text=志愿者申请")
    pending = phone.locator("section.panel", has_text="蒋立群")
    assert "退休教师，愿意帮助青少年。" in pending.inner_text()
    pending.locator("input[name=note]").fill("已面谈，同意加入。")
    with phone.expect_navigation():
        pending.locator("button", has_text="审核通过").click()
    phone.wait_for_url("**/volunteer-applications/")
    assert "已批准该志愿者的申请。" in phone.inner_text(".messages")
    assert "蒋立群 · 枣庄市五老志愿服务队 · 有效" in phone.inner_text("ul.list")
    membership = Membership.objects.get(user__username="volunteer_applicant")
    assert membership.status == Membership.Status.ACTIVE


def test_editor_writes_news_and_submits_it_for_review(demo, new_page, settings):
    from portal.models import NewsIndexPage, NewsPage, Region

    # The admin's autosave is not what this journey is about (see test_content.py).
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    news = NewsIndexPage.objects.get()
    zaozhuang = Region.objects.get(code="370400")
    today = timezone.localdate()

    desk = new_page(**DESK)
    staff_sign_in(desk, demo, "editor")
    desk.goto(f"{demo}/workspace/")
    desk.click("#main >> text=进入内容编辑")
    desk.wait_for_url("**/admin/")
    desk.goto(f"{demo}/admin/pages/{news.pk}/")  # 工作动态 in the page explorer
    desk.click(f"a[href='/admin/pages/{news.pk}/add_subpage/']")
    # News is the only kind of page there: the form opens straight away.
    desk.wait_for_url(f"**/admin/pages/add/portal/newspage/{news.pk}/")
    desk.fill("#id_title", "社区矫正宣传周走进社区")
    desk.select_option("#id_region", str(zaozhuang.pk))
    desk.fill("#id_date", today.isoformat())
    desk.fill("#id_summary", "宣传周期间，各司法所在社区开展法律咨询。")
    desk.locator(".c-sf-add-button").first.click()
    desk.click(".w-combobox__option >> text=正文")
    desk.click(".public-DraftEditor-content")
    desk.keyboard.type("市民可以就社区矫正相关问题现场咨询。")
    wait_until(
        desk,
        "() => [...document.querySelectorAll('input[type=hidden]')]"
        ".some(i => i.value.includes('现场咨询'))",
    )
    with desk.expect_navigation():
        desk.evaluate(
            "() => { const b = document.querySelector('button[name=action-submit]');"
            " setTimeout(() => b.form.requestSubmit(b), 0); }"
        )
    desk.wait_for_url(f"**/admin/pages/{news.pk}/")
    assert "社区矫正宣传周走进社区" in desk.inner_text("main")
    item = NewsPage.objects.get(title="社区矫正宣传周走进社区")
    assert not item.live and item.region == zaozhuang
    state = item.current_workflow_state
    assert state is not None and state.workflow.name == "地区审核"
    assert state.requested_by.username == "editor"

    # The region's official finds it waiting for review.
    official = new_page(**DESK)
    staff_sign_in(official, demo, "official")
    official.goto(f"{demo}/admin/")
    dashboard = official.inner_text("main")
    assert "等待你的审查" in dashboard
    assert "社区矫正宣传周走进社区" in dashboard.split("等待你的审查", 1)[1]
