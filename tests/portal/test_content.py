"""Public content: the success-story rules hold on every publish (the editor's, a workflow's,
a scheduled one), and the editor is told why a publish was refused; listings page and filter."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Revision
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from portal import housekeeping
from portal.models import (
    HomePage,
    LegalEducationIndexPage,
    LegalEducationPage,
    NewsPage,
    Notification,
    PublicationRefused,
    SuccessStoryIndexPage,
    SuccessStoryPage,
    Supervisee,
)
from portal.publishing import publish_scheduled

pytestmark = pytest.mark.django_db
STORY = [("text", "<p>出狱后他在社区的帮助下学会了电工，如今自己开了一家维修店。</p>")]


@pytest.fixture
def stories():
    home = HomePage.objects.first()
    return home.add_child(instance=SuccessStoryIndexPage(title="改好典型", slug="stories"))


def draft(stories, world, **fields) -> SuccessStoryPage:
    values = {
        "title": "从电工学徒到店主",
        "slug": "electrician",
        "pseudonym": "小李",
        "city": world.zaozhuang,
        "summary": "一位社区矫正对象的新生活。",
        "body": STORY,
        "live": False,
    }
    values.update(fields)
    story = stories.add_child(instance=SuccessStoryPage(**values))
    return story


def publish(story):
    story.save_revision().publish()
    story.refresh_from_db()
    return story


def refusal(story) -> list[str]:
    with pytest.raises(PublicationRefused) as refused:
        story.save_revision().publish()
    story.refresh_from_db()
    assert not story.live
    return refused.value.messages


def test_an_anonymised_story_is_published(world, stories):
    story = publish(draft(stories, world, supervisee=world.adult))
    assert story.live


def test_a_story_linked_to_a_minor_is_never_published(world, stories):
    assert refusal(draft(stories, world, supervisee=world.minor)) == [
        "关联未成年人档案的典型一律不得发布。"
    ]


def test_a_photo_needs_the_persons_written_consent(world, stories):
    photo = Image.objects.create(title="照片", file=get_test_image_file())
    story = draft(stories, world, photo=photo)
    assert refusal(story) == ["发布本人照片须附本人书面同意。"]
    story.photo_consent.save("consent.pdf", ContentFile(b"%PDF-1.4 signed"), save=True)
    assert publish(story).live


def test_the_place_is_no_finer_than_the_city_and_the_real_name_never_shows(world, stories):
    story = draft(stories, world, supervisee=world.adult)
    story.city = world.shizhong  # a county
    with pytest.raises(ValidationError) as refused:
        story.save_revision()
    assert "city" in refused.value.message_dict
    story.refresh_from_db()
    story.body = [("text", "<p>张三丰在社区矫正期间表现良好。</p>")]
    story.save()
    assert refusal(story) == ["典型中出现了当事人的真实姓名，请使用化名。"]


def test_the_editor_sees_why_a_publish_was_refused(world, stories, client_for):
    world.editor.groups.add(Group.objects.get(name="Editors"))
    editor = client_for(world.editor)
    story = draft(stories, world, supervisee=world.minor)
    data = nested_form_data(
        {
            "title": story.title,
            "slug": story.slug,
            "pseudonym": "小李",
            "city": world.zaozhuang.pk,
            "summary": story.summary,
            "body": streamfield([("text", rich_text("<p>新生活</p>"))]),
            "action-publish": "action-publish",
        }
    )
    response = editor.post(f"/admin/pages/{story.pk}/edit/", data)
    assert response.status_code == 200
    assert "关联未成年人档案的典型一律不得发布。" in response.content.decode()
    story.refresh_from_db()
    assert not story.live


def test_legal_education_is_listed_by_topic(world):
    home = HomePage.objects.first()
    index = home.add_child(instance=LegalEducationIndexPage(title="法治教育", slug="legal"))
    for number, tag in enumerate(["案例", "问答", "案例"]):
        page = index.add_child(
            instance=LegalEducationPage(
                title=f"第{number + 1}讲",
                slug=f"lesson-{number}",
                summary="摘要",
                body=STORY,
                region=world.zaozhuang,
            )
        )
        page.tags.add(tag)
        page.save_revision().publish()
    everyone = Client()
    listing = everyone.get("/legal/").content.decode()
    assert all(f"第{n}讲" in listing for n in (1, 2, 3))
    cases = everyone.get("/legal/?tag=案例").content.decode()
    assert "第1讲" in cases and "第3讲" in cases and "第2讲" not in cases


@pytest.fixture
def review(stories):
    """The migrations' review workflow, assigned to the stories section as an administrator
    would."""
    from wagtail.models import Workflow, WorkflowPage

    workflow = Workflow.objects.get(name="地区审核")
    WorkflowPage.objects.create(workflow=workflow, page=stories)
    return workflow


def submitted(story, editor):
    story.save_revision(user=editor)
    story.get_workflow().start(story, editor)
    return story.current_workflow_state.current_task_state


def test_only_an_official_of_the_region_approves(world, stories, review):
    story = draft(stories, world)  # placed in 枣庄
    state = submitted(story, world.editor)
    task = state.task.specific
    assert task.get_actions(story, world.jining_official) == []
    assert task.get_actions(story, world.editor) == []
    assert not task.get_task_states_user_can_moderate(world.jining_official).exists()
    assert list(task.get_task_states_user_can_moderate(world.official)) == [state]
    with pytest.raises(PermissionDenied):
        task.on_action(state, world.jining_official, "approve")
    story.refresh_from_db()
    assert not story.live

    task.on_action(state, world.official, "approve")
    story.refresh_from_db()
    assert story.live and story.current_workflow_state is None


def test_approval_applies_the_content_rules_and_tells_the_editor(world, stories, review):
    story = draft(stories, world, supervisee=world.minor)
    state = submitted(story, world.editor)
    state.task.specific.on_action(state, world.official, "approve")
    state.refresh_from_db()
    story.refresh_from_db()
    assert not story.live and state.status == "rejected"
    assert state.comment == "未发布：关联未成年人档案的典型一律不得发布。"


def test_an_official_approves_in_the_admin(world, stories, review, client_for):
    world.official.groups.add(Group.objects.get(name="Reviewers"))
    story = draft(stories, world)
    state = submitted(story, world.editor)
    url = f"/admin/pages/workflow/action/{story.pk}/approve/{state.pk}/"
    outsider = client_for(world.jining_official)
    world.jining_official.groups.add(Group.objects.get(name="Reviewers"))
    assert outsider.post(url, {"comment": ""}).status_code == 302  # turned away
    story.refresh_from_db()
    assert not story.live
    official = client_for(world.official)
    assert official.get("/admin/").status_code == 200
    response = official.post(url, {"comment": ""})
    assert response.status_code in (200, 302)
    story.refresh_from_db()
    assert story.live


def test_published_content_is_found_by_everyone_and_drafts_are_not(world, stories):
    from django.contrib.auth.models import AnonymousUser

    import search
    from search import sync
    from search.registry import key_for

    story = publish(draft(stories, world))
    hidden = draft(stories, world, title="尚未发布的典型", slug="draft")
    sync.update([key_for(story), key_for(hidden)])
    titles = [hit.title for hit in search.site("电工", AnonymousUser()).hits]
    assert titles == ["从电工学徒到店主"]
    assert search.site("尚未发布", AnonymousUser()).hits == []


def test_the_home_page_shows_the_latest_stories(world, stories):
    publish(draft(stories, world))
    draft(stories, world, title="尚未发布的典型", slug="draft")
    page = Client().get("/").content.decode()
    assert "从电工学徒到店主" in page and "尚未发布的典型" not in page


def test_the_demo_content_and_a_story_waiting_for_the_official():
    from portal import content_demo, demo
    from portal.models import User

    demo.load()
    content_demo.load()
    content_demo.load()  # idempotent
    assert SuccessStoryPage.objects.live().count() == 2
    waiting = SuccessStoryPage.objects.get(title=content_demo.WAITING)
    assert not waiting.live and waiting.current_workflow_state.status == "in_progress"
    task = waiting.current_workflow_task.specific
    assert task.get_actions(waiting, User.objects.get(username="official"))
    assert LegalEducationPage.objects.live().count() == 4
    cases = Client().get("/legal/?tag=案例").content.decode()
    assert "擅自离开居住地的后果" in cases and "《社区矫正法》要点" not in cases
    scheduled = NewsPage.objects.get(slug="next-month")
    assert not scheduled.live and scheduled.status_string == "已安排"
    assert scheduled.go_live_at > timezone.now()


def _schedule(story, hours: float = 1) -> None:
    story.go_live_at = timezone.now() + datetime.timedelta(hours=hours)
    story.save_revision().publish()
    story.refresh_from_db()


def _time_passes(story) -> None:
    """The scheduled time comes: moved into the past rather than waited for."""
    past = timezone.now() - datetime.timedelta(minutes=1)
    for revision in Revision.objects.filter(object_id=str(story.pk)).exclude(
        approved_go_live_at=None
    ):
        revision.approved_go_live_at = past
        revision.content["go_live_at"] = past.isoformat()
        revision.save(update_fields=["approved_go_live_at", "content"])
    SuccessStoryPage.objects.filter(pk=story.pk).update(go_live_at=past)


def test_scheduled_publishing_goes_live_at_its_time_through_housekeeping(world, stories):
    story = draft(stories, world, supervisee=world.adult)
    _schedule(story)
    assert not story.live and story.status_string == "已安排"
    assert housekeeping._jobs["portal.publish_scheduled"] is publish_scheduled  # the worker's
    assert publish_scheduled() == 0  # not yet
    _time_passes(story)
    assert publish_scheduled() == 1
    story.refresh_from_db()
    assert story.live
    assert Client().get(story.url).status_code == 200


def test_a_scheduled_story_the_rules_now_refuse_stays_unpublished_and_the_editor_is_told(
    world, stories
):
    story = draft(stories, world, supervisee=world.adult)
    story.save_revision(user=world.editor)
    other = draft(stories, world, slug="second", title="第二个故事")
    for page in (story, other):
        page.go_live_at = timezone.now() + datetime.timedelta(hours=1)
        page.save_revision(user=world.editor).publish()
    # The record is corrected: the person was under 18 when supervision began.
    Supervisee.objects.filter(pk=world.adult.pk).update(is_minor=True)
    _time_passes(story)
    _time_passes(other)
    assert publish_scheduled() == 1
    story.refresh_from_db()
    other.refresh_from_db()
    assert not story.live and other.live
    assert not Revision.objects.filter(object_id=str(story.pk)).exclude(approved_go_live_at=None)
    note = Notification.objects.get(user=world.editor)
    assert "未成年人" in note.text and story.title in note.text


def test_published_pictures_are_served_from_local_files(world, settings):
    """Without object storage (the demo, a single machine) the site serves its public files
    itself, and only those: private files live elsewhere and are never reachable here."""
    image = Image.objects.create(title="运河", file=get_test_image_file())
    rendition = image.get_rendition("width-400")
    client = Client()
    for url in (image.file.url, rendition.url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("image/")
        assert response.headers.get("X-Content-Type-Options") == "nosniff"
    private = settings.PRIVATE_ROOT / "probe.txt"
    private.parent.mkdir(parents=True, exist_ok=True)
    private.write_text("secret")
    relative = private.relative_to(settings.MEDIA_ROOT.parent)
    for probe in (f"/media/../{relative}", f"/media/%2e%2e/{relative}"):
        response = client.get(probe)
        assert response.status_code in (400, 404) and b"secret" not in response.content
