"""Demo mentoring and assistance. The `mentor` login is a screened retired teacher paired with
an adult of the demo office, with sessions logged; the `social_worker` has recorded help for
the caseload, one follow-up overdue and one file attached; the `official` has hours to approve
and has approved some, so the mentor's certificate can be printed. Idempotent."""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from portal.certificates import certificate_pdf
from portal.models import Region, Supervisee, User

from .models import AssistanceLog, Attachment, MentoringSession, MentorProfile, Pairing

H = AssistanceLog.HoursStatus


@transaction.atomic
def load(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    logins = {u.username: u for u in User.objects.filter(username__in=LOGINS)}
    if set(logins) != set(LOGINS):
        return
    _mentoring(today, logins)
    _assistance(today, logins)


LOGINS = ("mentor", "caseworker", "social_worker", "official")


def _days(today, n) -> datetime.date:
    return today - datetime.timedelta(days=n)


def _mentoring(today: datetime.date, logins: dict) -> None:
    mentor, caseworker = logins["mentor"], logins["caseworker"]
    trained = _days(today, 200)
    profile, _ = MentorProfile.objects.update_or_create(
        user=mentor,
        defaults={
            "elder_kind": "retired_teacher",
            "helps_with": ["employment", "family", "education"],
            "languages": "普通话、枣庄话",
            "capacity": 3,
            "availability": "工作日下午，周末上午",
            "background_check_on": trained,
            "background_check_passed": True,
            "trained_on": trained,
            "agreement_signed_on": trained,
        },
    )
    profile.regions.set(Region.objects.filter(code="370402"))  # 枣庄市市中区
    person = (
        Supervisee.objects.active()
        .filter(judicial_office__name="中心街街道司法所", is_minor=False, user__isnull=True)
        .order_by("pk")
        .first()
    )
    if person is None or Pairing.objects.filter(mentor=mentor, supervisee=person).exists():
        return
    pairing = Pairing.objects.create(
        mentor=mentor,
        supervisee=person,
        status=Pairing.Status.ACTIVE,
        proposed_by=caseworker,
        goals="稳定就业，改善与家人的关系。",
        frequency=Pairing.Frequency.WEEKLY,
        starts_on=_days(today, 45),
    )
    approved = {"hours_decided_by": logins["official"], "hours_decided_at": timezone.now()}
    for days_ago, mode, topic in (
        (40, "in_person", "初次见面，了解家庭和工作情况"),
        (26, "phone", "求职准备：简历和面试"),
        (12, "in_person", "陪同到就业基地了解岗位"),
    ):
        MentoringSession.objects.create(
            pairing=pairing,
            held_on=_days(today, days_ago),
            minutes=60 if mode == "in_person" else 20,
            mode=mode,
            topic=topic,
            logged_by=mentor,
            # The two older sessions are approved; the newest waits for the official.
            **({"hours_status": H.APPROVED, **approved} if days_ago > 20 else {}),
        )
    AssistanceLog.objects.create(
        supervisee=person,
        author=mentor,
        kind=AssistanceLog.Kind.EMPLOYMENT,
        held_on=_days(today, 19),
        minutes=120,
        summary="陪同参加区人社局招聘会，投递两份简历。",
        outcome="一家物业公司约了面试。",
        hours_status=H.APPROVED,
        **approved,
    )


def _assistance(today: datetime.date, logins: dict) -> None:
    social_worker = logins["social_worker"]
    if AssistanceLog.objects.filter(author=social_worker).exists():
        return
    people = list(
        Supervisee.objects.on_caseload_of(social_worker)
        .filter(status=Supervisee.Status.ACTIVE, is_minor=False)
        .order_by("pk")[:3]
    )
    if len(people) < 3:
        return
    welfare = AssistanceLog.objects.create(
        supervisee=people[0],
        author=social_worker,
        kind=AssistanceLog.Kind.DIBAO,
        held_on=_days(today, 20),
        minutes=150,
        summary="入户了解家庭收入，协助准备最低生活保障申请材料并递交街道民政办。",
        outcome="材料已受理。",
        follow_up="电话询问低保审批结果",
        follow_up_due=_days(today, 5),  # overdue
    )
    checklist = certificate_pdf(
        "材 料 清 单",
        ["1. 居民身份证复印件", "2. 户口簿复印件", "3. 家庭收入情况说明", "4. 低保申请书"],
        "枣庄市阳光社会工作服务中心",
        f"DB-{welfare.pk:04d}",
    )
    Attachment.objects.create(
        log=welfare,
        file=ContentFile(checklist, name="checklist.pdf"),
        name="低保申请材料清单.pdf",
        content_type="application/pdf",
        size=len(checklist),
        uploaded_by=social_worker,
    )
    AssistanceLog.objects.create(
        supervisee=people[1],
        author=social_worker,
        kind=AssistanceLog.Kind.COUNSELLING,
        held_on=_days(today, 8),
        minutes=60,
        summary="个别心理疏导，谈与配偶的矛盾和对未来的担心。",
        follow_up="约家属一起面谈",
        follow_up_due=today + datetime.timedelta(days=6),
        hours_status=H.APPROVED,
        hours_decided_by=logins["official"],
        hours_decided_at=timezone.now(),
    )
    AssistanceLog.objects.create(
        supervisee=people[2],
        author=social_worker,
        kind=AssistanceLog.Kind.MEDICAL,
        held_on=_days(today, 3),
        minutes=45,
        summary="协助办理城乡居民医保续保。",
        outcome="已续保。",
    )
    AssistanceLog.objects.create(
        supervisee=people[0],
        author=logins["caseworker"],
        kind=AssistanceLog.Kind.LEGAL_AID,
        held_on=_days(today, 15),
        minutes=30,
        summary="联系区法律援助中心，为劳动报酬纠纷申请法律援助。",
        hours_status=H.NOT_COUNTED,
    )
