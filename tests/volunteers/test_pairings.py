"""The pairing lifecycle: proposed → active (agreement) → closed; minors need a screened mentor
and the agency's approval; a mentor's capacity is respected."""

import datetime

import pytest
from django.utils import translation

from portal.models import Notification
from volunteers import actions
from volunteers.models import Pairing

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def propose(client, supervisee, mentor, goals="稳定就业"):
    return client.post(
        f"/mentoring/people/{supervisee.pk}/propose/",
        {"mentor": mentor.pk, "goals": goals},
        follow=True,
    )


def start(client, pairing, **values):
    data = {"goals": "稳定就业，修复家庭关系", "frequency": "weekly", "starts_on": TODAY}
    data.update(values)
    return client.post(f"/mentoring/pairings/{pairing.pk}/start/", data, follow=True)


def test_an_adult_pairing_from_proposal_to_planned_closure(world, mentors, client_for):
    caseworker = client_for(world.caseworker)
    propose(caseworker, world.adult, world.mentor)
    pairing = Pairing.objects.get(supervisee=world.adult)
    assert pairing.status == Pairing.Status.PROPOSED and pairing.proposed_by == world.caseworker

    refused = start(caseworker, pairing, frequency="")
    assert refused.status_code == 400 and "稳定就业，修复家庭关系" in refused.content.decode()
    start(caseworker, pairing)
    pairing.refresh_from_db()
    assert (pairing.status, pairing.frequency, pairing.starts_on) == ("active", "weekly", TODAY)
    assert Notification.objects.filter(user=world.mentor, key=f"pairing:{pairing.pk}:active")

    early = caseworker.post(
        f"/mentoring/pairings/{pairing.pk}/close/", {"closure": "early", "exit_notes": "x"}
    )
    assert early.status_code == 400 and "提前结束的原因" in early.content.decode()
    caseworker.post(
        f"/mentoring/pairings/{pairing.pk}/close/",
        {"closure": "planned", "exit_notes": "已稳定就业。"},
    )
    pairing.refresh_from_db()
    assert (pairing.status, pairing.closure, pairing.exit_notes) == (
        "closed",
        "planned",
        "已稳定就业。",
    )
    again = caseworker.post(f"/mentoring/pairings/{pairing.pk}/close/", {"closure": "planned"})
    assert again.status_code == 400 and "已结束" in again.content.decode()


def test_a_minor_needs_a_screened_mentor(world, mentors, client_for, rf):
    page = propose(client_for(world.caseworker), world.minor, mentors.unscreened_user)
    assert page.status_code == 400 and "推荐的导师" in page.content.decode()  # not offered
    request = rf.post("/")
    request.user = world.caseworker
    with translation.override("zh-hans"), pytest.raises(actions.Refused, match="筛查"):
        actions.propose(request, mentors.unscreened_user, world.minor)
    assert not Pairing.objects.exists()


def test_a_minor_pairing_starts_only_after_the_agency_approves(world, mentors, client_for):
    caseworker = client_for(world.caseworker)
    propose(caseworker, world.minor, world.mentor)
    pairing = Pairing.objects.get(supervisee=world.minor)
    assert Notification.objects.filter(
        user=world.county_official, key=f"pairing:{pairing.pk}:approve"
    )
    refused = start(caseworker, pairing)
    assert "批准" in refused.content.decode()
    # The city official is not the responsible (county) agency.
    assert (
        client_for(world.official).post(f"/mentoring/pairings/{pairing.pk}/approve/").status_code
        == 400
    )
    county = client_for(world.county_official)
    county.post(f"/mentoring/pairings/{pairing.pk}/approve/")
    pairing.refresh_from_db()
    assert pairing.approved_by == world.county_official
    approved_at = pairing.approved_at
    # Approved once: a second approval is refused and changes nothing.
    again = county.post(f"/mentoring/pairings/{pairing.pk}/approve/")
    assert again.status_code == 400 and "不在等待批准" in again.content.decode()
    pairing.refresh_from_db()
    assert pairing.approved_at == approved_at
    start(caseworker, pairing)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE


def test_an_adults_pairing_needs_no_agency_approval(world, mentors, client_for):
    propose(client_for(world.caseworker), world.adult, world.mentor)
    pairing = Pairing.objects.get()
    page = client_for(world.county_official).post(f"/mentoring/pairings/{pairing.pk}/approve/")
    assert page.status_code == 400 and "只有未成年人的结对" in page.content.decode()
    pairing.refresh_from_db()
    assert pairing.approved_at is None


def test_capacity_and_approval_of_the_volunteer_are_respected(world, mentors, client_for, rf):
    from tests.conftest import make_supervisee

    caseworker = client_for(world.caseworker)
    second = make_supervisee(world.zhongxin_office, world.zhongxin, name="周八")
    offered = f'data-mentor="{mentors.unscreened_user.pk}"'
    assert offered in caseworker.get(f"/mentoring/people/{second.pk}/").content.decode()
    propose(caseworker, world.adult, mentors.unscreened_user)
    # Full now: no longer offered, and a crafted proposal is refused with the goals kept.
    assert offered not in caseworker.get(f"/mentoring/people/{second.pk}/").content.decode()
    page = propose(caseworker, second, mentors.unscreened_user, goals="学一门手艺")
    assert page.status_code == 400
    assert "推荐的导师" in page.content.decode() and "学一门手艺" in page.content.decode()
    # The action keeps the rules for a proposal racing another one.
    request = rf.post("/")
    request.user = world.caseworker
    with translation.override("zh-hans"):
        with pytest.raises(actions.Refused, match="没有余力"):
            actions.propose(request, mentors.unscreened_user, second)
        with pytest.raises(actions.Refused, match="已经"):
            actions.propose(request, mentors.unscreened_user, world.adult)
    assert Pairing.objects.filter(mentor=mentors.unscreened_user).count() == 1

    world.mentor.memberships.update(status="pending")
    page = propose(caseworker, second, world.mentor)
    assert "推荐的导师" in page.content.decode()  # not offered until the agency approves
    assert not Pairing.objects.filter(mentor=world.mentor).exists()


def test_only_the_persons_caseworker_proposes_and_starts(world, mentors, client_for):
    other = client_for(world.other_caseworker)
    assert propose(other, world.adult, world.mentor).status_code == 404
    propose(client_for(world.caseworker), world.adult, world.mentor)
    pairing = Pairing.objects.get()
    assert start(other, pairing).status_code == 404
    assert (
        client_for(world.social_worker).post(f"/mentoring/pairings/{pairing.pk}/start/").status_code
        == 403
    )


def test_a_volunteer_keeps_a_profile_and_the_agency_the_screening(world, client_for):
    from volunteers.models import MentorProfile

    mentor = client_for(world.mentor)
    refused = mentor.post(
        "/mentoring/profile/",
        {"elder_kind": "retired_teacher", "capacity": 50, "languages": "普通话"},
    ).content.decode()
    assert "10" in refused and 'value="普通话"' in refused
    mentor.post(
        "/mentoring/profile/",
        {"elder_kind": "retired_teacher", "capacity": 2, "regions": [world.zhongxin.pk]},
    )
    profile = MentorProfile.objects.get(user=world.mentor)
    assert not profile.is_screened
    # The screening is recorded by an official of the volunteer group's region, nobody else.
    url = f"/mentoring/mentors/{profile.pk}/screening/"
    assert client_for(world.jining_official).get(url).status_code == 404
    assert mentor.get(url).status_code == 403
    official = client_for(world.official)
    assert "钱" not in official.get("/mentoring/mentors/").content.decode()
    future = official.post(url, {"trained_on": "2099-01-01", "background_check_passed": "true"})
    assert "未来" in future.content.decode() and "背景审查的日期" in future.content.decode()
    official.post(
        url,
        {
            "background_check_on": "2026-03-01",
            "background_check_passed": "true",
            "trained_on": "2026-03-10",
            "agreement_signed_on": "2026-03-10",
        },
    )
    profile.refresh_from_db()
    assert profile.is_screened
