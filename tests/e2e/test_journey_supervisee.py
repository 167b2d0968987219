"""The supervisee's journey through the seeded demo: the demo newcomer on a phone, then on a
desktop a person the caseworker has just opened a sign-in for. Each signs in with the initial
password and must change it, finds every page leading to the first lesson, watches it for real
and passes its quiz, gets the certificate, sees this month's theme first and the hours
credited, checks in to a group class with the code on the caseworker's screen, asks to be
referred to a place found in the directory, and joins the live class on air. The demo is
seeded once for both (it takes the better part of a minute)."""

import io
import re
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone

from courses.models import CourseCompletion, GroupAttendance, GroupSession, HourCredit
from courses.models.ledger import STUDY_SOURCES
from courses.templatetags.courses_tags import hours
from live.models import Lease, LiveClass
from portal.actions import create_supervisee_account
from portal.demo import DEMO_PASSWORD
from portal.models import Organisation, Region, User
from resources.models import Referral
from tests.asgi import start_server, stop_server
from tests.conftest import make_supervisee

from .conftest import PHONE, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
NEW_PASSWORD = "Zaozhuang-2026-xin"
VIDEO = "document.querySelector('figure[data-player] video')"


def seed_demo() -> None:
    """`make seed`: the demo data and its search index. In a thread of its own: the session's
    browser keeps an event loop in this one, and the demo's live class encodes with
    async_to_sync."""
    failures = []

    def load():
        try:
            call_command("seed_demo", stdout=io.StringIO())
            call_command("search_rebuild", stdout=io.StringIO())
        except Exception as exc:  # raised again in the test's own thread
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=load)
    thread.start()
    thread.join(timeout=240)
    assert not thread.is_alive(), "seeding the demo took too long"
    if failures:
        raise failures[0]


@pytest.fixture
def demo_url(transactional_db):
    """The seeded demo under daphne (pages and the live class's socket), reporting lesson
    progress every three seconds so the test need not wait long."""
    seed_demo()
    process, url = start_server(env={"COURSES_REPORT_SECONDS": "3"})
    yield url
    stop_server(process)


def open_account_for_new_person() -> tuple[User, str]:
    """A person of 中心街 for whom the caseworker opens a sign-in: the user and the initial
    password shown once."""
    office = Organisation.objects.get(name="中心街街道司法所")
    person = make_supervisee(office, Region.objects.get(code="370402001"), name="陈立新")
    request = RequestFactory().post("/")
    request.user = User.objects.get(username="caseworker")
    return create_supervisee_account(request, person)


def projector_check_in_url(session: GroupSession, base_url: str) -> str:
    """The check-in address the caseworker's projector shows as a QR code right now."""
    caseworker = Client()
    caseworker.force_login(User.objects.get(username="caseworker"))
    code = caseworker.get(f"/study/groups/{session.pk}/code.json").json()
    assert "<svg" in code["svg"]
    return code["url"].replace("http://testserver", base_url)


def study_minutes_this_month(person) -> int:
    month = timezone.localdate().replace(day=1)
    credits = HourCredit.objects.filter(supervisee=person, month=month, source__in=STUDY_SOURCES)
    return sum(credits.values_list("minutes", flat=True))


def main_text(page) -> str:
    return page.inner_text("#main")


def test_supervisee_journeys_on_phone_and_desktop(demo_url, new_page):
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.must_change_password
    journey(new_page(**PHONE), demo_url, newcomer, DEMO_PASSWORD)

    registered, initial_password = open_account_for_new_person()
    journey(new_page(**DESKTOP), demo_url, registered, initial_password)
    # Both were in the same room, on their own devices.
    session = GroupSession.objects.get(title="心理健康讲座：情绪管理")
    assert session.attendance.filter(via="qr").count() == 2
    assert session.attendance.values("device").distinct().count() == 2


def journey(page, base_url: str, user: User, initial_password: str) -> None:
    person = user.supervisee

    # First sign-in with the initial password: a new one must be chosen before anything else.
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", initial_password)
    page.click("#main form button[type=submit]")
    page.wait_for_url("**/accounts/password/change/")
    assert "请先设置新密码，然后再继续操作。" in main_text(page)
    page.goto(f"{base_url}/directory/")
    page.wait_for_url("**/accounts/password/change/")
    page.fill("input[name=oldpassword]", initial_password)
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.click("#main form button[type=submit]")
    page.wait_for_selector("text=密码修改成功。")
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)

    # The first lesson comes first: other pages lead to it.
    for path in ("/workspace/", "/directory/", "/live/", "/study/hours/"):
        page.goto(f"{base_url}{path}")
        assert page.url.endswith("/courses/first-lesson/"), path
    assert page.inner_text("h1") == "入矫第一课"
    assert "请先完成入矫第一课，再使用平台的其他功能。" in main_text(page)
    assert "下载学习证明" not in main_text(page)

    # The lesson: its quiz first (the page comes back), then the video played through at a
    # brisk rate (with room below the fastest allowed, which a report delayed on a busy machine
    # would exceed); the lesson completes as the player's reports cover it.
    page.click("ol.lessons >> text=社区矫正须知")
    page.wait_for_url("**/courses/first-lesson/notice/")
    page.check("text=事先经社区矫正机构批准")
    page.click("#quiz button[type=submit]")
    page.wait_for_selector("text=你已通过本测验。")
    assert not page.is_visible("[data-complete]")
    page.focus("figure[data-player] video")
    page.keyboard.press("Space")
    wait_until(page, f"() => !{VIDEO}.paused && {VIDEO}.currentTime > 0.5", timeout=30)
    page.evaluate(f"{VIDEO}.playbackRate = 1.5")
    page.wait_for_selector("[data-complete]", state="visible", timeout=60_000)
    # Playing on to the end sends a last report or two (on pause and on end, at once): the
    # learner is still told the lesson is complete, not that progress was refused.
    wait_until(page, f"() => {VIDEO}.ended", timeout=30)
    page.wait_for_timeout(1500)
    assert page.inner_text("[data-lesson-progress] [data-status]") == "本课已完成。"
    assert int(page.inner_text("[data-percent]")) >= 90
    completion = CourseCompletion.objects.get(supervisee=person, course__slug="first-lesson")
    assert HourCredit.objects.get(supervisee=person, source="video").minutes == 60

    # The course page now offers the certificate, and the rest of the platform opens.
    page.click("main >> text=入矫第一课")
    page.wait_for_url("**/courses/first-lesson/")
    certificate = page.locator("a", has_text="下载学习证明（PDF）")
    assert certificate.get_attribute("href") == f"/study/certificates/{completion.pk}.pdf"
    response = page.request.get(f"{base_url}/study/certificates/{completion.pk}.pdf")
    assert response.ok and response.body().startswith(b"%PDF")

    # Courses: this month's themes come first, before the courses for this stage.
    page.click('nav >> text="课程"')
    page.wait_for_url("**/courses/")
    headings = page.locator("#main h2").all_inner_texts()
    themes = [i for i, heading in enumerate(headings) if heading.startswith("本月")]
    assert themes and max(themes) < headings.index("为你推荐的课程"), headings
    assert any("遵纪守法" in headings[i] for i in themes)
    assert "遵纪守法" not in page.inner_text("section[aria-labelledby=courses-heading]")
    page.click("#main section.panel h3 >> text='遵纪守法'")
    page.wait_for_url("**/courses/law-abiding/")
    assert page.inner_text("h1") == "遵纪守法"
    assert "遵纪守法从我做起" in page.inner_text("ol.lessons")

    # The hours page counts the lesson's hour this month.
    page.click("nav >> text=我的学时")
    page.wait_for_url("**/study/hours/")
    month = page.locator("section[aria-labelledby=month-heading]").inner_text()
    done = hours(study_minutes_this_month(person))
    assert re.search(rf"学习\n{re.escape(done)}/\d+ 小时", month), month
    credits = page.locator("section[aria-labelledby=credits-heading]").inner_text()
    assert "视频课程 · 60 分钟" in credits
    assert "入矫第一课" in page.locator("section[aria-labelledby=certs-heading]").inner_text()

    # Group class: the code on the caseworker's screen, opened on this device.
    session = GroupSession.objects.get(title="心理健康讲座：情绪管理")
    page.goto(projector_check_in_url(session, base_url))
    assert "心理健康讲座：情绪管理" in main_text(page)
    page.click("text=确认签到")
    page.wait_for_selector("text=签到（")
    assert "你已于" in main_text(page)
    attendance = GroupAttendance.objects.get(session=session, supervisee=person)
    assert attendance.via == "qr" and attendance.status == "present"

    # The directory: search for training, ask to be referred to a place.
    page.click("nav >> text=就业与公益")
    page.wait_for_url("**/directory/")
    page.fill("input[name=q]", "培训")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/directory/?*q=*")
    results = page.inner_text("ol.search-results")
    assert "家政服务培训" in results and "电焊工培训班" in results
    assert "电子厂操作工" not in results  # 济宁, far from home
    page.click("ol.search-results >> text=家政服务培训")
    page.wait_for_url("**/directory/openings/*/")
    assert page.inner_text("h1").startswith("家政服务培训")
    page.fill("textarea[name=note]", "想学一门手艺，周末也可以上课。")
    page.locator("#main form button", has_text="申请转介").click()
    page.wait_for_url("**/directory/my-referrals/")
    assert "你的申请已提交给司法所工作人员，审核后将转介到基地。" in main_text(page)
    assert "家政服务培训" in main_text(page)
    referral = Referral.objects.get(supervisee=person, opening__title="家政服务培训")
    assert referral.requested_by_supervisee and referral.status == "requested"
    assert referral.note == "想学一门手艺，周末也可以上课。"

    # The live class on air: the page shows and its socket connects (presence recorded).
    page.click("nav >> text=直播课堂")
    page.wait_for_url("**/live/")
    live_class = LiveClass.objects.get(title="每月一主题：遵纪守法（直播）")
    page.click(f"a[href='/live/{live_class.key}/']")
    assert page.inner_text("h1") == "每月一主题：遵纪守法（直播）"
    wait_until(
        page,
        "() => document.querySelector('[data-status]').textContent.includes('已连接')",
        timeout=30,
    )
    assert Lease.objects.filter(live_class=live_class, supervisee=person).exists()
