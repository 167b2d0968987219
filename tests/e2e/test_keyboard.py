"""Keyboard only: a supervisee signs in, finds the way through the main navigation, asks for a
referral and watches a lesson with Tab, Shift+Tab, Enter, Space and the player's keys, never a
mouse, and can always see where the focus is."""

import re

import pytest
from django.utils import translation

from .conftest import seed_demo_data, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

DESK = {"viewport": {"width": 1280, "height": 900}}
# WCAG 1.4.11: a focus indicator needs a contrast of 3:1 against what surrounds it.
MIN_CONTRAST = 3.0
# The focused element, how its focus is drawn, and the colour it is drawn on.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const colours = [];
  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) {
    colours.push(style.outlineColor);
  }
  if (style.boxShadow !== 'none') {
    colours.push(...(style.boxShadow.match(/rgba?\\([^)]*\\)/g) || []));
  }
  let around = 'rgb(255, 255, 255)';
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && !/rgba\\(.*, 0\\)$/.test(bg) && bg !== 'transparent') { around = bg; break; }
  }
  return {
    name: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.getAttribute('href') ? '[href=' + el.getAttribute('href') + ']' : '') +
      (el.name ? '[name=' + el.name + ']' : ''),
    colours, around,
    shown: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0 &&
      box.left < innerWidth,
  };
}"""


def luminance(colour: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", colour)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def focus_problem(focus: dict | None) -> str | None:
    """What is wrong with how the focused element shows its focus, if anything."""
    if focus is None:
        return "the focus went nowhere"
    if not focus["shown"]:
        return f"{focus['name']} has the focus but is not on screen"
    best = max((contrast(colour, focus["around"]) for colour in focus["colours"]), default=0)
    if best < MIN_CONTRAST:
        return (
            f"{focus['name']}: focus drawn in {focus['colours'] or 'nothing'} on "
            f"{focus['around']} (contrast {best:.1f}, needs {MIN_CONTRAST})"
        )
    return None


def press(page, key: str) -> dict | None:
    """Press `key`; the focus must then be visible."""
    page.keyboard.press(key)
    focus = page.evaluate(FOCUS)
    problem = focus_problem(focus)
    assert problem is None, f"after {key} on {page.url}: {problem}"
    return focus


def tab_to(page, selector: str, limit: int = 120, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`, checking at each
    stop that the focus can be seen."""
    for _ in range(limit):
        press(page, key)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{limit} presses of {key} on {page.url} never reached {selector}")


def test_a_supervisee_does_everything_with_the_keyboard(live_server, new_page, settings):
    seed_demo_data(settings)
    from courses.models import CourseIndexPage, CoursePage, LessonPage
    from resources.models import Opening, Referral

    course = CoursePage.objects.live().exclude(kind="orientation").first()
    lesson = LessonPage.objects.child_of(course).live().first()
    courses = CourseIndexPage.objects.live().first()
    page = new_page(**DESK)

    # The skip link comes first, shows itself when focused and leads into the main content.
    page.goto(f"{live_server.url}/accounts/login/")
    press(page, "Tab")
    assert page.evaluate("document.activeElement.matches('a.skip-link[href=\"#main\"]')")
    with translation.override("zh-hans"):
        assert page.evaluate("document.activeElement.textContent.trim()") == translation.gettext(
            "Skip to main content"
        )
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Signing in: the first field after the skip is the login, then the password; Enter sends.
    tab_to(page, "input[name=login]", limit=5)
    page.keyboard.type("supervisee")
    tab_to(page, "input[name=password]", limit=1)
    page.keyboard.type("jz-demo-2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/workspace/")

    # The main navigation: study hours, back with Shift+Tab, then jobs and places.
    tab_to(page, "nav a[href='/study/hours/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/study/hours/")
    tab_to(page, "nav a[href='/directory/my-referrals/']")
    tab_to(page, "nav a[href='/directory/']", limit=1, key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/directory/")

    # An opening this person has not asked for yet, with places left.
    listed = page.eval_on_selector_all(
        "#main a[href^='/directory/openings/']", "links => links.map(a => a.pathname)"
    )
    asked = set(
        Referral.objects.filter(supervisee__user__username="supervisee").values_list(
            "opening_id", flat=True
        )
    )
    opening = next(
        o
        for o in Opening.objects.filter(slots_available__gt=0).exclude(pk__in=asked)
        if f"/directory/openings/{o.pk}/" in listed
    )
    tab_to(page, f"#main a[href='/directory/openings/{opening.pk}/']", limit=200)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/directory/openings/{opening.pk}/")
    tab_to(page, "textarea[name=note]")
    page.keyboard.type("我有电工证，离家近。")
    tab_to(page, "#main form button[type=submit]", limit=1)
    page.keyboard.press("Space")
    page.wait_for_url("**/directory/my-referrals/")
    assert "你的申请已提交给司法所工作人员" in page.inner_text(".messages")
    referral = Referral.objects.get(supervisee__user__username="supervisee", opening=opening)
    assert referral.requested_by_supervisee and referral.note == "我有电工证，离家近。"

    # A lesson, reached through the courses, played with the player's keys.
    tab_to(page, f"nav a[href='{courses.url}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{courses.url}")
    tab_to(page, f"#main a[href='{course.url}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{course.url}")
    tab_to(page, f"#main a[href='{lesson.url}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{lesson.url}")
    tab_to(page, "figure[data-player] video, figure[data-player] .player__start")
    video = "document.querySelector('figure[data-player] video')"
    page.keyboard.press("Space")
    wait_until(page, f"() => !{video}.paused && {video}.currentTime > 0.5")
    page.keyboard.press("m")
    assert page.evaluate(f"{video}.muted")
    showing = f"[...{video}.textTracks].some(t => t.mode === 'showing')"
    captions = page.evaluate(showing)
    page.keyboard.press("c")
    assert page.evaluate(showing) != captions
    page.keyboard.press("Space")
    wait_until(page, f"() => {video}.paused")
    assert page.evaluate("document.activeElement.tagName") == "VIDEO"
