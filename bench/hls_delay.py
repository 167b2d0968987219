"""Glass-to-glass delay of the presenter's browser broadcast.

The deployment is the fan-out benchmark's (PostgreSQL, Redis, SERVER_PROCESSES daphne processes
on one address, DEBUG off). Chromium stands in for a presenter's camera with a generated video
file whose every frame shows its own number as two rows of black and white blocks (the second
row inverted, so a misread frame is discarded). The presenter's page broadcasts it exactly as a
presenter would (MediaRecorder, the broadcast socket, ffmpeg, HLS); a viewer's page in another
browser context plays the class's stream in the platform's player.

Both pages read the frame number off every frame they show (the presenter's preview, the
viewer's player) and note the time. The delay of a frame is when the viewer saw it minus when
the presenter's camera showed it: one browser, one clock. Warm-up frames are dropped.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench import fanout, progress

ROOT = progress.ROOT
SECONDS = int(os.environ.get("BENCH_HLS_SECONDS", "60"))
WARM_UP = 10
TARGET_P95 = 8.0
FPS, WIDTH, HEIGHT, FRAMES = 15, 320, 180, 600  # a 40 s loop: longer than any delay
BITS = 10
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")


def camera_file(target: Path) -> Path:
    """A Y4M video of FRAMES frames, each showing its number in two rows of blocks."""
    y_size, c_size = WIDTH * HEIGHT, (WIDTH // 2) * (HEIGHT // 2)
    block = WIDTH // BITS
    band = HEIGHT // 4
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for number in range(FRAMES):
            luma = bytearray(b"\x80" * y_size)
            for bit in range(BITS):
                on = (number >> (BITS - 1 - bit)) & 1
                for row, value in ((0, on), (1, 1 - on)):
                    shade = 235 if value else 16
                    for y in range(row * band + 4, (row + 1) * band - 4):
                        start = y * WIDTH + bit * block + 3
                        luma[start : start + block - 6] = bytes([shade]) * (block - 6)
            out.write(b"FRAME\n")
            out.write(luma)
            out.write(b"\x80" * (2 * c_size))
    return target


# Reads the frame number off a video element on every frame it presents; keeps [number, ms].
WATCH = """({ selector, bits, frames }) => {
  const video = document.querySelector(selector);
  const canvas = document.createElement("canvas");
  canvas.width = bits * 4; canvas.height = 8;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  window.seenFrames = [];
  function read() {
    context.drawImage(video, 0, 0, canvas.width, canvas.height * 2);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let number = 0;
    for (let bit = 0; bit < bits; bit++) {
      const x = bit * 4 + 2, top = (1 * canvas.width + x) * 4, bottom = (5 * canvas.width + x) * 4;
      const a = pixels[top] + pixels[top + 1] + pixels[top + 2];
      const b = pixels[bottom] + pixels[bottom + 1] + pixels[bottom + 2];
      if (Math.abs(a - b) < 240) return null;  // not a clean frame
      number = number * 2 + (a > b ? 1 : 0);
    }
    return number;
  }
  function frame() {
    if (video.videoWidth) {
      const number = read();
      if (number !== null && number < frames) window.seenFrames.push([number, Date.now()]);
    }
    video.requestVideoFrameCallback(frame);
  }
  video.requestVideoFrameCallback(frame);
}"""


def run() -> list[dict]:
    with fanout.deployment("bench-hls-") as (port, seed, work):
        camera = camera_file(work / "camera.y4m")
        return _rows(_measure(f"http://127.0.0.1:{port}", seed, camera))


def _measure(url: str, seed: dict, camera: Path) -> list[float]:
    from playwright.sync_api import sync_playwright

    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={camera}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    page_url = f"{url}/live/{seed['key']}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        presenter = _page(browser, url, seed["presenter"])
        presenter.goto(page_url)
        presenter.evaluate(WATCH, _watching("[data-broadcast-preview]"))
        viewer = _page(browser, url, seed["listeners"][0])
        viewer.goto(page_url)
        viewer.evaluate(WATCH, _watching("[data-live-player] video"))
        presenter.click("[data-broadcast-start=camera]")
        started = time.monotonic()
        # The viewer presses play once the broadcast appears, as a person would.
        viewer.wait_for_selector("[data-live-off]", state="hidden", timeout=60_000)
        viewer.click("[data-live-player] .player__start")
        while time.monotonic() - started < SECONDS:
            time.sleep(5)
            seen = viewer.evaluate("() => window.seenFrames.length")
            print(f"  {time.monotonic() - started:4.0f} s: the viewer has shown {seen} frames")
        shown = presenter.evaluate("() => window.seenFrames")
        played = viewer.evaluate("() => window.seenFrames")
        browser.close()
    return _delays(shown, played)


def _watching(selector: str) -> dict:
    return {"selector": selector, "bits": BITS, "frames": FRAMES}


def _page(browser, url: str, session: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session, "url": url}])
    return context.new_page()


def _delays(shown: list, played: list) -> list[float]:
    """For each frame the viewer showed, its delay after the latest showing of that number on
    the presenter's side before it; the first WARM_UP seconds of playback are left out."""
    by_number: dict[int, list[int]] = {}
    for number, at in shown:
        by_number.setdefault(number, []).append(at)
    if not played:
        return []
    start = played[0][1] + WARM_UP * 1000
    delays = []
    for number, at in played:
        earlier = [t for t in by_number.get(number, ()) if t <= at]
        if at >= start and earlier:
            delays.append((at - max(earlier)) / 1000)
    return delays


def _rows(delays: list[float]) -> list[dict]:
    if not delays:
        return [
            {
                "work": "HLS glass-to-glass delay",
                "figure": "no frame reached the viewer",
                "target": f"p95 ≤ {TARGET_P95:g} s",
                "ok": False,
            }
        ]
    delays = sorted(delays)
    p50, p95 = fanout._percentile(delays, 50), fanout._percentile(delays, 95)
    return [
        {
            "work": f"HLS glass-to-glass delay, {len(delays)} frames over {SECONDS - WARM_UP} s",
            "figure": f"p50 {p50:.1f} s, p95 {p95:.1f} s",
            "target": f"p95 ≤ {TARGET_P95:g} s",
            "ok": p95 <= TARGET_P95,
        }
    ]
