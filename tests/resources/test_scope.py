"""Operators see their own bases only, and never offence details or a minor's identity."""

import json

import pytest
from django.utils import timezone

from portal.privacy import mask_name
from resources.models import Referral, ServiceLog, Status

pytestmark = pytest.mark.django_db


def sent(world, directory, supervisee, opening) -> Referral:
    return Referral.objects.create(
        supervisee=supervisee,
        opening=opening,
        status=Status.SENT,
        sent_at=timezone.now(),
        created_by=world.caseworker,
    )


def test_an_operator_gets_404_on_another_base(world, directory, client_for):
    theirs = sent(world, directory, world.jining_person, directory.other_opening)
    log = ServiceLog.objects.create(
        referral=theirs, day="2026-11-02", minutes=60, note="x", logged_by=directory.other_operator
    )
    client = client_for(world.operator)
    for url in (
        f"/directory/referrals/{theirs.pk}/",
        f"/directory/referrals/{theirs.pk}/hours/",
        f"/directory/operator/openings/{directory.other_opening.pk}/",
        f"/directory/operator/bases/{directory.other_base.pk}/",
        f"/directory/operator/bases/{directory.other_base.pk}/openings/new/",
        f"/directory/openings/{directory.other_opening.pk}/",
        f"/directory/bases/{directory.other_base.pk}/",
        f"/api/v1/referrals/{theirs.pk}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/directory/referrals/{theirs.pk}/step/",
        f"/directory/operator/bases/{directory.other_base.pk}/verify/",
    ):
        assert client.post(url, {"step": "accept"}).status_code == 404, url
    answer = client.post(
        f"/api/v1/referrals/{theirs.pk}/steps",
        json.dumps({"step": "accept"}),
        content_type="application/json",
    )
    assert answer.status_code == 404
    listing = client.get("/api/v1/referrals").json()
    assert [r["id"] for r in listing] == []
    theirs.refresh_from_db()
    assert theirs.status == Status.SENT
    assert (
        client_for(world.caseworker).post(f"/directory/hours/{log.pk}/decide/").status_code == 404
    )


def test_staff_outside_the_persons_scope_get_404(world, directory, client_for):
    referral = sent(world, directory, world.adult, directory.job)
    for user in (world.other_caseworker, world.jining_official, world.mentor):
        client = client_for(user)
        assert client.get(f"/directory/referrals/{referral.pk}/").status_code in (403, 404)
        assert client.get(f"/api/v1/referrals/{referral.pk}").status_code in (403, 404)
    assert (
        client_for(world.other_caseworker).get(f"/directory/match/{world.adult.pk}/").status_code
        == 404
    )
    stranger = client_for(world.supervisee_user)
    other = sent(world, directory, world.kuangqu_person, directory.job)
    assert stranger.get(f"/directory/referrals/{other.pk}/").status_code == 404


OFFENCE_WORDS = ("盗窃", "theft", "缓刑", "probation", "罪")


def test_operator_sees_an_adult_masked_and_no_offence(world, directory, client_for):
    referral = sent(world, directory, world.adult, directory.job)
    client = client_for(world.operator)
    pages = [
        client.get(f"/directory/referrals/{referral.pk}/").content.decode(),
        client.get("/directory/referrals/").content.decode(),
        client.get("/directory/operator/").content.decode(),
        client.get("/directory/referrals/export.csv").content.decode("utf-8-sig"),
        json.dumps(client.get(f"/api/v1/referrals/{referral.pk}").json(), ensure_ascii=False),
        json.dumps(client.get("/api/v1/referrals").json(), ensure_ascii=False),
    ]
    for text in pages:
        assert mask_name("张三丰") in text
        assert "张三丰" not in text
        for word in (*OFFENCE_WORDS, world.adult.id_number, "13811112222", "中心街街道"):
            assert word not in text, word
    detail = client.get(f"/api/v1/referrals/{referral.pk}").json()
    assert detail["person"]["age"] == world.adult.age()


def test_operator_learns_nothing_about_a_minor_but_the_masked_name(world, directory, client_for):
    referral = sent(world, directory, world.minor, directory.service)
    client = client_for(world.operator)
    html = client.get(f"/directory/referrals/{referral.pk}/").content.decode()
    data = client.get(f"/api/v1/referrals/{referral.pk}").json()
    text = html + json.dumps(data, ensure_ascii=False)
    assert mask_name("李小龙") in text
    for word in ("李小龙", "第一中学", "中心街街道", "未成年", "minor", *OFFENCE_WORDS):
        assert word not in text, word
    assert data["person"] == {"name": mask_name("李小龙"), "gender": "", "age": None, "skills": []}


def test_the_caseworker_sees_the_minor_in_full(world, directory, client_for):
    referral = sent(world, directory, world.minor, directory.service)
    html = client_for(world.caseworker).get(f"/directory/referrals/{referral.pk}/").content.decode()
    assert "李小龙" in html


def test_the_operator_never_sees_offences_in_the_matching_or_directory(
    world, directory, client_for
):
    client = client_for(world.operator)
    assert client.get(f"/directory/match/{world.adult.pk}/").status_code == 403
    assert client.get("/directory/").status_code == 403


def test_the_base_sees_a_requesting_person_masked_in_the_history(world, directory, client_for):
    person = client_for(world.supervisee_user)
    person.post(f"/directory/openings/{directory.service.pk}/request/", {})
    referral = Referral.objects.get(supervisee=world.adult)
    client_for(world.caseworker).post(
        f"/api/v1/referrals/{referral.pk}/steps",
        json.dumps({"step": "approve"}),
        content_type="application/json",
    )
    html = client_for(world.operator).get(f"/directory/referrals/{referral.pk}/").content.decode()
    timeline = html[html.index('class="timeline"') :]
    assert mask_name("张三丰") in timeline and "张三丰" not in html


def test_exports_for_a_base_leave_minors_out(world, directory, client_for):
    sent(world, directory, world.minor, directory.service)
    sent(world, directory, world.adult, directory.job)
    csv = client_for(world.operator).get("/directory/referrals/export.csv").content.decode()
    assert mask_name("张三丰") in csv and mask_name("李小龙") not in csv
    staff = client_for(world.caseworker).get("/directory/referrals/export.csv").content.decode()
    assert "李小龙" in staff and "张三丰" in staff
