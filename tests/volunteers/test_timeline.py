"""The person's timeline: mentoring, referrals, hours and level changes in one list."""

import datetime

import pytest
from django.utils import timezone

from courses import ledger
from resources.models import Referral, ReferralEvent
from tests.resources.conftest import Directory
from volunteers.models import MentoringSession, Pairing

pytestmark = pytest.mark.django_db


def test_the_timeline_brings_everything_together_in_order(world, mentors, client_for):
    today = timezone.localdate()
    pairing = Pairing.objects.create(
        mentor=world.mentor,
        supervisee=world.adult,
        status="active",
        proposed_by=world.caseworker,
        starts_on=today - datetime.timedelta(days=20),
    )
    MentoringSession.objects.create(
        pairing=pairing,
        held_on=today - datetime.timedelta(days=2),
        minutes=40,
        mode="phone",
        topic="求职准备",
        logged_by=world.mentor,
    )
    directory = Directory(world)
    referral = Referral.objects.create(
        supervisee=world.adult,
        opening=directory.job,
        status="accepted",
        sent_at=timezone.now(),
        created_by=world.caseworker,
    )
    ReferralEvent.objects.create(
        referral=referral,
        to_status="accepted",
        by=world.operator,
        at=timezone.now() - datetime.timedelta(days=1),
    )
    ledger.credit(world.adult, source="video", minutes=30, day=today, key="t1", record=referral)
    client = client_for(world.caseworker)
    html = client.get(f"/mentoring/people/{world.adult.pk}/timeline/").content.decode()
    order = [html.index(text) for text in ("+30", "电工学徒", "求职准备")]
    assert order == sorted(order)  # newest first
    only = client.get(f"/mentoring/people/{world.adult.pk}/timeline/?kind=mentoring")
    text = only.content.decode()
    assert "求职准备" in text and "电工学徒" not in text and "+30" not in text


def test_the_timeline_is_scoped(world, mentors, client_for):
    assert (
        client_for(world.other_caseworker)
        .get(f"/mentoring/people/{world.adult.pk}/timeline/")
        .status_code
        == 404
    )
    assert (
        client_for(world.mentor).get(f"/mentoring/people/{world.adult.pk}/timeline/").status_code
        == 403
    )
    assert (
        client_for(world.social_worker)
        .get(f"/mentoring/people/{world.adult.pk}/timeline/")
        .status_code
        == 200
    )
    # A social worker reaches only the caseload; an ended assignment ends the reach.
    social_worker = client_for(world.social_worker)
    for person in (world.kuangqu_person, world.jining_person):
        assert social_worker.get(f"/mentoring/people/{person.pk}/timeline/").status_code == 404
        assert social_worker.get(f"/supervisees/{person.pk}/").status_code == 404
    world.adult.caseload_assignments.update(ended_at=timezone.now())
    assert social_worker.get(f"/mentoring/people/{world.adult.pk}/timeline/").status_code == 404
