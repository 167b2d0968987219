"""Demo directory for 枣庄 and 济宁: operators, bases of every kind, openings and referrals in
several states. Idempotent: everything is found by a natural key first."""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from portal.models import Organisation, Region, Skill, Supervisee, User

from .actions import add_working_days
from .models import Base, Opening, Provider, Referral, ReferralEvent, ServiceLog, Status

OPERATORS = {
    # organisation: (region code, description)
    "市中区阳光就业帮扶基地": (
        "370402",
        "由市中区司法局联合辖区企业设立，为社区矫正对象提供就业岗位和社区公益服务。",
    ),
    "枣庄市职业技能培训中心": ("370400", "面向社区矫正对象开展电焊、家政等职业技能培训。"),
    "薛城区法治教育基地管理办公室": ("370403", "运营薛城区社区矫正法治教育基地。"),
    "济宁市阳光公益服务中心": ("370800", "在汶上、邹城等地组织社区公益活动和就业帮扶。"),
}

# (name, kind, operator, township code, address, lat, lon, min age, max age, verified days ago)
BASES = [
    (
        "市中区阳光就业帮扶基地",
        "employment",
        "市中区阳光就业帮扶基地",
        "370402001",
        "枣庄市市中区光明中路16号",
        34.8581,
        117.5602,
        18,
        60,
        20,
    ),
    (
        "矿区街道社区公益服务站",
        "welfare",
        "市中区阳光就业帮扶基地",
        "370402003",
        "枣庄市市中区矿区街道振兴路8号",
        34.8797,
        117.5719,
        None,
        None,
        35,
    ),
    (
        "枣庄市职业技能培训基地",
        "training",
        "枣庄市职业技能培训中心",
        "370402002",
        "枣庄市市中区垎塔埠街道建设路66号",
        34.8688,
        117.5470,
        16,
        None,
        10,
    ),
    (
        "薛城区社区矫正法治教育基地",
        "education",
        "薛城区法治教育基地管理办公室",
        "370403001",
        "枣庄市薛城区临城街道泰山南路21号",
        34.7991,
        117.2642,
        None,
        None,
        130,
    ),
    (
        "汶上县社区公益服务站",
        "welfare",
        "济宁市阳光公益服务中心",
        "370830001",
        "济宁市汶上县汶上街道中都大街8号",
        35.7301,
        116.4902,
        None,
        None,
        40,
    ),
    (
        "邹城市就业创业基地",
        "employment",
        "济宁市阳光公益服务中心",
        "370883001",
        "济宁市邹城市钢山街道太平东路3号",
        35.4066,
        116.9770,
        18,
        55,
        60,
    ),
]

# (base, kind, title, skills, slots, pay min, pay max, description)
OPENINGS = [
    (
        "市中区阳光就业帮扶基地",
        "job",
        "电工学徒",
        ["电工"],
        3,
        3000,
        4200,
        "协助电工师傅维修厂区线路，包食宿。",
    ),
    ("市中区阳光就业帮扶基地", "job", "餐厅帮厨", ["烹饪"], 2, 2800, 3500, "员工食堂备菜、清洁。"),
    (
        "市中区阳光就业帮扶基地",
        "job",
        "物流仓库理货员",
        ["驾驶", "电脑操作"],
        4,
        3200,
        4500,
        "货物分拣、出入库登记。",
    ),
    (
        "矿区街道社区公益服务站",
        "service",
        "社区环境整治",
        [],
        10,
        None,
        None,
        "每周六上午清扫街巷、整理绿化带。",
    ),
    (
        "矿区街道社区公益服务站",
        "service",
        "敬老院助老服务",
        ["家政"],
        6,
        None,
        None,
        "陪伴老人、协助打扫。",
    ),
    (
        "枣庄市职业技能培训基地",
        "training",
        "电焊工培训班",
        ["焊工"],
        15,
        None,
        None,
        "为期一个月，结业可考取焊工证。",
    ),
    (
        "枣庄市职业技能培训基地",
        "training",
        "家政服务培训",
        [],
        20,
        None,
        None,
        "育婴、保洁、护理基础。",
    ),
    (
        "薛城区社区矫正法治教育基地",
        "service",
        "法治宣传志愿服务",
        [],
        8,
        None,
        None,
        "在展馆引导参观、讲解。",
    ),
    ("汶上县社区公益服务站", "service", "敬老院陪护", [], 5, None, None, "周末到敬老院陪护老人。"),
    ("邹城市就业创业基地", "job", "电子厂操作工", [], 6, 3500, 4800, "流水线装配，两班倒。"),
]

DAYS = ["MO", "TU", "WE", "TH", "FR"]


def load_bases(today: datetime.date) -> dict[str, Opening]:
    regions = {r.code: r for r in Region.objects.all()}
    operator = User.objects.filter(username="operator").first()
    providers = {}
    for name, (code, description) in OPERATORS.items():
        org, _ = Organisation.objects.update_or_create(
            name=name, region=regions[code], defaults={"kind": Organisation.Kind.BASE_OPERATOR}
        )
        providers[name], _ = Provider.objects.update_or_create(
            organisation=org, defaults={"description": description, "phone": "0632-3310000"}
        )
    bases = {}
    for name, kind, org, code, address, lat, lon, low, high, verified in BASES:
        bases[name], _ = Base.objects.update_or_create(
            name=name,
            operator=providers[org].organisation,
            defaults={
                "kind": kind,
                "region": regions[code],
                "address": address,
                "latitude": lat,
                "longitude": lon,
                "contact_name": "闫红" if org == "市中区阳光就业帮扶基地" else "基地办公室",
                "phone": "0632-3310000" if code.startswith("3704") else "0537-7210000",
                "open_days": DAYS,
                "opens_at": datetime.time(8, 30),
                "closes_at": datetime.time(17, 30),
                "eligibility": "在本地接受社区矫正、经司法所转介的人员。",
                "minimum_age": low,
                "maximum_age": high,
                "required_documents": ["身份证", "司法所转介单"],
                "capacity": 30,
                "verified_on": today - datetime.timedelta(days=verified),
                "verified_by": operator if org == "市中区阳光就业帮扶基地" else None,
                "description": OPERATORS[org][1],
            },
        )
    openings = {}
    for base, kind, title, skills, slots, low, high, description in OPENINGS:
        opening, created = Opening.objects.get_or_create(
            base=bases[base],
            title=title,
            defaults={
                "kind": kind,
                "slots_total": slots,
                "slots_available": slots,
                "pay_min": low,
                "pay_max": high,
                "description": description,
                "schedule": "周一至周五 8:30–17:30" if kind == "job" else "",
                "created_by": operator,
            },
        )
        if created:
            opening.skills.set([Skill.objects.get_or_create(name=s)[0] for s in skills])
        openings[title] = opening
    return openings


# (person index in the office, opening, path of statuses, requested by the person)
REFERRALS = [
    (0, "社区环境整治", [Status.SENT, Status.RECEIVED], False),
    (2, "社区环境整治", [Status.SENT, Status.RECEIVED, Status.ACCEPTED, Status.STARTED], False),
    (3, "电工学徒", [Status.SENT], False),
    (4, "餐厅帮厨", [Status.SENT, Status.RECEIVED, Status.ACCEPTED], False),
    (5, "物流仓库理货员", [Status.SENT, Status.ACCEPTED, Status.STARTED, Status.COMPLETED], False),
    (6, "电工学徒", [Status.SENT, Status.RECEIVED, Status.DECLINED], False),
    (7, "敬老院助老服务", [Status.REQUESTED], True),
]
REASONS = {
    Status.DECLINED: "该岗位需有电工证，建议先参加培训。",
    Status.COMPLETED: "试用期满，已签订劳动合同。",
}


def load_referrals(openings: dict[str, Opening], today: datetime.date) -> None:
    caseworker = User.objects.get(username="caseworker")
    operator = User.objects.filter(username="operator").first() or caseworker
    demo_user = User.objects.filter(username="supervisee").first()
    people = list(
        Supervisee.objects.active().filter(judicial_office__name="中心街街道司法所").order_by("pk")
    )
    # The demo supervisee's own referral is the one under way, so they can follow it.
    me = next((p for p in people if demo_user and p.user_id == demo_user.pk), None)
    if me is not None:
        people.remove(me)
        people.insert(2, me)
    start = timezone.now() - datetime.timedelta(days=12)
    for index, title, path, requested in REFERRALS:
        if index >= len(people):
            continue
        person, opening = people[index], openings[title]
        if Referral.objects.filter(supervisee=person, opening=opening).exists():
            continue
        final = path[-1]
        at = start + datetime.timedelta(days=index)
        referral = Referral.objects.create(
            supervisee=person,
            opening=opening,
            status=final,
            requested_by_supervisee=requested,
            created_by=person.user if requested and person.user else caseworker,
            created_at=at,
            updated_at=at + datetime.timedelta(days=len(path) - 1),
            sent_at=None if requested else at,
            respond_by=None if requested else add_working_days(at, 2),
            holds_slot=final in (Status.ACCEPTED, Status.STARTED, Status.COMPLETED),
            reason=REASONS.get(final, "") if final != Status.COMPLETED else "",
            outcome=REASONS.get(final, "") if final == Status.COMPLETED else "",
        )
        previous = ""
        for step, status in enumerate(path):
            ReferralEvent.objects.create(
                referral=referral,
                from_status=previous,
                to_status=status,
                by=(caseworker if status in (Status.SENT, Status.REQUESTED) else operator)
                if not (requested and status == Status.REQUESTED)
                else referral.created_by,
                at=at + datetime.timedelta(days=step),
                reason=REASONS.get(status, ""),
            )
            previous = status
        if final == Status.STARTED and opening.kind == Opening.Kind.SERVICE:
            for days_ago, minutes in ((6, 180), (1, 240)):
                ServiceLog.objects.get_or_create(
                    referral=referral,
                    day=today - datetime.timedelta(days=days_ago),
                    defaults={"minutes": minutes, "note": "清扫街巷", "logged_by": operator},
                )
    # Places left follow the referrals holding one.
    for opening in Opening.objects.annotate(
        held=Count("referrals", filter=Q(referrals__holds_slot=True))
    ):
        Opening.objects.filter(pk=opening.pk).update(
            slots_available=max(0, opening.slots_total - opening.held)
        )


@transaction.atomic
def load(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    openings = load_bases(today)
    load_referrals(openings, today)
