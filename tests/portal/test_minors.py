"""Minors' identity is shown only to their own caseworker and agency (DESIGN.md rule 4.2)."""

import pytest
from django.urls import reverse

from portal.privacy import mask_name, person_view

pytestmark = pytest.mark.django_db


def test_mask_name_keeps_family_name_only():
    assert mask_name("李小龙") == "李**"
    assert mask_name("李") == "李*"
    assert mask_name("") == ""


def test_minor_flag_is_fixed_at_supervision_start(world):
    assert world.minor.is_minor
    # Turning 18 during supervision does not lift the flag: it depends on the start date only.
    world.minor.planned_end = world.minor.birth_date.replace(year=world.minor.birth_date.year + 20)
    world.minor.save()
    world.minor.refresh_from_db()
    assert world.minor.is_minor
    assert not world.adult.is_minor


@pytest.mark.parametrize("viewer", ["caseworker", "county_official"])
def test_own_caseworker_and_agency_see_a_minor_in_full(world, viewer):
    view = person_view(getattr(world, viewer), world.minor)
    assert view.name == "李小龙"
    assert not view.masked
    assert view.school == "第一中学"


@pytest.mark.parametrize("viewer", ["official", "social_worker", "mentor", "operator"])
def test_everyone_else_sees_a_minor_masked(world, viewer):
    view = person_view(getattr(world, viewer), world.minor)
    assert view.name == "李**"
    assert view.masked
    assert view.school == ""
    assert view.photo_url == ""
    assert view.township != world.minor.home_township.name


def test_adult_is_shown_in_full_to_staff_in_scope_but_masked_for_operators(world):
    assert person_view(world.official, world.adult).name == "张三丰"
    assert person_view(world.social_worker, world.adult).name == "张三丰"
    assert person_view(world.operator, world.adult).name == "张**"


def test_offence_details_hidden_from_mentors_and_operators(world):
    assert person_view(world.caseworker, world.adult).offence
    for viewer in (world.mentor, world.operator):
        assert person_view(viewer, world.adult).offence == ""
        assert "offence" not in person_view(viewer, world.adult).as_dict() or (
            person_view(viewer, world.adult).as_dict()["offence"] == ""
        )


def test_city_official_pages_export_and_api_mask_the_minor(world, client_for):
    client = client_for(world.official)
    for url in (
        reverse("supervisee_list"),
        reverse("supervisee_detail", args=[world.minor.pk]),
        reverse("supervisee_export", args=["csv"]),
        f"/api/v1/supervisees/{world.minor.pk}",
        "/api/v1/supervisees",
    ):
        body = client.get(url).content.decode("utf-8-sig")
        assert "李小龙" not in body, url
        assert "第一中学" not in body, url
        assert "李**" in body or "\\u674e**" in body, url


def test_own_caseworker_pages_show_the_minor(world, client_for):
    client = client_for(world.caseworker)
    body = client.get(reverse("supervisee_detail", args=[world.minor.pk])).content.decode()
    assert "李小龙" in body and "第一中学" in body


def test_minor_photo_is_served_only_to_full_viewers(world, client_for, settings, tmp_path):
    from django.core.files.base import ContentFile

    world.minor.photo.save("minor.png", ContentFile(b"\x89PNG fake"), save=True)
    url = reverse("supervisee_photo", args=[world.minor.pk])
    assert client_for(world.caseworker).get(url).status_code == 200
    assert client_for(world.official).get(url).status_code == 404
    assert client_for(world.jining_official).get(url).status_code == 404
    # The file lives in the private store, outside the public media directory.
    path = world.minor.photo.path
    assert path.startswith(str(settings.PRIVATE_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
