"""Volunteer hours: the time mentors and social workers gave, from their sessions and
assistance logs, totalled per volunteer over a period."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum

from .models import VolunteerTime

H = VolunteerTime.HoursStatus


@dataclass
class Totals:
    volunteer: object
    approved_minutes: int = 0
    pending_minutes: int = 0
    entries: int = 0

    @property
    def approved_hours(self) -> float:
        return round(self.approved_minutes / 60, 1)

    @property
    def pending_hours(self) -> float:
        return round(self.pending_minutes / 60, 1)


def totals(sessions, logs, since: datetime.date, until: datetime.date) -> list[Totals]:
    """Per volunteer, approved and waiting minutes of the entries held in [since, until], and
    how many entries those are (refused ones are left out)."""
    found: dict[int, Totals] = {}
    for queryset, who in ((sessions, "logged_by"), (logs, "author")):
        rows = (
            queryset.filter(held_on__range=(since, until))
            .exclude(hours_status=H.NOT_COUNTED)
            .values(who)
            .annotate(
                approved=Sum("minutes", filter=Q(hours_status=H.APPROVED), default=0),
                pending=Sum("minutes", filter=Q(hours_status=H.PENDING), default=0),
                count=Count("pk", filter=~Q(hours_status=H.REJECTED)),
            )
        )
        for row in rows:
            entry = found.setdefault(row[who], Totals(volunteer=None))
            entry.approved_minutes += row["approved"]
            entry.pending_minutes += row["pending"]
            entry.entries += row["count"]
    people = get_user_model().objects.in_bulk(found)
    for pk, entry in found.items():
        entry.volunteer = people[pk]
    return sorted(found.values(), key=lambda t: (-t.approved_minutes, t.volunteer.full_name))


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
