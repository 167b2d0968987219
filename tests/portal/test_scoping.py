"""Jurisdiction: people data is visible only inside the viewer's region subtree or caseload."""

import pytest
from django.urls import reverse

from portal.models import Supervisee

pytestmark = pytest.mark.django_db


def scoped_ids(user):
    return set(Supervisee.objects.in_scope_of(user).values_list("pk", flat=True))


def test_city_official_sees_the_city_subtree_only(world):
    assert scoped_ids(world.official) == {world.adult.pk, world.minor.pk, world.kuangqu_person.pk}


def test_caseworker_sees_own_office_only(world):
    assert scoped_ids(world.caseworker) == {world.adult.pk, world.minor.pk}
    assert scoped_ids(world.other_caseworker) == {world.kuangqu_person.pk}


def test_social_worker_sees_own_caseload_only(world):
    assert scoped_ids(world.social_worker) == {world.adult.pk, world.minor.pk}


@pytest.mark.parametrize("attr", ["mentor", "operator", "editor", "auditor", "supervisee_user"])
def test_roles_without_people_scope_see_nobody(world, attr):
    assert scoped_ids(getattr(world, attr)) == set()


def test_ended_membership_and_inactive_user_lose_scope(world):
    world.caseworker.memberships.update(status="ended")
    world.caseworker._portal_memberships = None
    assert scoped_ids(world.caseworker) == set()
    world.official.is_active = False
    assert scoped_ids(world.official) == set()


def test_zaozhuang_official_lists_zaozhuang_and_gets_404_for_jining(world, client_for):
    client = client_for(world.official)
    page = client.get(reverse("supervisee_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "张三丰" in html and "赵六" in html
    assert "孙七" not in html

    assert client.get(reverse("supervisee_detail", args=[world.adult.pk])).status_code == 200
    assert (
        client.get(reverse("supervisee_detail", args=[world.jining_person.pk])).status_code == 404
    )
    assert client.get(f"/api/v1/supervisees/{world.jining_person.pk}").status_code == 404
    assert client.get(f"/api/v1/supervisees/{world.adult.pk}").status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_contain_only_scope(world, client_for, fmt):
    response = client_for(world.official).get(reverse("supervisee_export", args=[fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
    else:
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        text = "\n".join(
            ",".join(str(c or "") for c in row) for row in sheet.iter_rows(values_only=True)
        )
    assert "张三丰" in text and "赵六" in text
    assert "孙七" not in text


def test_api_list_is_scoped(world, client_for):
    body = client_for(world.jining_official).get("/api/v1/supervisees").json()
    assert [item["id"] for item in body["items"]] == [world.jining_person.pk]
    assert body["count"] == 1


def test_api_list_filters_take_only_the_known_values(world, client_for):
    client = client_for(world.official)
    level = world.adult.supervision_level
    body = client.get("/api/v1/supervisees", {"level": level, "status": "active"}).json()
    assert body["items"] and {item["supervision_level"] for item in body["items"]} == {level}
    # Anything else is refused before it reaches the database (a NUL was a 500 on PostgreSQL).
    for query in ({"status": "active\x00"}, {"level": "strictest"}):
        response = client.get("/api/v1/supervisees", query)
        assert response.status_code == 422, query


def test_caseworker_cannot_edit_another_offices_person(world, client_for):
    client = client_for(world.other_caseworker)
    assert client.get(reverse("supervisee_edit", args=[world.adult.pk])).status_code == 404
    response = client.post(reverse("supervisee_account", args=[world.adult.pk]))
    assert response.status_code == 404
    world.adult.refresh_from_db()
    assert world.adult.user == world.supervisee_user


def test_official_may_read_but_not_edit(world, client_for):
    client = client_for(world.official)
    assert client.get(reverse("supervisee_edit", args=[world.adult.pk])).status_code == 403


def test_region_subtree_follows_a_moved_branch(world):
    from portal.models import Region

    world.shizhong.parent = world.jining
    world.shizhong.save()
    world.zhongxin.refresh_from_db()
    assert world.zhongxin.path == "/370000/370800/370402/370402001/"
    assert set(Region.objects.subtree(world.jining).values_list("code", flat=True)) >= {
        "370402001",
        "370830001",
    }
