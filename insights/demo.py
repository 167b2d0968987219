"""Demo records behind the opportunities: six good months for one person at 中心街, and a
violation on another's record."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from courses import actions
from courses.calendar import add_months, month_start
from courses.demo import group_class
from courses.models import GroupAttendance, ServiceRecord
from portal.models import Organisation, Supervisee, Violation

MONTHS = 6


@transaction.atomic
def load(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    caseworker = get_user_model().objects.get(username="caseworker")
    office = Organisation.objects.get(name="中心街街道司法所")
    first = add_months(month_start(today), -MONTHS)
    local = list(
        Supervisee.objects.active()
        .filter(judicial_office=office, is_minor=False, user__isnull=True)
        .order_by("pk")
    )
    steady = next(
        (p for p in local if p.supervision_level == "standard" and p.supervision_start <= first),
        None,
    )
    if steady is not None:
        for n in range(MONTHS, 0, -1):
            month = add_months(month_start(today), -n)
            _full_month(steady, month, office, caseworker)
    warned = next((p for p in local if p != steady and p.supervision_level == "strict"), None)
    if warned is not None and not warned.violations.exists():
        Violation.objects.create(
            supervisee=warned,
            occurred_on=max(warned.supervision_start, today - datetime.timedelta(days=40)),
            measure=Violation.Measure.WARNING,
            description="未经批准离开所居住的市、县两天，已予警告。",
            recorded_by=caseworker,
        )


def _full_month(person, month: datetime.date, office, caseworker) -> None:
    """A full day of group education and a day of community service in `month`."""
    start = timezone.make_aware(datetime.datetime.combine(month.replace(day=10), datetime.time(9)))
    session, created = group_class(
        "月度集中教育日", office, start, 8, "中心街街道司法所二楼会议室", caseworker
    )
    if created:
        actions.mark_attendance(session, person, GroupAttendance.Status.PRESENT, "", by=caseworker)
        actions.close_session(session, by=caseworker)
    day = month.replace(day=20)
    if not ServiceRecord.objects.filter(supervisee=person, day=day).exists():
        actions.record_service(
            person, day=day, minutes=8 * 60, activity="社区公益服务", by=caseworker
        )
