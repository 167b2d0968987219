"""The public pages pass axe-core's checks with no serious or critical violation, on a phone
and on a desktop.

axe-core comes from npm (a development dependency in package.json, installed by
scripts/browser-assets.sh); it is injected by the test only and never served by the site."""

import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from portal import content_demo
from portal.models import LegalEducationPage, NewsPage, SuccessStoryPage
from tests.conftest import World

from .conftest import PHONE

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
