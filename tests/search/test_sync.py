"""Saves and deletes reach the index after commit, through the task queue."""

import pytest
from django.core.management import call_command

import search
from search.models import EntryContent
from search.registry import IndexDefinition, register
from tests.courses.conftest import Courses

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "media"],
        }
    }


@pytest.fixture
def published(backend, world, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        courses = Courses(world)
    return courses


def titles(query, user) -> set[str]:
    return {hit.title for hit in search.site(query, user, per_page=50).hits}


def test_published_courses_and_lessons_are_found_by_their_audience(published, world):
    assert titles("法治", world.supervisee_user) == {"法治教育", "宪法与公民"}
    assert titles("济宁", world.supervisee_user) == set()
    assert titles("济宁", world.caseworker) == {"济宁专题", "运河文化"}
    assert titles("成长", world.supervisee_user) == set()  # minors only
    assert titles("法治", world.operator) == set()


def test_nothing_is_indexed_before_the_commit(backend, world, immediate_tasks):
    Courses(world)  # the test transaction never commits here
    assert titles("法治", world.caseworker) == set()


def test_unpublishing_and_deleting_remove_documents(
    published, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        published.general.unpublish()
    assert titles("法治", world.caseworker) == set()  # the lesson went with its course
    with django_capture_on_commit_callbacks(execute=True):
        published.jining_only.delete()
    assert titles("济宁", world.caseworker) == set()


def test_a_new_audience_reaches_the_lessons(published, world, django_capture_on_commit_callbacks):
    course = published.general
    course.age_group = "minors"
    with django_capture_on_commit_callbacks(execute=True):
        course.save_revision().publish()
    assert titles("宪法", world.supervisee_user) == set()
    assert titles("宪法", world.caseworker) == {"宪法与公民"}


def test_rebuild_command_shows_progress_and_counts(backend, world, capsys):
    Courses(world)
    call_command("search_rebuild", "--index", "site")
    out, err = capsys.readouterr()
    assert "site: 8 documents" in out
    assert "8/8 100%" in err
    assert titles("法治", world.caseworker) == {"法治教育", "宪法与公民"}


def test_people_are_never_indexed(world, backend):
    from portal.models import Supervisee

    class PeopleIndex(IndexDefinition):
        model = Supervisee

    with pytest.raises(ValueError, match="never indexed"):
        register(PeopleIndex)
    Courses(world)
    call_command("search_rebuild")
    if backend.__class__.__name__ == "DatabaseBackend":
        text = " ".join(EntryContent.objects.values_list("title", flat=True))
        text += " ".join(EntryContent.objects.values_list("body", flat=True))
        for person in Supervisee.objects.all():
            assert person.name not in text and person.id_number not in text
    for person in Supervisee.objects.all():
        assert search.site(person.name, world.caseworker).total == 0
