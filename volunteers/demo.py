"""Demo mentoring: the `mentor` login is a screened retired teacher paired with an adult of the
demo office, with sessions logged. Idempotent."""

import datetime

from django.db import transaction
from django.utils import timezone

from portal.models import Supervisee, User

from .models import MentoringSession, MentorProfile, Pairing


@transaction.atomic
def load(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    mentor = User.objects.filter(username="mentor").first()
    caseworker = User.objects.filter(username="caseworker").first()
    if mentor is None or caseworker is None:
        return
    trained = today - datetime.timedelta(days=200)
    MentorProfile.objects.update_or_create(
        user=mentor,
        defaults={
            "elder_kind": "retired_teacher",
            "languages": "普通话、枣庄话",
            "capacity": 3,
            "availability": "工作日下午，周末上午",
            "background_check_on": trained,
            "background_check_passed": True,
            "trained_on": trained,
            "agreement_signed_on": trained,
        },
    )
    person = (
        Supervisee.objects.active()
        .filter(judicial_office__name="中心街街道司法所", is_minor=False, user__isnull=True)
        .order_by("pk")
        .first()
    )
    if person is None or Pairing.objects.filter(mentor=mentor, supervisee=person).exists():
        return
    starts_on = today - datetime.timedelta(days=45)
    pairing = Pairing.objects.create(
        mentor=mentor,
        supervisee=person,
        status=Pairing.Status.ACTIVE,
        proposed_by=caseworker,
        goals="稳定就业，改善与家人的关系。",
        frequency=Pairing.Frequency.WEEKLY,
        starts_on=starts_on,
    )
    for days_ago, mode, topic in (
        (40, "in_person", "初次见面，了解家庭和工作情况"),
        (26, "phone", "求职准备：简历和面试"),
        (12, "in_person", "陪同到就业基地了解岗位"),
    ):
        MentoringSession.objects.create(
            pairing=pairing,
            held_on=today - datetime.timedelta(days=days_ago),
            minutes=60 if mode == "in_person" else 20,
            mode=mode,
            topic=topic,
            logged_by=mentor,
        )
