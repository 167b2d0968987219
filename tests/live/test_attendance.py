"""Attendance is the union of a person's lease intervals inside the class window, across
reconnects and devices; a lost process costs at most one renewal; the end credits once."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from courses.models import HourCredit
from live.attendance import covered_seconds, end_class, recompute, sweep_stale_leases
from live.models import Attendance, Lease

T0 = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


@given(st.lists(st.tuples(st.integers(0, 600), st.integers(0, 600)), max_size=12))
def test_covered_seconds_equals_counting_each_second(pairs):
    intervals = [(at(min(a, b)), at(max(a, b))) for a, b in pairs]
    window = (at(100), at(500))
    seconds = {s for a, b in pairs for s in range(max(min(a, b), 100), min(max(a, b), 500))}
    assert covered_seconds(intervals, *window) == len(seconds)


def test_covered_seconds_simple_cases():
    window = (at(0), at(3600))
    assert covered_seconds([], *window) == 0
    assert covered_seconds([(at(-600), at(600))], *window) == 600  # before the start is cut
    two_devices = [(at(0), at(1200)), (at(600), at(1800))]
    assert covered_seconds(two_devices, *window) == 1800  # overlap counted once
    reconnects = [(at(0), at(300)), (at(320), at(900)), (at(3500), at(4000))]
    assert covered_seconds(reconnects, *window) == 300 + 580 + 100


pytestmark_db = pytest.mark.django_db


def lease(live_class, person, opened, renewed, closed=None):
    return Lease.objects.create(
        live_class=live_class,
        user=person.user,
        supervisee=person,
        opened_at=opened,
        renewed_at=renewed,
        closed_at=closed,
    )


@pytestmark_db
def test_a_lost_process_costs_at_most_one_renewal(world, live_class, settings):
    """The socket's process died 95 s after joining; its last batch wrote the renewal at 80 s.
    The sweep closes the lease at that renewal: 80 s counted, never more than was seen."""
    start = live_class.starts_at
    lease(live_class, world.adult, start, start + datetime.timedelta(seconds=80))
    assert sweep_stale_leases(start + datetime.timedelta(seconds=300)) == 1
    attendance = recompute(live_class)[0]
    lost = 95 - attendance.seconds
    assert attendance.seconds == 80 and 0 <= lost <= settings.LIVE_PING_SECONDS
    # A live socket's lease is left alone.
    lease(live_class, world.adult, start, timezone.now())
    assert sweep_stale_leases() == 0


@pytestmark_db
def test_ending_the_class_credits_the_ledger_once(world, live_class):
    start = live_class.starts_at
    lease(
        live_class,
        world.adult,
        start - datetime.timedelta(minutes=5),
        start + datetime.timedelta(minutes=20),
        start + datetime.timedelta(minutes=20),
    )
    lease(
        live_class,
        world.adult,
        start + datetime.timedelta(minutes=15),
        start + datetime.timedelta(minutes=31, seconds=30),
    )  # phone, still open
    end_class(live_class)
    end_class(live_class)  # a second end changes nothing
    attendance = Attendance.objects.get()
    assert attendance.seconds == 31 * 60 + 30 and attendance.minutes == 31
    credit = HourCredit.objects.get()
    assert (credit.source, credit.minutes, credit.supervisee) == ("live", 31, world.adult)
    assert attendance.credit == credit
    assert not Lease.objects.filter(closed_at__isnull=True).exists()
    live_class.refresh_from_db()
    assert live_class.status == "ended" and live_class.ended_at
