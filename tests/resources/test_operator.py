"""The operator workspace: profile and openings, bad input kept, stale listings and reminders."""

import datetime

import pytest
from django.utils import timezone

from portal.models import Notification
from resources.models import Base, Opening, Referral
from resources.reminders import send_reminders

pytestmark = pytest.mark.django_db


def test_the_workspace_lists_own_bases_openings_and_inbox(world, directory, client_for):
    html = client_for(world.operator).get("/directory/operator/").content.decode()
    assert "市中区阳光就业基地" in html and "电工学徒" in html
    assert "汶上县社区公益服务站" not in html and "敬老院陪护" not in html


def test_posting_an_opening_and_bad_input_keeps_what_was_typed(world, directory, client_for):
    client = client_for(world.operator)
    url = f"/directory/operator/bases/{directory.base.pk}/openings/new/"
    bad = {"kind": "service", "title": "绿化养护", "slots_total": 0, "pay_min": 3000}
    response = client.post(url, {**bad, "status": "open"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "至少提供一个名额" in html and "只有就业岗位填写薪资" in html
    assert 'value="绿化养护"' in html
    assert not Opening.objects.filter(title="绿化养护").exists()

    good = {**bad, "slots_total": 2, "pay_min": "", "status": "open"}
    assert client.post(url, {**good, "skills": [directory.cook.pk]}).status_code == 302
    opening = Opening.objects.get(title="绿化养护")
    assert opening.base == directory.base and opening.created_by == world.operator
    assert (opening.slots_total, opening.slots_available) == (2, 2)
    assert list(opening.skills.all()) == [directory.cook]


def test_places_left_follow_the_total_and_the_people_accepted(world, directory, client_for):
    for person in (world.adult, world.kuangqu_person):
        Referral.objects.create(
            supervisee=person,
            opening=directory.job,
            status="accepted",
            holds_slot=True,
            sent_at=timezone.now(),
            created_by=world.caseworker,
        )
    Opening.objects.filter(pk=directory.job.pk).update(slots_available=1)
    client = client_for(world.operator)
    url = f"/directory/operator/openings/{directory.job.pk}/"
    values = {"kind": "job", "title": "电工学徒", "status": "open", "pay_min": 3000}
    refused = client.post(url, {**values, "slots_total": 1}).content.decode()
    assert "已有 2 个名额被已受理的人员占用" in refused
    assert client.post(url, {**values, "slots_total": 5}).status_code == 302
    directory.job.refresh_from_db()
    assert (directory.job.slots_total, directory.job.slots_available) == (5, 3)
    client.post(url, {**values, "slots_total": 2})
    directory.job.refresh_from_db()
    assert (directory.job.slots_total, directory.job.slots_available) == (2, 0)


def test_editing_the_base_refuses_nonsense_and_saving_verifies(world, directory, client_for):
    client = client_for(world.operator)
    Base.objects.filter(pk=directory.base.pk).update(verified_on=datetime.date(2026, 1, 1))
    url = f"/directory/operator/bases/{directory.base.pk}/"
    values = {
        "name": "市中区阳光就业基地",
        "kind": "employment",
        "status": "active",
        "region": world.zhongxin.pk,
        "address": "新地址88号",
        "latitude": 34.86,
        "longitude": 117.56,
        "minimum_age": 40,
        "maximum_age": 18,
        "opens_at": "17:00",
        "closes_at": "08:00",
        "open_days": ["MO", "SA"],
        "required_documents": "身份证\n转介单",
    }
    html = client.post(url, values).content.decode()
    assert "最大年龄不能小于最小年龄" in html and "关门时间必须晚于开门时间" in html
    assert "新地址88号" in html
    values.update(minimum_age=18, maximum_age=60, opens_at="08:00", closes_at="17:00")
    assert client.post(url, values).status_code == 302
    directory.base.refresh_from_db()
    assert directory.base.address == "新地址88号"
    assert directory.base.open_days == ["MO", "SA"]
    assert directory.base.required_documents == ["身份证", "转介单"]
    assert directory.base.verified_on == timezone.localdate()


def test_stale_listings_are_flagged_and_operators_reminded(world, directory, client_for):
    today = timezone.localdate()
    Base.objects.filter(pk=directory.base.pk).update(
        verified_on=today - datetime.timedelta(days=91)
    )
    html = client_for(world.operator).get("/directory/operator/").content.decode()
    assert "排名靠后" in html
    assert send_reminders(today) == 1
    assert send_reminders(today) == 0  # once a day, and once per verification
    note = Notification.objects.get(user=world.operator)
    assert "市中区阳光就业基地" in note.text and note.link.endswith(f"/{directory.base.pk}/")

    client_for(world.operator).post(f"/directory/operator/bases/{directory.base.pk}/verify/")
    directory.base.refresh_from_db()
    assert directory.base.verified_on == today and directory.base.verified_by == world.operator
    assert not directory.base.is_stale()


def test_the_operator_keeps_the_organisation_profile(world, directory, client_for):
    client = client_for(world.operator)
    refused = client.post(
        "/directory/operator/profile/", {"description": "", "website": "not a site"}
    ).content.decode()
    assert "必需字段" in refused and "有效的 URL" in refused and 'value="not a site"' in refused
    client.post(
        "/directory/operator/profile/",
        {"description": "为社区矫正对象提供就业岗位。", "phone": "0632-1234567"},
    )
    directory.provider.refresh_from_db()
    assert directory.provider.description == "为社区矫正对象提供就业岗位。"
    assert directory.provider.phone == "0632-1234567"


def test_editing_an_opening_shows_its_dates_for_the_date_picker(world, directory, client_for):
    import datetime as dt

    Opening.objects.filter(pk=directory.job.pk).update(starts_on=dt.date(2026, 12, 1))
    html = client_for(world.operator).get(f"/directory/operator/openings/{directory.job.pk}/")
    # An <input type=date> only shows ISO dates; a localised one would be blanked and lost.
    assert 'type="date" name="starts_on" value="2026-12-01"' in html.content.decode()
