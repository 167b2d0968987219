"""A small directory on top of the shared world: two operators, bases and openings."""

import datetime

import pytest
from django.utils import timezone

from portal.models import Organisation, Role, Skill
from resources.models import Base, Opening, Provider
from tests.conftest import make_user
from tests.search.conftest import backend, search_engine  # noqa: F401  (both search backends)


class Directory:
    def __init__(self, world):
        self.world = world
        today = timezone.localdate()
        self.electrician = Skill.objects.create(name="电工")
        self.cook = Skill.objects.create(name="烹饪")
        self.provider = Provider.objects.create(
            organisation=world.operator_org, description="市中区就业帮扶基地的运营单位。"
        )
        self.other_org = Organisation.objects.create(
            name="汶上县公益服务中心",
            kind=Organisation.Kind.BASE_OPERATOR,
            region=world.wenshang,
        )
        Provider.objects.create(organisation=self.other_org, description="汶上县公益服务。")
        self.other_operator = make_user("other_operator", Role.BASE_OPERATOR, self.other_org)
        self.base = Base.objects.create(
            operator=world.operator_org,
            name="市中区阳光就业基地",
            kind="employment",
            region=world.zhongxin,
            address="枣庄市市中区光明路1号",
            postal_code="277100",
            latitude=34.8600,
            longitude=117.5600,
            phone="0632-3310000",
            open_days=["MO", "TU", "WE", "TH", "FR"],
            opens_at=datetime.time(8, 30),
            closes_at=datetime.time(17, 30),
            eligibility="年满十八周岁，身体健康。",
            minimum_age=18,
            maximum_age=60,
            required_documents=["身份证", "社区矫正告知书"],
            capacity=30,
            verified_on=today,
            verified_by=world.operator,
        )
        self.other_base = Base.objects.create(
            operator=self.other_org,
            name="汶上县社区公益服务站",
            kind="welfare",
            region=world.wenshang_jd,
            address="汶上县汶上街道中都大街8号",
            latitude=35.7293,
            longitude=116.4890,
            verified_on=today,
        )
        self.job = Opening.objects.create(
            base=self.base,
            kind=Opening.Kind.JOB,
            title="电工学徒",
            description="协助维修厂区电路。",
            slots_total=3,
            slots_available=3,
            pay_min=3000,
            pay_max=4200,
            created_by=world.operator,
        )
        self.job.skills.add(self.electrician)
        self.service = Opening.objects.create(
            base=self.base,
            kind=Opening.Kind.SERVICE,
            title="社区环境整治",
            slots_total=10,
            slots_available=10,
        )
        self.other_opening = Opening.objects.create(
            base=self.other_base,
            kind=Opening.Kind.SERVICE,
            title="敬老院陪护",
            slots_total=5,
            slots_available=5,
        )


@pytest.fixture
def directory(world) -> Directory:
    return Directory(world)
