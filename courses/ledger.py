"""Reading and writing the hour ledger, and resolving hour requirements."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from portal.models import Supervisee

from .models import HourCredit, HourRequirement
from .models.ledger import STUDY_SOURCES, Source


def credit(
    supervisee: Supervisee,
    *,
    source: str,
    minutes: int,
    day: datetime.date,
    key: str,
    record,
    by=None,
    note: str = "",
) -> HourCredit:
    """Add a credit once: a second call with the same key returns the first entry unchanged.

    `record` is what earned the credit (lesson progress, attendance, service log): every entry
    leads back to its source.
    """
    existing = HourCredit.objects.filter(key=key).first()
    if existing:
        return existing
    entry = HourCredit(
        supervisee=supervisee,
        source=source,
        minutes=minutes,
        month=day.replace(day=1),
        key=key,
        source_record=record,
        recorded_by=by,
        note=note,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:  # another process wrote the same key first
        return HourCredit.objects.get(key=key)
    return entry


def reverse(entry: HourCredit, *, by, reason: str) -> HourCredit:
    """Correct a credit by adding its opposite; the original stays as it was. Idempotent."""
    entry = HourCredit.objects.get(pk=entry.pk)  # mirror what is stored, not an edited copy
    if entry.reverses_id:
        raise ValueError("a reversal cannot itself be reversed")
    existing = HourCredit.objects.filter(reverses=entry).first()
    if existing:
        return existing
    reversal = HourCredit(
        supervisee_id=entry.supervisee_id,
        source=entry.source,
        minutes=-entry.minutes,
        month=entry.month,
        key=f"reverse:{entry.pk}",
        source_type_id=entry.source_type_id,
        source_id=entry.source_id,
        reverses=entry,
        recorded_by=by,
        note=reason,
    )
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError:  # reversed concurrently
        return HourCredit.objects.get(reverses=entry)
    return reversal


@dataclass(frozen=True)
class Totals:
    study: int = 0
    service: int = 0


def monthly_totals(supervisee_ids, month: datetime.date) -> dict[int, Totals]:
    """Study and service minutes credited to each person in `month` (reversals included)."""
    month = month.replace(day=1)
    return {pk: t for (pk, _m), t in totals_by_month(supervisee_ids, month, month).items()}


def totals_by_month(
    supervisee_ids, first: datetime.date, last: datetime.date
) -> dict[tuple[int, datetime.date], Totals]:
    """Minutes per (person, month) for the months from `first` to `last` (first days)."""
    rows = (
        HourCredit.objects.filter(supervisee_id__in=supervisee_ids, month__range=(first, last))
        .values("supervisee_id", "month")
        .annotate(
            study=Coalesce(Sum("minutes", filter=Q(source__in=STUDY_SOURCES)), 0),
            service=Coalesce(Sum("minutes", filter=Q(source=Source.SERVICE)), 0),
        )
        .order_by()
    )
    return {(r["supervisee_id"], r["month"]): Totals(r["study"], r["service"]) for r in rows}


def history(supervisee: Supervisee) -> list[dict]:
    """Minutes per month, newest first."""
    return list(
        supervisee.hour_credits.values("month")
        .annotate(
            study=Coalesce(Sum("minutes", filter=Q(source__in=STUDY_SOURCES)), 0),
            service=Coalesce(Sum("minutes", filter=Q(source=Source.SERVICE)), 0),
        )
        .order_by("-month")
    )


class RequirementTable:
    """Every requirement row, loaded once, answering "what applies to this person"."""

    def __init__(self):
        self.rows = {
            (r.region.path if r.region_id else "", r.level): r
            for r in HourRequirement.objects.select_related("region")
        }

    def for_region(self, region, level: str) -> HourRequirement | None:
        """The most specific requirement: the region itself, then each ancestor, then national."""
        path = region.path if region else ""
        while path:
            row = self.rows.get((path, level))
            if row:
                return row
            path = path[: path.rstrip("/").rfind("/") + 1] if path.count("/") > 2 else ""
        return self.rows.get(("", level))

    def for_supervisee(self, supervisee: Supervisee) -> HourRequirement | None:
        return self.for_region(supervisee.judicial_office.region, supervisee.supervision_level)


def requirement_for(supervisee: Supervisee) -> HourRequirement | None:
    return RequirementTable().for_supervisee(supervisee)
