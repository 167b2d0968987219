"""Demo data: real administrative divisions, organisations, a login for every role, supervisees.

Everything is keyed by natural keys, so loading twice leaves the same state.
"""

import datetime
import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .idnumbers import make_id_number
from .models import (
    CaseloadAssignment,
    CorrectionTeamMember,
    Membership,
    Organisation,
    Region,
    Role,
    Skill,
    Supervisee,
    SupervisionLevelChange,
)
from .models.people import Gender, Need, OffenceCategory, SentenceType, SupervisionLevel

User = get_user_model()

DEMO_PASSWORD = "jz-demo-2026"  # noqa: S105  (demo data only; seeding is refused in production)

P, C, X, T = (Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY, Region.Level.TOWNSHIP)

# (code, name, level, parent code, latitude, longitude)
REGIONS = [
    ("370000", "山东省", P, None, 36.6512, 117.1201),
    ("370400", "枣庄市", C, "370000", 34.8107, 117.3237),
    ("370402", "市中区", X, "370400", 34.8640, 117.5564),
    ("370402001", "中心街街道", T, "370402", 34.8566, 117.5587),
    ("370402002", "垎塔埠街道", T, "370402", 34.8691, 117.5459),
    ("370402003", "矿区街道", T, "370402", 34.8802, 117.5730),
    ("370402100", "税郭镇", T, "370402", 34.7792, 117.6353),
    ("370403", "薛城区", X, "370400", 34.7953, 117.2631),
    ("370403001", "临城街道", T, "370403", 34.8003, 117.2638),
    ("370403002", "常庄街道", T, "370403", 34.7749, 117.2297),
    ("370403100", "沙沟镇", T, "370403", 34.6865, 117.2434),
    ("370800", "济宁市", C, "370000", 35.4146, 116.5871),
    ("370830", "汶上县", X, "370800", 35.7323, 116.4973),
    ("370830001", "汶上街道", T, "370830", 35.7293, 116.4890),
    ("370830100", "南旺镇", T, "370830", 35.5660, 116.3840),
    ("370883", "邹城市", X, "370800", 35.4053, 116.9735),
    ("370883001", "钢山街道", T, "370883", 35.4059, 116.9762),
    ("370883002", "千泉街道", T, "370883", 35.3987, 116.9504),
    ("620000", "甘肃省", P, None, 36.0594, 103.8263),
    ("620100", "兰州市", C, "620000", 36.0611, 103.8343),
    ("620102", "城关区", X, "620100", 36.0570, 103.8252),
    ("620102001", "酒泉路街道", T, "620102", 36.0580, 103.8330),
    ("620102002", "张掖路街道", T, "620102", 36.0620, 103.8210),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "勇",
    "军",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "建国",
    "海燕",
    "志强",
    "晓东",
    "春梅",
    "国庆",
    "子豪",
    "思雨",
    "浩然",
    "雨桐",
    "立新",
    "德福",
]
SKILLS = ["电工", "焊工", "驾驶", "烹饪", "家政", "电脑操作", "养殖", "种植", "维修", "销售"]

# username: (role, organisation name, full name) — printed by `manage.py demo_logins`.
STAFF_LOGINS = {
    "official": (Role.OFFICIAL, "枣庄市社区矫正管理局", "孔令华"),
    "county_official": (Role.OFFICIAL, "市中区社区矫正管理局", "田文静"),
    "jining_official": (Role.OFFICIAL, "济宁市社区矫正管理局", "颜世勇"),
    "caseworker": (Role.CASEWORKER, "中心街街道司法所", "刘建华"),
    "social_worker": (Role.SOCIAL_WORKER, "枣庄市阳光社会工作服务中心", "孙晓梅"),
    "editor": (Role.EDITOR, "枣庄市社区矫正管理局", "周文"),
    "auditor": (Role.AUDITOR, "山东省社区矫正管理局", "高明"),
}
OTHER_LOGINS = {
    "mentor": (Role.MENTOR, "枣庄市五老志愿服务队", "褚德明"),
    "operator": (Role.BASE_OPERATOR, "市中区阳光就业帮扶基地", "闫红"),
}
DEMO_USERNAMES = [
    *STAFF_LOGINS,
    *OTHER_LOGINS,
    "volunteer_applicant",
    "supervisee",
    "newcomer",
    "admin",
]


def _org(name: str, kind: str, region: Region, parent: Organisation | None = None):
    org, _ = Organisation.objects.update_or_create(
        name=name, region=region, defaults={"kind": kind, "parent": parent}
    )
    return org


def load_regions() -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for code, name, level, parent, lat, lon in REGIONS:
        region, _ = Region.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "parent": regions.get(parent),
                "latitude": lat,
                "longitude": lon,
            },
        )
        regions[code] = region
    return regions


def load_organisations(regions: dict[str, Region]) -> dict[str, Organisation]:
    A, J = Organisation.Kind.AGENCY, Organisation.Kind.JUDICIAL_OFFICE
    orgs: dict[str, Organisation] = {}

    def add(name, kind, code, parent=None):
        orgs[name] = _org(name, kind, regions[code], orgs.get(parent))

    add("山东省社区矫正管理局", A, "370000")
    add("甘肃省社区矫正管理局", A, "620000")
    for code, name, level, parent_code, _lat, _lon in REGIONS:
        if level in (C, X):
            add(f"{name}社区矫正管理局", A, code, f"{regions[parent_code].name}社区矫正管理局")
        elif level == T:
            add(f"{name}司法所", J, code, f"{regions[parent_code].name}社区矫正管理局")
    add("枣庄市阳光社会工作服务中心", Organisation.Kind.SOCIAL_WORK, "370400")
    add("枣庄市五老志愿服务队", Organisation.Kind.VOLUNTEER_GROUP, "370400")
    add("济宁市五老志愿服务队", Organisation.Kind.VOLUNTEER_GROUP, "370800")
    add("市中区阳光就业帮扶基地", Organisation.Kind.BASE_OPERATOR, "370402")
    return orgs


def _user(username: str, full_name: str, *, superuser: bool = False, **extra):
    user, _ = User.objects.get_or_create(username=username)
    user.full_name = full_name
    user.is_active = True
    user.is_superuser = user.is_staff = superuser
    for key, value in extra.items():
        setattr(user, key, value)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def enrol_totp(user) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
        RecoveryCodes.activate(user)


def current_totp(user) -> tuple[str, str] | None:
    """(secret, current code) of the user's authenticator, for demo sign-in."""
    from allauth.mfa import app_settings
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    secret = get_adapter().decrypt(authenticator.data["secret"])
    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return secret, format_hotp_value(hotp_value(secret, counter))


def load_logins(orgs: dict[str, Organisation]) -> None:
    for username, (role, org_name, full_name) in {**STAFF_LOGINS, **OTHER_LOGINS}.items():
        user = _user(username, full_name)
        Membership.objects.update_or_create(
            user=user,
            organisation=orgs[org_name],
            role=role,
            defaults={"status": Membership.Status.ACTIVE},
        )
        if username in STAFF_LOGINS:
            enrol_totp(user)
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        User.objects.get(username="editor").groups.add(editors)
    applicant = _user("volunteer_applicant", "蒋立群", phone="+8613900000001")
    Membership.objects.update_or_create(
        user=applicant,
        organisation=orgs["枣庄市五老志愿服务队"],
        role=Role.MENTOR,
        defaults={"status": Membership.Status.PENDING, "note": "退休教师，愿意帮助青少年。"},
    )
    admin = _user("admin", "系统管理员", superuser=True)
    enrol_totp(admin)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def load_supervisees(regions, orgs, today: datetime.date) -> list[Supervisee]:
    caseworker = User.objects.get(username="caseworker")
    skills = {name: Skill.objects.get_or_create(name=name)[0] for name in SKILLS}
    townships = [r for r in regions.values() if r.level == T and r.code.startswith("37")]
    plan = []
    # 30 people in Shandong: the first two are minors, the last two released.
    for i in range(30):
        township = regions["370402001"] if i < 8 else townships[i % len(townships)]
        plan.append((i, township))
    plan += [(30 + i, regions["620102001"]) for i in range(3)]
    levels = (
        [SupervisionLevel.STANDARD] * 5
        + [SupervisionLevel.STRICT] * 2
        + [SupervisionLevel.LENIENT] * 3
    )
    people = []
    for i, township in plan:
        # One generator per person: re-running the load draws the same values for everyone.
        rng = random.Random(2026 * 1000 + i)
        released = i in (28, 29)
        start = today - datetime.timedelta(
            days=rng.randint(400, 600) if released else rng.randint(20, 600)
        )
        if i < 2:
            birth = start - datetime.timedelta(days=365 * 16 + rng.randint(0, 300))
        else:
            birth = start - datetime.timedelta(days=365 * rng.randint(20, 62) + rng.randint(0, 300))
        status = Supervisee.Status.RELEASED if released else Supervisee.Status.ACTIVE
        planned_end = start + datetime.timedelta(days=rng.choice([180, 365, 540, 730, 1095]))
        if released:
            planned_end = start + datetime.timedelta(days=365)
        while not released and planned_end <= today:  # still under supervision: not yet over
            planned_end += datetime.timedelta(days=365)
        id_number = make_id_number(township.parent.code, birth, 100 + i)
        supervisee, _ = Supervisee.objects.update_or_create(
            id_number=id_number,
            defaults={
                "name": _name(rng),
                "gender": Gender.MALE if rng.random() < 0.8 else Gender.FEMALE,
                "birth_date": birth,
                "phone": f"+86138{rng.randint(10_000_000, 99_999_999)}",
                "judicial_office": orgs[f"{township.name}司法所"],
                "home_township": township,
                "school": "枣庄市第十五中学" if i < 2 else "",
                "sentence_type": rng.choice(SentenceType.values),
                "supervision_level": rng.choice(levels),
                "offence_category": rng.choice(OffenceCategory.values),
                "supervision_start": start,
                "planned_end": planned_end,
                "status": status,
                "ended_on": planned_end if status == Supervisee.Status.RELEASED else None,
                "needs": rng.sample(Need.values, rng.randint(0, 3)),
            },
        )
        supervisee.skills.set(rng.sample(list(skills.values()), rng.randint(0, 3)))
        if not supervisee.level_changes.exists():
            SupervisionLevelChange.objects.create(
                supervisee=supervisee,
                from_level="",
                to_level=supervisee.supervision_level,
                changed_by=caseworker,
                changed_at=timezone.make_aware(
                    datetime.datetime.combine(start, datetime.time(9, 0))
                ),
                reason="入矫登记",
            )
        if not supervisee.team.exists():
            CorrectionTeamMember.objects.create(
                supervisee=supervisee,
                kind=CorrectionTeamMember.Kind.OFFICE_STAFF,
                name=caseworker.full_name,
                user=caseworker if supervisee.judicial_office.name == "中心街街道司法所" else None,
            )
            CorrectionTeamMember.objects.create(
                supervisee=supervisee,
                kind=CorrectionTeamMember.Kind.FAMILY,
                name=_name(rng),
            )
        people.append(supervisee)
    return people


def link_demo_accounts(people: list[Supervisee]) -> None:
    adult = next(
        p for p in people if not p.is_minor and p.judicial_office.name == "中心街街道司法所"
    )
    other = next(
        p
        for p in people
        if not p.is_minor and p.pk != adult.pk and p.status == Supervisee.Status.ACTIVE
    )
    for username, person, must_change in (("supervisee", adult, False), ("newcomer", other, True)):
        user = _user(username, person.name, must_change_password=must_change)
        Supervisee.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
        person.user = user
        person.save(update_fields=["user"])


def assign_caseload(people: list[Supervisee]) -> None:
    social_worker = User.objects.get(username="social_worker")
    caseworker = User.objects.get(username="caseworker")
    for person in people[:6]:
        CaseloadAssignment.objects.get_or_create(
            social_worker=social_worker,
            supervisee=person,
            ended_at=None,
            # Assigned two months ago, so help of recent weeks can be recorded in the demo.
            defaults={
                "assigned_by": caseworker,
                "assigned_at": timezone.now() - datetime.timedelta(days=60),
            },
        )


@transaction.atomic
def load(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    regions = load_regions()
    orgs = load_organisations(regions)
    load_logins(orgs)
    people = load_supervisees(regions, orgs, today)
    link_demo_accounts(people)
    assign_caseload(people)
