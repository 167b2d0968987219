"""Browser journeys: Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A generated camera and microphone, allowed without a prompt (the live broadcast test).
MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/test.sh installs it in CI")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM calls around it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*ARGS, *MEDIA_ARGS]
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, request, tmp_path):
    """Open pages in fresh contexts; a failing test leaves screenshots in test-results/."""
    contexts = []

    def make(**options):
        context = browser.new_context(locale="zh-CN", **options)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) and request.node.rep_call.failed
    for i, context in enumerate(contexts):
        if failed:
            out = Path("test-results") / request.node.name
            out.mkdir(parents=True, exist_ok=True)
            for j, page in enumerate(context.pages):
                page.screenshot(path=str(out / f"context{i}-page{j}.png"), full_page=True)
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def sign_in(page, base_url: str, username: str, password: str, totp_user=None) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("#main form button[type=submit]")
    if totp_user is not None:
        from portal.demo import current_totp

        page.wait_for_url("**/2fa/authenticate/**")
        wait_for_fresh_totp_step()
        page.fill("input[name=code]", current_totp(totp_user)[1])
        page.click("#main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/" not in url)


def wait_for_fresh_totp_step(margin: int = 5) -> None:
    """Codes are accepted only within their own 30-second step; one typed in the
    step's last seconds may reach the server in the next one and be refused."""
    from allauth.mfa import app_settings

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < margin:
        time.sleep(left + 0.1)


def wait_until(page, function: str, timeout: float = 30, interval: float = 0.1):
    """Poll a JS function until it returns something truthy.

    Playwright's wait_for_function compiles its predicate with eval, which the site's
    Content-Security-Policy (rightly) forbids; page.evaluate is not subject to it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = page.evaluate(function)
        if result:
            return result
        page.wait_for_timeout(interval * 1000)
    raise AssertionError(f"timed out after {timeout}s waiting for {function}")


@pytest.fixture
def asgi_server(transactional_db):
    """The project's ASGI application under daphne in its own process, on the test database:
    the pages and the websockets together, as in production."""
    from tests.asgi import start_server, stop_server

    process, url = start_server()
    yield url
    stop_server(process)


def seed_demo_data(settings) -> None:
    """The demo data, as `manage.py seed_demo` loads it, with background tasks run at once.

    Seeding runs in a thread of its own: the demo's live class broadcasts through
    async_to_sync, which refuses to run where Playwright's event loop already runs."""
    import threading

    from django.core.management import call_command
    from django.db import connections

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "media"],
        }
    }
    failure = []

    def seed():
        try:
            with open(os.devnull, "w") as quiet:
                call_command("seed_demo", stdout=quiet)
        except Exception as error:  # raised again below, in the test's thread
            failure.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=seed)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
