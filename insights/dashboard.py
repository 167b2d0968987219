"""The officials' region dashboard: aggregates only, with small cells suppressed.

A count from 1 to 4 is published as "<5" (primary suppression). Where such a cell could be
worked out from the others, because a row or a column adds up to a published total, one more
cell of that line is withheld and shown as "*" (complementary suppression), until no withheld
cell can be derived by subtraction. Hours follow the people they were given to: withheld when
the number of people is.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.compliance import measures, orientation_progress
from live.models import Attendance
from portal.models import Region, Supervisee
from portal.models.people import SupervisionLevel
from resources.models import Referral
from resources.models import Status as ReferralStatus
from volunteers.models import AssistanceLog, MentoringSession, VolunteerTime

SMALL = 5
TOTAL = "total"

# Referral outcomes as published: still open, placed (started or completed), and the rest.
REFERRAL_GROUPS = {
    "ref_open": (
        ReferralStatus.REQUESTED,
        ReferralStatus.SENT,
        ReferralStatus.RECEIVED,
        ReferralStatus.ACCEPTED,
    ),
    "ref_started": (ReferralStatus.STARTED,),
    "ref_completed": (ReferralStatus.COMPLETED,),
    "ref_declined": (ReferralStatus.DECLINED,),
    "ref_other": (ReferralStatus.ENDED, ReferralStatus.WITHDRAWN, ReferralStatus.RETURNED),
}

COLUMNS = {
    "active": pgettext_lazy("dashboard", "under supervision"),
    **dict(SupervisionLevel.choices),
    "minors": _("minors"),
    "released": _("released this year"),
    "terminated": _("terminated this year"),
    "met": _("hours met this month"),
    "met_rate": _("compliance rate"),
    "oriented": _("first lesson completed"),
    "oriented_rate": _("first lesson rate"),
    "ref_total": _("referrals this year"),
    "ref_open": pgettext_lazy("referrals", "open"),
    "ref_started": pgettext_lazy("referrals", "placed, in progress"),
    "ref_completed": pgettext_lazy("referrals", "completed"),
    "ref_declined": pgettext_lazy("referrals", "declined"),
    "ref_other": pgettext_lazy("referrals", "ended, withdrawn or returned"),
    "helped": _("people given volunteer help"),
    "volunteer_hours": _("approved volunteer hours"),
    "attendees": _("live-class attendees"),
    "live_hours": _("live-class hours attended"),
}

SECTIONS = [
    (
        _("Supervisees"),
        ["active", "strict", "standard", "lenient", "minors", "released", "terminated"],
    ),
    (_("Hours and first lesson"), ["active", "met", "met_rate", "oriented", "oriented_rate"]),
    (
        _("Referrals by outcome"),
        ["ref_total", "ref_open", "ref_started", "ref_completed", "ref_declined", "ref_other"],
    ),
    (_("Volunteers and live classes"), ["helped", "volunteer_hours", "attendees", "live_hours"]),
]

# Lines that add up within a row: (parts..., total). "not_met" and "not_oriented" are never
# shown but are known to anyone who subtracts, so they are protected like shown cells.
ROW_LINES = [
    ("strict", "standard", "lenient", "active"),
    ("met", "not_met", "active"),
    ("oriented", "not_oriented", "active"),
    (*REFERRAL_GROUPS, "ref_total"),
]
# Amounts withheld whenever the people they belong to are.
FOLLOWS = {"volunteer_hours": "helped", "live_hours": "attendees"}
RATES = {"met_rate": ("met", "active"), "oriented_rate": ("oriented", "active")}


@dataclass(frozen=True)
class Row:
    region: Region | None  # None for the total
    label: str
    cells: list[str]
    drill: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    headers: list[str]
    rows: list[Row]


class Dashboard:
    def __init__(self, region: Region, today: datetime.date | None = None):
        self.region = region
        self.today = today or timezone.localdate()
        children = list(region.children.order_by("code"))
        self.units = children or [region]
        self.values: dict[tuple[str, str], int] = defaultdict(int)
        self._count()
        self.hidden = protect(self.values, self._lines())

    # --- counting -------------------------------------------------------------------------

    def _unit_of(self, path: str) -> str | None:
        for unit in self.units:
            if path.startswith(unit.path):
                return unit.code
        return None

    def _add(self, unit: str | None, column: str, amount: int = 1) -> None:
        if unit is None:
            return
        self.values[(unit, column)] += amount
        self.values[(TOTAL, column)] += amount

    def _count(self) -> None:
        year, path = self.today.year, self.region.path
        people = list(
            Supervisee.objects.filter(
                judicial_office__region__path__startswith=path
            ).select_related("judicial_office__region")
        )
        unit = {p.pk: self._unit_of(p.judicial_office.region.path) for p in people}
        active = [p for p in people if p.status == Supervisee.Status.ACTIVE]
        for person in people:
            if person.status == Supervisee.Status.ACTIVE:
                for column in ("active", person.supervision_level):
                    self._add(unit[person.pk], column)
                if person.is_minor:
                    self._add(unit[person.pk], "minors")
            elif person.ended_on and person.ended_on.year == year:
                self._add(unit[person.pk], person.status)
        hours = measures(active, self.today)
        oriented = orientation_progress(active)
        for person in active:
            study, service = hours[person.pk]
            met = not study.missing and not service.missing
            self._add(unit[person.pk], "met" if met else "not_met")
            self._add(unit[person.pk], "oriented" if oriented[person.pk] else "not_oriented")

        group_of = {s: g for g, statuses in REFERRAL_GROUPS.items() for s in statuses}
        for supervisee_id, status in Referral.objects.filter(
            supervisee__judicial_office__region__path__startswith=path, created_at__year=year
        ).values_list("supervisee_id", "status"):
            self._add(unit[supervisee_id], group_of[status])
            self._add(unit[supervisee_id], "ref_total")

        given = Counter()
        approved = {"hours_status": VolunteerTime.HoursStatus.APPROVED, "held_on__year": year}
        for model, person in (
            (AssistanceLog, "supervisee"),
            (MentoringSession, "pairing__supervisee"),
        ):
            lookup = f"{person}_id"
            inside = {f"{person}__judicial_office__region__path__startswith": path}
            for row in (
                model.objects.filter(**approved, **inside)
                .values(lookup)
                .annotate(minutes=Sum("minutes"))
                .order_by()
            ):
                given[row[lookup]] += row["minutes"]
        self._people_and_hours(unit, given, "helped", "volunteer_hours", 60)

        attended = dict(
            Attendance.objects.filter(
                supervisee__judicial_office__region__path__startswith=path,
                live_class__starts_at__year=year,
                seconds__gt=0,
            )
            .values_list("supervisee_id")
            .annotate(seconds=Sum("seconds"))
            .order_by()
        )
        self._people_and_hours(unit, attended, "attendees", "live_hours", 3600)

    def _people_and_hours(self, unit, amounts: dict, people: str, hours: str, per_hour: int):
        for supervisee_id, amount in amounts.items():
            self._add(unit[supervisee_id], people)
            self._add(unit[supervisee_id], hours, amount)
        for key in [k for k in self.values if k[1] == hours]:
            self.values[key] = round(self.values[key] / per_hour)

    def _lines(self) -> list[tuple]:
        rows = [u.code for u in self.units] + [TOTAL]
        lines = [tuple((r, c) for c in line) for r in rows for line in ROW_LINES]
        columns = {c for line in ROW_LINES for c in line} | (set(COLUMNS) - set(RATES))
        for column in columns:
            lines.append(tuple((r, column) for r in rows))
        return lines

    # --- what is published -----------------------------------------------------------------

    def cell(self, row: str, column: str) -> str:
        if column in RATES:
            part, whole = (self.values[(row, c)] for c in RATES[column])
            if (row, RATES[column][0]) in self.hidden or (row, RATES[column][1]) in self.hidden:
                return "*"
            return "—" if not whole else f"{round(100 * part / whole)}%"
        value = self.values[(row, column)]
        if (row, column) in self.hidden:
            return "<5" if 0 < value < SMALL and column not in FOLLOWS else "*"
        return str(value)

    def number(self, row: str, column: str) -> int | None:
        """The value for a chart, or None where it is withheld."""
        shown = self.cell(row, column)
        return None if shown in ("<5", "*", "—") else int(shown.rstrip("%"))

    def sections(self) -> list[Section]:
        result = []
        for title, columns in SECTIONS:
            rows = [
                Row(
                    region=unit,
                    label=unit.name,
                    cells=[self.cell(unit.code, c) for c in columns],
                    drill=unit != self.region,
                )
                for unit in self.units
            ]
            if self.units != [self.region]:
                rows.append(
                    Row(
                        region=None,
                        label=str(_("Total")),
                        cells=[self.cell(TOTAL, c) for c in columns],
                    )
                )
            result.append(Section(str(title), [str(COLUMNS[c]) for c in columns], rows))
        return result

    def charts(self) -> list[dict]:
        """What the page's script draws: bars with a value, or a withheld mark."""

        def bars(items):
            return [
                {
                    "label": str(label),
                    "value": self.number(row, column),
                    "text": self.cell(row, column),
                }
                for label, row, column in items
            ]

        return [
            {
                "title": str(_("Supervisees by level")),
                "unit": "",
                "bars": bars((COLUMNS[c], TOTAL, c) for c in ("strict", "standard", "lenient")),
            },
            {
                "title": str(_("Compliance rate this month")),
                "unit": "%",
                "max": 100,
                "bars": bars((u.name, u.code, "met_rate") for u in self.units),
            },
            {
                "title": str(_("Referrals this year by outcome")),
                "unit": "",
                "bars": bars((COLUMNS[c], TOTAL, c) for c in REFERRAL_GROUPS),
            },
        ]


def protect(values: dict, lines: list[tuple]) -> set:
    """The cells to withhold: every count from 1 to 4, then, line by line, one more cell
    wherever a line would otherwise have exactly one withheld cell left to subtract for."""
    hidden = {key for key, value in values.items() if 0 < value < SMALL and key[1] not in FOLLOWS}
    changed = True
    while changed:
        changed = False
        for key in list(values):
            if key[1] in FOLLOWS and (key[0], FOLLOWS[key[1]]) in hidden and key not in hidden:
                hidden.add(key)
                changed = True
        for line in lines:
            withheld = [key for key in line if key in hidden]
            if len(withheld) != 1:
                continue
            # Withhold the smallest other cell, preferring parts over the line's total.
            candidates = [key for key in line[:-1] if key not in hidden] or [
                key for key in line if key not in hidden
            ]
            if candidates:
                hidden.add(
                    min(candidates, key=lambda key: (values.get(key, 0) == 0, values.get(key, 0)))
                )
                changed = True
    return hidden
