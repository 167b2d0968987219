"""The public pages, and every main page of every signed-in role on the demo data, pass
axe-core's checks with no serious or critical violation, on a phone and on a desktop; each
signed-in page's first load stays within the transfer budget for a cheap phone on a slow network.

axe-core comes from npm (a development dependency in package.json, installed by
scripts/browser-assets.sh); it is injected by the test only and never served by the site."""

import contextlib
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from portal import content_demo
from portal.models import LegalEducationPage, NewsPage, SuccessStoryPage
from tests.conftest import World

from .conftest import PHONE, seed_demo_data, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESK = {"viewport": {"width": 1280, "height": 900}}
BLOCKING = ("serious", "critical")
# Each violation as rule, impact, description and the selectors of the offending elements.
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.flat().join(' ')),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing; scripts/browser-assets.sh installs it")
        pytest.skip(f"{AXE} is not installed (scripts/browser-assets.sh, which needs npm)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def public_urls(settings) -> list[str]:
    """The demo's public content, indexed for search, with a story that shows a photo."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "media"],
        }
    }
    World()
    content_demo.load()
    story = SuccessStoryPage.objects.live().get(slug="electrician")
    story.photo = Image.objects.create(title="小李在维修店", file=get_test_image_file())
    story.photo_consent.save("consent.pdf", ContentFile(b"%PDF-1.4 signed"), save=False)
    story.save_revision().publish()
    article = LegalEducationPage.objects.live().get(slug="case-leave")
    news = NewsPage.objects.live().first()
    return [
        "/",
        "/stories/",
        story.url,
        "/legal/",
        "/legal/?tag=案例",
        article.url,
        "/news/",
        news.url,
        "/search/?q=电工",
        "/accounts/login/",
    ]


def violations(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("device", [PHONE, DESK], ids=["phone", "desktop"])
def test_public_pages_have_no_serious_or_critical_violation(
    live_server, new_page, public_urls, axe_source, device
):
    # The site's CSP forbids inline scripts (rightly); only this test's browser context
    # ignores it, to inject axe-core.
    page = new_page(bypass_csp=True, **device)
    found = []
    for url in public_urls:
        response = page.goto(f"{live_server.url}{url}")
        assert response.ok, f"{url} answered {response.status}"
        found += [
            f"{url}: {v['id']} ({v['impact']}) {v['help']}: {', '.join(v['targets'])}"
            for v in violations(page, axe_source)
            if v["impact"] in BLOCKING
        ]
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


# --- Signed-in pages: every main page of every role, on the seeded demo data ---------------

PASSWORD = "jz-demo-2026"
STAFF = {"caseworker", "social_worker", "official", "editor", "auditor"}
# First-load budget of a signed-in page, video left out (HLS playlists and segments, MP4).
BUDGET = 200 * 1024
VIDEO = re.compile(r"\.(m3u8|ts|m4s|mp4)$")
# What the project itself adds to Wagtail's admin (panels, the video status): violations there
# count like anywhere else; the rest of an admin page is Wagtail's own markup.
PROJECT_ADMIN_MARKUP = "[aria-labelledby=search-pending-heading], .video-status, [data-video-panel]"
RUN_AXE_OWNED = """async (own) => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.flat().join(' ')),
    ours: v.nodes.some(n => {
      const el = document.querySelector(n.target.flat()[0]);
      return !el || !!el.closest(own);
    }),
  }));
}"""


def first_link(pattern: str):
    """The first link, on the page checked just before, whose path matches `pattern`."""

    def find(page) -> str:
        for path in page.eval_on_selector_all("a[href]", "links => links.map(a => a.pathname)"):
            if re.fullmatch(pattern, path):
                return path
        raise AssertionError(f"no link matching {pattern} on {page.url}")

    return find


def role_pages() -> dict[str, list[tuple[str, object, bool]]]:
    """Per demo login, its main pages: (name, path or a function of the page checked before
    it, whether it is checked on a desktop too: every page is checked on a phone)."""
    from courses.models import CourseIndexPage, CoursePage, LessonPage
    from media.models import Video
    from portal.models import CaseloadAssignment, SuccessStoryPage, Supervisee
    from resources.models import Base
    from volunteers.models import Pairing

    orientation = CoursePage.objects.live().get(kind="orientation")
    course = CoursePage.objects.live().exclude(kind="orientation").first()
    person = Supervisee.objects.filter(
        judicial_office__name="中心街街道司法所", status=Supervisee.Status.ACTIVE
    ).first()
    case = CaseloadAssignment.objects.filter(social_worker__username="social_worker").first()
    pairing = Pairing.objects.filter(mentor__username="mentor", status="active").first()
    base = Base.objects.filter(operator__memberships__user__username="operator").first()
    story = SuccessStoryPage.objects.first()
    video = Video.objects.first()
    return {
        "supervisee": [
            ("workspace", reverse("workspace"), True),
            ("first lesson", LessonPage.objects.child_of(orientation).live().first().url, True),
            ("courses", CourseIndexPage.objects.live().first().url, False),
            ("course", course.url, False),
            ("lesson", LessonPage.objects.child_of(course).live().first().url, True),
            ("study hours", reverse("courses:my_hours"), False),
            ("directory", reverse("resources:directory"), True),
            ("opening", first_link(r"/directory/openings/\d+/"), False),
            ("my referrals", reverse("resources:my_referrals"), False),
            ("live classes", reverse("live:class_list"), False),
            ("live class", first_link(r"/live/[0-9a-f-]{36}/"), True),
            ("notifications", reverse("notifications"), False),
            ("password", reverse("account_change_password"), False),
        ],
        "caseworker": [
            ("workspace", reverse("workspace"), True),
            ("supervisees", reverse("supervisee_list"), True),
            ("person's file", reverse("supervisee_detail", args=[person.pk]), True),
            ("new supervisee", reverse("supervisee_create"), True),
            ("violation", reverse("violation_create", args=[person.pk]), False),
            ("level", reverse("supervisee_level", args=[person.pk]), False),
            ("compliance", reverse("courses:compliance"), True),
            ("group classes", reverse("courses:group_list"), False),
            ("group class", first_link(r"/study/groups/\d+/"), False),
            ("opportunities", reverse("insights:opportunities"), True),
            ("referrals", reverse("resources:referral_list"), False),
        ],
        "social_worker": [
            ("caseload", reverse("volunteers:caseload"), True),
            (
                "assistance",
                reverse("volunteers:assistance_create", args=[case.supervisee_id]),
                True,
            ),
        ],
        "mentor": [
            ("mentees", reverse("volunteers:workspace"), True),
            ("session", reverse("volunteers:session_create", args=[pairing.pk]), True),
            ("my hours", reverse("volunteers:my_hours"), False),
        ],
        "operator": [
            ("bases", reverse("resources:operator_home"), True),
            ("opening", first_link(r"/directory/operator/openings/\d+/"), False),
            ("base", reverse("resources:operator_base", args=[base.pk]), False),
            ("new opening", reverse("resources:operator_opening_create", args=[base.pk]), True),
            ("referrals", reverse("resources:referral_list"), True),
        ],
        "official": [
            ("dashboard", reverse("insights:dashboard"), True),
            ("volunteer hours", reverse("volunteers:hours_review"), True),
            ("volunteer applications", reverse("volunteer_applications"), False),
            ("mentors", reverse("volunteers:mentor_list"), False),
            ("hour requirements", reverse("courses:requirements"), False),
        ],
        "editor": [
            ("admin dashboard", reverse("wagtailadmin_home"), True),
            ("page editor", reverse("wagtailadmin_pages:edit", args=[story.pk]), True),
            ("video", reverse("wagtailsnippets_media_video:edit", args=[video.pk]), False),
        ],
        "auditor": [("audit log", reverse("audit_list"), True)],
    }


@pytest.fixture
def demo(settings) -> dict[str, list[tuple[str, object, bool]]]:
    """The demo data (`manage.py seed_demo`) and each login's main pages on it."""
    started = time.monotonic()
    seed_demo_data(settings)
    print(f"seed_demo: {time.monotonic() - started:.0f} s")
    return role_pages()


def signed_in_state(new_page, base_url: str, username: str) -> dict:
    """Cookies of a session signed in as `username` (with the second factor for staff)."""
    from portal.models import User

    page = new_page(**PHONE)
    user = User.objects.get(username=username)
    sign_in(page, base_url, username, PASSWORD, totp_user=user if username in STAFF else None)
    return page.context.storage_state()


def visit(page, base_url: str, path: str) -> list[str]:
    """Open `path` and say what is wrong with the answer (an error, or a redirect elsewhere)."""
    response = page.goto(f"{base_url}{path}", wait_until="load")
    if response is None or not response.ok:
        return [f"{path} answered {response and response.status}"]
    if page.url.split("?")[0] != f"{base_url}{path}".split("?")[0]:
        return [f"{path} ended at {page.url}"]
    return []


class Transfer:
    """What a page receives over the network: every response's body as sent (encoded) and
    its headers, video left out. The page's cache is off, so each load is a first load."""

    def __init__(self, page):
        self.requests = []
        page.on("requestfinished", lambda request: self.requests.append(request))
        # Playwright turns the HTTP cache off for a page whose requests it routes.
        page.route("**/*", lambda route: route.continue_())

    def load(self, page, base_url: str, path: str) -> tuple[list[str], int, int]:
        """Open `path`, wait for what it fetches, and give (problems, bytes, responses)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        self.requests.clear()
        problems = visit(page, base_url, path)
        # A live page may keep retrying its socket; what came until then is its first load.
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_load_state("networkidle", timeout=5_000)
        received = [r for r in self.requests if not VIDEO.search(urlsplit(r.url).path)]
        size = 0
        for request in received:
            sizes = request.sizes()
            size += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return problems, size, len(received)


def axe_problems(page, axe_source: str, where: str, admin: bool) -> tuple[list, list]:
    """axe-core's serious and critical findings on the open page: (what counts against the
    page, what lies in Wagtail's own admin markup)."""
    page.add_script_tag(content=axe_source)
    ours, wagtails = [], []
    for v in page.evaluate(RUN_AXE_OWNED, PROJECT_ADMIN_MARKUP):
        if v["impact"] in BLOCKING:
            line = f"{where}: {v['id']} ({v['impact']}) {v['help']}: " + ", ".join(v["targets"])
            (wagtails if admin and not v["ours"] else ours).append(line)
    return ours, wagtails


def test_signed_in_pages_pass_axe_and_stay_within_the_transfer_budget(
    live_server, new_page, demo, axe_source
):
    found, wagtails, covered, figures = [], [], [], []
    for username, pages in demo.items():
        started = time.monotonic()
        state = signed_in_state(new_page, live_server.url, username)
        # One signed-in context per role and size: every page on a phone (measured there, with
        # an empty cache), the main ones on a desktop too.
        phone = new_page(bypass_csp=True, storage_state=state, **PHONE)
        transfer = Transfer(phone)
        resolved = []
        for label, path, on_desktop in pages:
            path = path(phone) if callable(path) else path
            resolved.append((label, path, on_desktop))
            where = f"{username} {label} (phone) {path}"
            problems, size, count = transfer.load(phone, live_server.url, path)
            figures.append((username, label, path, size, count))
            if problems:
                found += [f"{where}: {problem}" for problem in problems]
                continue
            ours, theirs = axe_problems(phone, axe_source, where, path.startswith("/admin/"))
            found += ours
            wagtails += theirs
            covered.append(f"{username} {label} (phone)")
        desk = new_page(bypass_csp=True, storage_state=state, **DESK)
        for label, path, on_desktop in resolved:
            if not on_desktop:
                continue
            where = f"{username} {label} (desktop) {path}"
            problems = visit(desk, live_server.url, path)
            if problems:
                found += [f"{where}: {problem}" for problem in problems]
                continue
            ours, theirs = axe_problems(desk, axe_source, where, path.startswith("/admin/"))
            found += ours
            wagtails += theirs
            covered.append(f"{username} {label} (desktop)")
        print(f"{username}: {time.monotonic() - started:.0f} s")

    print(f"\naxe-core checked {len(covered)} page views:", "; ".join(covered))
    if wagtails:
        print("In Wagtail's own admin markup (not counted):\n" + "\n".join(wagtails))
    print(f"\nFirst load, empty cache, phone, video left out (budget {BUDGET // 1024} KB):")
    for username, label, path, size, count in figures:
        print(f"{username:14} {label:24} {size / 1024:7.1f} KB {count:3} responses  {path}")
    # Wagtail's admin (its own bundles, for editors at a desk) is reported, not held to it.
    over = [
        f"{username} {label} {path}: {size / 1024:.1f} KB in {count} responses"
        for username, label, path, size, count in figures
        if size > BUDGET and not path.startswith("/admin/")
    ]
    failures = []
    if found:
        failures.append("axe-core found serious or critical violations:\n" + "\n".join(found))
    if over:
        failures.append(f"first load over {BUDGET // 1024} KB:\n" + "\n".join(over))
    assert not failures, "\n\n".join(failures)
