"""Each supervisee's hours this month against the requirement, for the people who watch them."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from portal.models import Supervisee
from portal.privacy import PersonView, person_view

from .access import orientation_course_for, orientation_courses
from .calendar import days_in_month
from .ledger import RequirementTable, Totals, monthly_totals
from .models import CourseCompletion


@dataclass(frozen=True)
class Measure:
    """Minutes done against minutes required, with the month-end projection."""

    done: int
    required: int
    projected: int

    @property
    def percent(self) -> int:
        return 100 if not self.required else min(100, round(100 * self.done / self.required))

    @property
    def missing(self) -> int:
        return max(0, self.required - self.done)

    @property
    def projected_shortfall(self) -> int:
        return max(0, self.required - self.projected)


@dataclass(frozen=True)
class ComplianceRow:
    supervisee: Supervisee
    person: PersonView
    study: Measure
    service: Measure
    orientation_overdue: bool
    unreviewed_reflections: int

    @property
    def is_short(self) -> bool:
        return bool(self.study.missing or self.service.missing)

    @property
    def projected_shortfall(self) -> int:
        return self.study.projected_shortfall + self.service.projected_shortfall


def measure(done: int, required: int, today: datetime.date) -> Measure:
    projected = round(done * days_in_month(today) / today.day)
    return Measure(done=done, required=required, projected=projected)


def measures(supervisees, today: datetime.date) -> dict[int, tuple[Measure, Measure]]:
    """Study and service measures of this month for each of `supervisees` (a list)."""
    totals = monthly_totals([s.pk for s in supervisees], today)
    table = RequirementTable()
    result = {}
    for supervisee in supervisees:
        requirement = table.for_supervisee(supervisee)
        done = totals.get(supervisee.pk, Totals())
        result[supervisee.pk] = (
            measure(done.study, requirement.study_minutes if requirement else 0, today),
            measure(done.service, requirement.service_minutes if requirement else 0, today),
        )
    return result


def rows_for(viewer, supervisees, today: datetime.date | None = None) -> list[ComplianceRow]:
    """Compliance rows for `supervisees` (already scoped to `viewer`)."""
    today = today or timezone.localdate()
    supervisees = list(
        supervisees.select_related(
            "judicial_office__region", "judicial_office__parent", "home_township"
        ).annotate(unreviewed=Count("reflections", filter=Q(reflections__reviewed_at__isnull=True)))
    )
    hours = measures(supervisees, today)
    oriented = orientation_progress(supervisees)
    due = today - datetime.timedelta(days=settings.COURSES_ORIENTATION_DUE_DAYS)
    rows = []
    for supervisee in supervisees:
        study, service = hours[supervisee.pk]
        overdue = oriented[supervisee.pk] is False and supervisee.supervision_start < due
        rows.append(
            ComplianceRow(
                supervisee=supervisee,
                person=person_view(viewer, supervisee, in_scope=True),
                study=study,
                service=service,
                orientation_overdue=overdue,
                unreviewed_reflections=supervisee.unreviewed,
            )
        )
    return rows


def orientation_progress(supervisees) -> dict[int, bool | None]:
    """For each of `supervisees` (a list): has the person completed the first lesson of their
    region (None when no first lesson applies to them)?"""
    courses = orientation_courses()
    completed = set(
        CourseCompletion.objects.filter(
            supervisee_id__in=[s.pk for s in supervisees], course__in=courses
        ).values_list("supervisee_id", "course_id")
    )
    progress = {}
    for supervisee in supervisees:
        course = orientation_course_for(supervisee, courses)
        done = course is not None and (supervisee.pk, course.pk) in completed
        progress[supervisee.pk] = None if course is None else done
    return progress


def scope(viewer):
    return Supervisee.objects.in_scope_of(viewer).active()
