"""Ranked openings for a person, each with reasons in plain words; stale listings sink."""

import datetime

import pytest
from django.utils import timezone

from portal.models import Skill
from resources.matching import rank
from resources.models import Base, Opening, Referral, Status

pytestmark = pytest.mark.django_db


def titles(matches):
    return [m.opening.title for m in matches]


def reasons(match):
    return [r.text for r in match.reasons]


def test_skills_and_needs_lift_an_opening_and_say_why(world, directory):
    world.adult.skills.add(directory.electrician)
    world.adult.needs = ["employment"]
    world.adult.save()
    matches = rank(world.adult)
    assert titles(matches)[0] == "电工学徒"
    top = matches[0]
    said = reasons(top)
    assert any("技能相符：电工" in r for r in said)
    assert any("符合需求" in r for r in said)
    assert any("公里" in r for r in said)
    assert any("尚有 3 个名额" in r for r in said)
    assert any("年龄 35 岁符合要求（18–60）" in r for r in said)
    assert top.score > matches[1].score


def test_distance_counts_and_far_openings_are_left_out(world, directory):
    near = rank(world.adult)
    # 汶上 is about 140 km away: outside the 50 km the matching looks at.
    assert "敬老院陪护" not in titles(near)
    wide = rank(world.adult, radius_km=300)
    assert "敬老院陪护" in titles(wide)
    by_title = {m.opening.title: m for m in wide}
    assert by_title["敬老院陪护"].distance_km > 100
    assert by_title["敬老院陪护"].score < by_title["社区环境整治"].score


def test_age_rules_out_openings_for_a_minor(world, directory):
    open_to_all = Base.objects.create(
        operator=world.operator_org,
        name="社区服务站",
        kind="welfare",
        region=world.kuangqu,
        address="矿区街道",
        latitude=34.8802,
        longitude=117.5730,
    )
    Opening.objects.create(
        base=open_to_all, kind="service", title="图书整理", slots_total=2, slots_available=2
    )
    # The employment base takes people of 18 to 60, whatever the opening.
    assert titles(rank(world.minor)) == ["图书整理"]
    assert set(titles(rank(world.adult))) == {"电工学徒", "社区环境整治", "图书整理"}


def test_full_closed_and_paused_openings_are_not_offered(world, directory):
    Opening.objects.filter(pk=directory.job.pk).update(slots_available=0)
    Opening.objects.filter(pk=directory.service.pk).update(status=Opening.Status.PAUSED)
    assert titles(rank(world.adult)) == []
    Base.objects.filter(pk=directory.base.pk).update(status=Base.Status.TEMPORARILY_CLOSED)
    Opening.objects.filter(pk=directory.service.pk).update(status=Opening.Status.OPEN)
    assert titles(rank(world.adult)) == []


def test_a_stale_listing_sinks_and_is_flagged(world, directory):
    twin = Base.objects.create(
        operator=world.operator_org,
        name="孪生基地",
        kind="welfare",
        region=world.zhongxin,
        address="同一地址",
        latitude=directory.base.latitude,
        longitude=directory.base.longitude,
        verified_on=timezone.localdate(),
    )
    fresh = Opening.objects.create(
        base=twin, kind="service", title="新近核实", slots_total=10, slots_available=10
    )
    Base.objects.filter(pk=directory.base.pk).update(
        verified_on=timezone.localdate() - datetime.timedelta(days=91)
    )
    matches = {m.opening.title: m for m in rank(world.adult)}
    stale = matches["社区环境整治"]
    assert matches[fresh.title].score > stale.score
    assert any("90 天未核实" in r for r in reasons(stale))
    assert not any("未核实" in r for r in reasons(matches[fresh.title]))


def test_openings_already_referred_are_marked(world, directory):
    Referral.objects.create(
        supervisee=world.adult,
        opening=directory.service,
        status=Status.SENT,
        created_by=world.caseworker,
    )
    marked = {m.opening.title: m.referred for m in rank(world.adult)}
    assert marked == {"电工学徒": False, "社区环境整治": True}


def test_the_match_page_lists_reasons_and_refers_in_one_click(world, directory, client_for):
    world.adult.skills.add(Skill.objects.get(name="电工"))
    client = client_for(world.caseworker)
    page = client.get(f"/directory/match/{world.adult.pk}/").content.decode()
    assert "技能相符：电工" in page and "匹配度" in page
    assert f'action="/directory/match/{world.adult.pk}/refer/{directory.job.pk}/"' in page
    client.post(f"/directory/match/{world.adult.pk}/refer/{directory.job.pk}/")
    assert Referral.objects.get(supervisee=world.adult).status == Status.SENT
    # An official may look but not refer.
    official = client_for(world.official).get(f"/directory/match/{world.adult.pk}/")
    assert official.status_code == 200 and "/refer/" not in official.content.decode()
