"""An editor drafts a success story in the admin and submits it; the official of the region
approves it; it appears on the public site and in search."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Workflow, WorkflowPage

from portal.models import HomePage, SuccessStoryIndexPage, SuccessStoryPage
from tests.conftest import World

from .conftest import sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
DESK = {"viewport": {"width": 1280, "height": 900}}


def test_a_story_from_draft_to_the_public_site(live_server, new_page, settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "media"],
        }
    }
    # The admin's autosave (a draft saved shortly after typing stops) is not what this journey
    # is about, and on a slow machine it created the page just as the story was submitted, so
    # the submission went to the wrong form.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    world = World()
    world.editor.groups.add(Group.objects.get(name="Editors"))
    world.official.groups.add(Group.objects.get(name="Reviewers"))
    home = HomePage.objects.first()
    stories = home.add_child(instance=SuccessStoryIndexPage(title="改好典型", slug="stories"))
    WorkflowPage.objects.create(workflow=Workflow.objects.get(name="地区审核"), page=stories)

    editor = new_page(**DESK)
    sign_in(editor, live_server.url, "editor", "pw-editor", totp_user=world.editor)
    editor.goto(f"{live_server.url}/admin/pages/add/portal/successstorypage/{stories.pk}/")
    editor.fill("#id_title", "从电工学徒到店主")
    editor.fill("#id_pseudonym", "小李")
    editor.select_option("#id_city", str(world.zaozhuang.pk))
    editor.fill("#id_summary", "一位社区矫正对象的新生活。")
    editor.locator(".c-sf-add-button").first.click()  # the story's first block
    editor.click(".w-combobox__option >> text=正文")
    editor.click(".public-DraftEditor-content")
    editor.keyboard.type("学会了电工，开了维修店。")
    # The rich-text editor writes its content into the form's hidden field a moment later:
    # submitting before that sends an empty story (refused, "典型事迹" required).
    wait_until(
        editor,
        "() => [...document.querySelectorAll('input[type=hidden]')]"
        ".some(i => i.value.includes('维修店'))",
    )
    # 提交给地区审核, from the action menu: submitted by that button, as a click on it does
    with editor.expect_navigation():
        editor.evaluate(
            "() => { const b = document.querySelector('button[name=action-submit]');"
            " setTimeout(() => b.form.requestSubmit(b), 0); }"
        )
    editor.wait_for_url(f"**/admin/pages/{stories.pk}/")  # back at the section, submitted
    story = SuccessStoryPage.objects.get()
    assert not story.live and story.current_workflow_state is not None

    official = new_page(**DESK)
    sign_in(official, live_server.url, "official", "pw-official", totp_user=world.official)
    official.goto(f"{live_server.url}/admin/pages/{story.pk}/edit/")
    # 审核通过 和发布, from the editor's action menu (the other one asks for a comment)
    approve = "[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    with official.expect_navigation():
        official.locator(approve).dispatch_event("click")
    story.refresh_from_db()
    assert story.live

    visitor = new_page(**DESK)
    visitor.goto(f"{live_server.url}/stories/")
    visitor.click("text=从电工学徒到店主")
    assert "小李" in visitor.inner_text("main")
    visitor.goto(f"{live_server.url}/search/?q=电工")
    assert "从电工学徒到店主" in visitor.inner_text("main")
