"""Acceptance: an editor uploads a video in the Wagtail admin and a viewer watches it play."""

import pytest
from django.contrib.auth.models import Group

from media import samples
from media.models import Status, Video
from portal.models import Organisation, Region, Role
from tests.conftest import make_user

from .conftest import PHONE, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
NO_NATIVE_HLS = """
const canPlay = HTMLMediaElement.prototype.canPlayType;
HTMLMediaElement.prototype.canPlayType = function (type) {
  return type.includes("mpegurl") ? "" : canPlay.call(this, type);
};
"""


def playing_past(page, seconds: float) -> None:
    wait_until(
        page, f"() => document.querySelector('figure[data-player] video').currentTime > {seconds}"
    )


def test_upload_with_progress_then_processing_then_playback(
    live_server, worker_process, new_page, tmp_path
):
    region = Region.objects.create(code="370400", name="枣庄市", level="city")
    agency = Organisation.objects.create(name="枣庄市局", kind="agency", region=region)
    editor = make_user("editor", Role.EDITOR, agency)
    editor.groups.add(Group.objects.get(name="Editors"))
    make_user("viewer")
    source = samples.generate(tmp_path / "lesson.mp4", seconds=12, width=1280, height=720)
    worker_process()

    admin = new_page(viewport={"width": 1280, "height": 900})
    sign_in(admin, live_server.url, "editor", "pw-editor", totp_user=editor)
    admin.goto(f"{live_server.url}/admin/snippets/media/video/add/")
    admin.fill("input[name=title]", "入矫第一课")
    admin.set_input_files("input[name=original]", str(source))
    # A slow uplink, so the progress bar has time to move.
    cdp = admin.context.new_cdp_session(admin)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 400_000},
    )
    admin.click("button.action-save")
    wait_until(
        admin,
        "() => { const bar = document.querySelector('.video-upload-progress progress');"
        " return bar && bar.value > 0 && bar.value < 100; }",
        interval=0.05,
    )
    assert "正在上传" in admin.inner_text(".video-upload-progress")

    admin.wait_for_url("**/admin/snippets/media/video/edit/**", timeout=60_000)
    admin.wait_for_selector(
        "[data-video-status=processing] [data-percent]:not([hidden])", timeout=60_000
    )
    admin.wait_for_selector("[data-video-status=ready]", timeout=120_000)
    video = Video.objects.get()
    assert video.status == Status.READY
    assert "观看" in admin.inner_text("[data-video-panel]")

    # On a phone, with the browser's own HLS support.
    phone = new_page(**PHONE)
    sign_in(phone, live_server.url, "viewer", "pw-viewer")
    phone.goto(f"{live_server.url}/video/{video.pk}/")
    phone.focus("figure[data-player] video")
    phone.keyboard.press("Space")
    playing_past(phone, 1.5)

    # Where the browser has no HLS of its own, hls.js is fetched on demand and plays.
    desktop = new_page()
    desktop.add_init_script(NO_NATIVE_HLS)
    sign_in(desktop, live_server.url, "viewer", "pw-viewer")
    desktop.goto(f"{live_server.url}/video/{video.pk}/")
    assert desktop.evaluate("typeof window.Hls") == "undefined"
    desktop.click(".player__start")
    playing_past(desktop, 1.5)
    assert desktop.evaluate("typeof window.Hls") == "function"
