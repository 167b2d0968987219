"""Mentor profiles on top of the shared world: one screened, one not."""

import datetime

import pytest
from django.utils import timezone

from portal.models import Role
from tests.conftest import make_user
from volunteers.models import MentorProfile, Pairing


class Mentors:
    def __init__(self, world):
        day = datetime.date(2026, 1, 10)
        self.screened = MentorProfile.objects.create(
            user=world.mentor,
            elder_kind="retired_teacher",
            languages="普通话、枣庄话",
            capacity=2,
            background_check_on=day,
            background_check_passed=True,
            trained_on=day,
            agreement_signed_on=day,
        )
        self.unscreened_user = make_user(
            "new_mentor", Role.MENTOR, world.volunteers, full_name="钱老师"
        )
        self.unscreened = MentorProfile.objects.create(
            user=self.unscreened_user, elder_kind="party_veteran", capacity=1
        )


@pytest.fixture
def mentors(world) -> Mentors:
    return Mentors(world)


def active(world, supervisee, mentor=None, approved=False, starts_on=None) -> Pairing:
    """An active pairing, as if proposed and started by the person's caseworker."""
    return Pairing.objects.create(
        mentor=mentor or world.mentor,
        supervisee=supervisee,
        status="active",
        proposed_by=world.caseworker,
        frequency="weekly",
        starts_on=starts_on or timezone.localdate() - datetime.timedelta(days=30),
        approved_by=world.county_official if approved else None,
        approved_at=timezone.now() if approved else None,
    )
