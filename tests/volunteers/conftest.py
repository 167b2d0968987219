"""Mentor profiles on top of the shared world: one screened, one not."""

import datetime

import pytest

from portal.models import Role
from tests.conftest import make_user
from volunteers.models import MentorProfile


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
