"""A live class in two browsers: the presenter on a desktop broadcasts from a (generated)
camera and microphone, a supervisee on a phone watches the HLS stream, chats and answers the
presenter's poll; the presenter ends the class and the attendance dashboard shows both."""

import pytest

from live.models import BroadcastRun, LiveClass
from tests.conftest import World
from tests.live.conftest import make_class

from .conftest import PHONE, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_chat_poll_and_attendance(asgi_server, new_page):
    world = World()
    live_class = make_class(world, title="宪法宣传周直播")
    live_class.presenters.add(world.official)
    page_url = f"{asgi_server}/live/{live_class.key}/"

    desk = new_page(viewport={"width": 1280, "height": 900})
    sign_in(desk, asgi_server, "official", "pw-official", totp_user=world.official)
    desk.goto(page_url)
    phone = new_page(**PHONE)
    sign_in(phone, asgi_server, "supervisee", "pw-supervisee")
    phone.click("nav >> text=直播课堂")
    phone.click("text=宪法宣传周直播")
    for page in (desk, phone):
        wait_until(
            page, "() => document.querySelector('[data-status]').textContent.includes('已连接')"
        )

    desk.click("text=用摄像头和麦克风开播")
    wait_until(
        desk,
        "() => document.querySelector('[data-broadcast-status]').textContent.includes('正在直播')",
    )
    wait_until(phone, "() => document.querySelector('[data-live-off]').hidden", timeout=20)
    # The stream starts by itself where the browser allows it; otherwise the viewer presses
    # Space, whether the browser plays HLS itself or the page brings in hls.js.
    video = "document.querySelector('[data-live-player] video')"
    phone.wait_for_timeout(3000)
    if phone.evaluate(f"() => {video}.paused"):
        phone.focus("[data-live-player] video")
        phone.keyboard.press(" ")
    # The phone plays the stream: its clock runs on real segments from the presenter's camera.
    wait_until(
        phone,
        f"() => !{video}.paused && {video}.currentTime > 2 && {video}.videoWidth > 0",
        timeout=40,
    )

    phone.fill("#chat-text", "老师好")
    phone.click("[data-chat-form] button")
    wait_until(
        desk, "() => document.querySelector('[data-chat]').textContent.includes('张三丰：老师好')"
    )

    desk.fill("#poll-q", "社区矫正期间可以出国吗？")
    desk.fill("#poll-c", "可以\n不可以")
    desk.click("text=发起投票")
    wait_until(phone, "() => !document.querySelector('[data-poll]').hidden")
    phone.click("[data-poll-choices] >> text=不可以")
    wait_until(
        desk, "() => document.querySelectorAll('[data-poll-choices] progress')[1].value === 1"
    )

    desk.click("text=结束课堂并计入学时")
    desk.wait_for_url("**/attendance/")
    row = desk.inner_text("tbody tr")
    assert "张三丰" in row
    cells = [cell.strip() for cell in row.split("\t")]
    assert cells[4:6] == ["1", "1"]  # one message, one poll answer
    wait_until(
        phone, "() => document.querySelector('[data-status]').textContent.includes('无法进入')"
    )
    assert LiveClass.objects.get().status == "ended"
    run = BroadcastRun.objects.get()
    assert run.started_by == world.official and run.ended_at is not None
