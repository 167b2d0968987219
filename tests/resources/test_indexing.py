"""Bases and openings reach the directory search for supervisees and staff, with places left."""

import datetime
import json

import pytest
from django.utils import timezone

import search
from resources.models import Base, Opening
from tests.resources.conftest import Directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(backend, world, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "media"],
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        directory = Directory(world)
    return directory


def near_home(query, user, **options):
    results = search.directory(query, user, near=(34.8566, 117.5587), radius_km=30, **options)
    return {hit.title: hit for hit in results.hits}


def test_openings_and_bases_are_found_near_home(indexed, world):
    hits = near_home("电工", world.supervisee_user)
    assert set(hits) == {"电工学徒"}
    assert hits["电工学徒"].open_slots == 3
    assert hits["电工学徒"].distance_km < 2
    assert "市中区阳光就业基地" in near_home("就业基地", world.caseworker)
    assert near_home("电工", world.operator) == {}  # bases manage their own in the workspace
    assert near_home("电工", None) == {}


def test_an_accepted_person_lowers_the_places_left(
    indexed, world, client_for, django_capture_on_commit_callbacks
):
    caseworker, operator = client_for(world.caseworker), client_for(world.operator)
    with django_capture_on_commit_callbacks(execute=True):
        caseworker.post(f"/directory/match/{world.adult.pk}/refer/{indexed.job.pk}/")
    referral = world.adult.referrals.get()
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(
            f"/api/v1/referrals/{referral.pk}/steps",
            json.dumps({"step": "accept"}),
            content_type="application/json",
        )
    assert near_home("电工", world.supervisee_user)["电工学徒"].open_slots == 2


def test_paused_openings_and_closed_bases_leave_the_index(
    indexed, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        indexed.job.status = Opening.Status.PAUSED
        indexed.job.save()
    assert "电工学徒" not in near_home("电工", world.caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        indexed.base.status = Base.Status.TEMPORARILY_CLOSED
        indexed.base.save()
    assert near_home("社区", world.caseworker) == {}


def test_a_stale_listing_ranks_below_a_fresh_one(
    indexed, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        twin = Base.objects.create(
            operator=world.operator_org,
            name="另一个基地",
            kind="welfare",
            region=world.zhongxin,
            address="同一地址",
            latitude=indexed.base.latitude,
            longitude=indexed.base.longitude,
            verified_on=timezone.localdate() - datetime.timedelta(days=120),
        )
        Opening.objects.create(
            base=twin, kind="service", title="社区环境整治二", slots_total=10, slots_available=10
        )
    results = search.directory("社区环境整治", world.caseworker, near=(34.86, 117.56))
    assert [hit.title for hit in results.hits][:2] == ["社区环境整治", "社区环境整治二"]


def test_adult_only_bases_are_not_offered_to_minors(indexed, world):
    from portal.models import User

    minor_user = User.objects.create_user("minor", password="x")
    world.minor.user = minor_user
    world.minor.save()
    assert near_home("社区", minor_user) == {}
    assert "社区环境整治" in near_home("社区", world.supervisee_user)


def test_the_directory_page_for_a_supervisee(indexed, world, client_for):
    client = client_for(world.supervisee_user)
    html = client.get("/directory/?q=电工").content.decode()
    assert "<mark>电工</mark>学徒" in html and "公里" in html and "尚有 3 个名额" in html
    assert 'value="30" selected' in html  # the distance searched is the one shown
    assert "?q=%E7%94%B5%E5%B7%A5&amp;skill=%E7%94%B5%E5%B7%A5" in html  # narrow by skill
    everything = client.get("/directory/").content.decode()
    assert "社区环境整治" in everything and "电工学徒" in everything
    service_only = client.get("/directory/?kind=service").content.decode()
    assert "社区环境整治" in service_only and "电工学徒" not in service_only
    assert client_for(world.mentor).get("/directory/").status_code == 403
