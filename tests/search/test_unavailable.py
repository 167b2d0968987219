"""Elasticsearch down: saves succeed, updates wait and are retried, search says so plainly."""

import datetime

import pytest
from django.utils import timezone

import search
from search import sync
from search.backends.database import DatabaseBackend
from search.models import PendingUpdate
from tests.courses.conftest import Courses

from .conftest import use_elasticsearch
from .corpus import PAGES

pytestmark = pytest.mark.django_db

UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture
def engine_down(settings, db):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "media"],
        }
    }
    use_elasticsearch(settings, UNREACHABLE)
    settings.ELASTICSEARCH_TIMEOUT = 1
    return settings


def test_saves_succeed_and_updates_wait(engine_down, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        courses = Courses(world)
    assert courses.general.pk  # the pages were saved
    pending = PendingUpdate.objects.get(key=f"courses.coursepage:{courses.general.pk}")
    assert pending.attempts >= 1 and pending.last_error
    assert pending.next_attempt_at > timezone.now()


def test_search_says_it_is_unavailable_and_shows_no_other_results(engine_down, world, client_for):
    DatabaseBackend().upsert(PAGES)  # what the embedded backend would have answered
    response = client_for(world.caseworker).get("/search/", {"q": "法"})
    assert response.status_code == 503
    page = response.content.decode()
    assert "搜索暂时不可用" in page
    assert "遵纪守法" not in page
    with pytest.raises(search.SearchUnavailable):
        search.site("法", world.caseworker)
    assert client_for(world.caseworker).get("/api/v1/search/suggest", {"q": "法"}).json() == {
        "suggestions": [],
        "available": False,
    }


def test_admins_see_the_waiting_updates(
    engine_down, world, client_for, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    with django_capture_on_commit_callbacks(execute=True):
        Courses(world)
    world.editor.groups.add(Group.objects.get(name="Editors"))
    response = client_for(world.editor).get("/admin/")
    assert response.status_code == 200
    assert "搜索索引更新等待中" in response.content.decode()


def test_waiting_updates_go_in_when_the_engine_is_back(
    engine_down, world, django_capture_on_commit_callbacks, search_engine
):
    with django_capture_on_commit_callbacks(execute=True):
        Courses(world)
    waiting = PendingUpdate.objects.count()
    assert waiting == 8
    assert sync.retry_pending() == 0  # not due yet: backoff
    clone = search_engine.clone()
    try:
        use_elasticsearch(engine_down, clone.url)
        PendingUpdate.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
        assert sync.retry_pending() == waiting
        assert not PendingUpdate.objects.exists()
        titles = {hit.title for hit in search.site("法治", world.caseworker).hits}
        assert titles == {"法治教育", "宪法与公民"}
    finally:
        clone.close()
