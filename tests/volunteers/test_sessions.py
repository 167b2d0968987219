"""Mentors see only their mentees, minors stay masked unless the agency approved a screened
mentor, sessions refuse bad input without losing it, and quiet pairings raise an alert."""

import datetime

import pytest
from django.utils import timezone

from portal.access import sees_full_identity
from portal.models import Notification, Supervisee
from tests.volunteers.conftest import active
from volunteers.actions import send_lapse_alerts
from volunteers.models import MentoringSession, Pairing

pytestmark = pytest.mark.django_db


def test_a_mentor_sees_only_paired_people(world, mentors, client_for):
    pairing = active(world, world.adult)
    assert list(Supervisee.objects.in_scope_of(world.mentor)) == [world.adult]
    client = client_for(world.mentor)
    assert client.get(f"/mentoring/pairings/{pairing.pk}/").status_code == 200
    other = active(world, world.kuangqu_person, mentor=mentors.unscreened_user)
    assert client.get(f"/mentoring/pairings/{other.pk}/").status_code == 404
    assert client.get(f"/mentoring/pairings/{other.pk}/sessions/new/").status_code == 404
    assert client.get(f"/mentoring/people/{world.adult.pk}/").status_code == 403
    assert client.get(f"/supervisees/{world.adult.pk}/").status_code == 403
    Pairing.objects.filter(pk=pairing.pk).update(status="closed")
    assert list(Supervisee.objects.in_scope_of(world.mentor)) == []


def test_a_minor_is_masked_for_a_mentor_unless_approved_and_screened(world, mentors, client_for):
    pairing = active(world, world.minor)
    html = client_for(world.mentor).get("/mentoring/").content.decode()
    assert "李**" in html and "李小龙" not in html
    assert not sees_full_identity(world.mentor, world.minor)
    Pairing.objects.filter(pk=pairing.pk).update(
        approved_by=world.county_official, approved_at=timezone.now()
    )
    assert sees_full_identity(world.mentor, world.minor)
    assert "李小龙" in client_for(world.mentor).get("/mentoring/").content.decode()
    world.mentor.mentor_profile.trained_on = None
    world.mentor.mentor_profile.save()
    assert not sees_full_identity(world.mentor, world.minor)


def test_a_mentor_never_sees_offences(world, mentors, client_for):
    pairing = active(world, world.adult)
    html = client_for(world.mentor).get(f"/mentoring/pairings/{pairing.pk}/").content.decode()
    assert "盗窃" not in html and world.adult.id_number not in html


def test_logging_a_session(world, mentors, client_for):
    pairing = active(world, world.adult)
    today = timezone.localdate()
    response = client_for(world.mentor).post(
        f"/mentoring/pairings/{pairing.pk}/sessions/new/",
        {
            "held_on": today.isoformat(),
            "minutes": 45,
            "mode": "phone",
            "topic": "求职准备",
            "follow_up": "带简历去基地面试",
            "follow_up_due": (today + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    session = MentoringSession.objects.get()
    assert (session.minutes, session.mode, session.logged_by) == (45, "phone", world.mentor)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"held_on": "2099-01-01"}, "未来"),
        ({"minutes": -5}, "1"),
        ({"minutes": 600}, "480"),
        ({"follow_up": "回访", "follow_up_due": "2000-01-01"}, "早于"),
        ({"held_on": "2001-01-01"}, "尚未开始"),
        ({"follow_up_due": "2099-01-01", "follow_up": ""}, "跟进什么"),
    ],
)
def test_bad_sessions_are_refused_and_nothing_typed_is_lost(
    world, mentors, client_for, change, words
):
    pairing = active(world, world.adult)
    values = {
        "held_on": timezone.localdate().isoformat(),
        "minutes": 30,
        "mode": "in_person",
        "topic": "家庭关系",
        "notes": "谈到与父亲的矛盾。",
        **change,
    }
    response = client_for(world.mentor).post(
        f"/mentoring/pairings/{pairing.pk}/sessions/new/", values
    )
    html = response.content.decode()
    assert response.status_code == 200 and words in html
    assert "谈到与父亲的矛盾。" in html and 'value="家庭关系"' in html
    assert not MentoringSession.objects.exists()


def test_quiet_pairings_raise_one_alert_to_mentor_and_caseworker(world, mentors, settings):
    settings.VOLUNTEERS_LAPSE_DAYS = 21
    today = timezone.localdate()
    pairing = active(world, world.adult, starts_on=today - datetime.timedelta(days=40))
    MentoringSession.objects.create(
        pairing=pairing,
        held_on=today - datetime.timedelta(days=10),
        minutes=30,
        mode="phone",
        topic="近况",
        logged_by=world.mentor,
    )
    assert send_lapse_alerts(today) == 0
    later = today + datetime.timedelta(days=12)  # 22 days after the last session
    assert send_lapse_alerts(later) == 2
    assert send_lapse_alerts(later + datetime.timedelta(days=1)) == 0
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"mentor", "caseworker"}


def test_another_mentor_of_the_same_person_cannot_open_the_pairing(world, mentors, client_for):
    mine = active(world, world.adult)
    theirs = active(world, world.adult, mentor=mentors.unscreened_user)
    client = client_for(world.mentor)
    assert client.get(f"/mentoring/pairings/{mine.pk}/").status_code == 200
    assert client.get(f"/mentoring/pairings/{theirs.pk}/").status_code == 404
    assert client.get(f"/mentoring/pairings/{theirs.pk}/sessions/new/").status_code == 404
    # A closed pairing, or a person no longer under supervision, is out of the mentor's reach.
    Pairing.objects.filter(pk=mine.pk).update(status="closed")
    assert client.get(f"/mentoring/pairings/{mine.pk}/").status_code == 404
    Pairing.objects.filter(pk=mine.pk).update(status="active")
    Supervisee.objects.filter(pk=world.adult.pk).update(status="released", ended_on="2026-11-01")
    assert list(Supervisee.objects.in_scope_of(world.mentor)) == []
