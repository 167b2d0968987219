"""HSDS 3.0 files: valid against the spec, free of personal data, lossless and idempotent."""

import copy
import datetime
import gzip
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from jsonschema import Draft202012Validator, FormatChecker

from portal.models import Organisation, Skill
from resources import hsds
from resources.models import Base, Opening, Provider

pytestmark = pytest.mark.django_db

SCHEMAS = Path(settings.BASE_DIR) / "resources" / "hsds_schemas"


@pytest.fixture(scope="module")
def spec() -> dict[str, Draft202012Validator]:
    """The vendored HSDS 3.0 schemas, read here rather than through the module under test."""
    return {
        name: Draft202012Validator(
            json.loads(gzip.decompress((SCHEMAS / f"{name}.json.gz").read_bytes())),
            format_checker=FormatChecker(),
        )
        for name in ("service", "service_list", "organization", "organization_list")
    }


def spec_errors(spec: dict[str, Draft202012Validator], data: dict[str, Any]) -> list[str]:
    found = []
    for key, names in (
        ("services", ("service", "service_list")),
        ("organizations", ("organization", "organization_list")),
    ):
        for item in data[key]:
            for name in names:
                found += [
                    f"{name} {e.json_path}: {e.message}" for e in spec[name].iter_errors(item)
                ]
    return found


def without_stamp(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "generated_at"}


def by_id(data: dict[str, Any], uid: Any) -> dict[str, Any]:
    return next(s for s in data["services"] + data["organizations"] if s["id"] == str(uid))


def attributes(service: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for attribute in service["attributes"]:
        found.setdefault(attribute["taxonomy_term"]["code"], []).append(attribute["value"])
    return found


def counts() -> tuple[int, int, int, int]:
    return (
        Provider.objects.count(),
        Base.objects.count(),
        Opening.objects.count(),
        Organisation.objects.count(),
    )


def wipe_directory() -> None:
    """Remove what an import re-creates; the operator organisations stay (they have members)."""
    Opening.objects.all().delete()
    Base.objects.all().delete()
    Provider.objects.all().delete()


# --- Export -----------------------------------------------------------------------------------


def test_export_validates_against_the_vendored_schemas(directory, spec):
    directory.service.status = Opening.Status.PAUSED
    directory.service.schedule = "周六上午"
    directory.service.save()
    data = hsds.export_directory()

    assert data["hsds_version"] == "3.0"
    assert len(data["organizations"]) == 2
    assert len(data["services"]) == 5
    assert spec_errors(spec, data) == []
    assert hsds.validate(data) == []


def test_a_broken_export_is_rejected(directory, spec):
    data = hsds.export_directory()
    broken = copy.deepcopy(data)
    broken["services"][0]["status"] = "bogus"
    del broken["organizations"][0]["description"]
    broken["services"][1]["service_at_locations"][0]["location"]["id"] = "not-a-uuid"

    found = spec_errors(spec, broken)
    assert any("service $.status" in e for e in found)
    assert any("service_list $.status" in e for e in found)
    assert any("organization $: 'description' is a required property" in e for e in found)
    assert any("organization_list $" in e for e in found)
    assert any("location.id: 'not-a-uuid' is not a 'uuid'" in e for e in found)
    problems = hsds.validate(broken)
    assert any("services[0]" in p and "$.status" in p and "bogus" in p for p in problems)
    assert any(p.startswith("organizations[0]") and "description" in p for p in problems)
    assert any("services[1]" in p and "not-a-uuid" in p for p in problems)


def test_export_layout(directory, world):
    directory.other_opening.status = Opening.Status.CLOSED
    directory.other_opening.save()
    data = hsds.export_directory()

    organization = by_id(data, directory.provider.uid)
    assert organization["name"] == "就业基地"
    assert organization["description"] == "市中区就业帮扶基地的运营单位。"

    base = by_id(data, directory.base.uid)
    assert base["organization_id"] == str(directory.provider.uid)
    assert base["status"] == "active"
    assert base["eligibility_description"] == "年满十八周岁，身体健康。"
    assert (base["minimum_age"], base["maximum_age"]) == (18, 60)
    assert base["assured_date"] == directory.base.verified_on.isoformat()
    assert datetime.datetime.fromisoformat(base["last_modified"]) == directory.base.updated_at
    assert [p["number"] for p in base["phones"]] == ["0632-3310000"]
    assert [d["document"] for d in base["required_documents"]] == ["身份证", "社区矫正告知书"]
    (schedule,) = base["schedules"]
    assert schedule["freq"] == "WEEKLY"
    assert schedule["byday"] == "MO,TU,WE,TH,FR"
    assert (schedule["opens_at"], schedule["closes_at"]) == ("08:30+08:00", "17:30+08:00")
    assert attributes(base) == {"base_kind": ["employment"], "capacity": ["30"]}
    location = base["service_at_locations"][0]["location"]
    assert location["location_type"] == "physical"
    assert location["external_identifier"] == "370402001"
    assert location["external_identifier_type"] == "GB/T 2260"
    assert (location["latitude"], location["longitude"]) == (34.86, 117.56)
    (address,) = location["addresses"]
    assert address["address_1"] == "枣庄市市中区光明路1号"
    assert (address["city"], address["region"], address["state_province"]) == (
        "枣庄市",
        "市中区",
        "山东省",
    )
    assert (address["postal_code"], address["country"]) == ("277100", "CN")

    job = by_id(data, directory.job.uid)
    assert job["name"] == "电工学徒"
    assert job["status"] == "active"
    assert job["service_at_locations"][0]["location"]["id"] == location["id"]
    assert attributes(job) == {
        "base": [str(directory.base.uid)],
        "opening_kind": ["job"],
        "skill": ["电工"],
        "slots_total": ["3"],
        "slots_available": ["3"],
        "pay_min": ["3000"],
        "pay_max": ["4200"],
    }
    assert job["schedules"] == []
    assert by_id(data, directory.other_opening.uid)["status"] == "inactive"

    other = by_id(data, directory.other_base.uid)
    assert other["schedules"] == []
    other_address = other["service_at_locations"][0]["location"]["addresses"][0]
    assert other_address["postal_code"] == "000000"
    assert other_address["city"] == "济宁市"
    # Every derived id is stable from one export to the next.
    assert hsds.export_directory()["services"] == data["services"]


def test_export_has_no_personal_data(directory, world):
    world.operator.full_name = "王建国"
    world.operator.email = "wang.jianguo@example.org"
    world.operator.save()
    draft = Opening.objects.create(
        base=directory.base,
        kind=Opening.Kind.JOB,
        title="尚未发布的草稿",
        slots_total=1,
        slots_available=1,
        status=Opening.Status.DRAFT,
        created_by=world.operator,
    )
    text = json.dumps(hsds.export_directory(), ensure_ascii=False)

    for secret in ("王建国", "wang.jianguo@example.org", world.operator.username, "张三丰"):
        assert secret not in text
    for key in ("verified_by", "created_by", "referral", "supervisee"):
        assert key not in text
    assert str(draft.uid) not in text
    assert "尚未发布的草稿" not in text


def test_export_of_chosen_bases(directory):
    data = hsds.export_directory(Base.objects.filter(pk=directory.other_base.pk))

    assert [o["id"] for o in data["organizations"]] == [
        str(directory.other_base.operator.provider.uid)
    ]
    assert {s["id"] for s in data["services"]} == {
        str(directory.other_base.uid),
        str(directory.other_opening.uid),
    }


# --- Import -----------------------------------------------------------------------------------


def test_round_trip_is_lossless(directory, world):
    directory.base.schedule_note = "节假日休息"
    directory.base.save()
    directory.job.starts_on = datetime.date(2026, 3, 1)
    directory.job.ends_on = datetime.date(2026, 9, 30)
    directory.job.schedule = "周一至周五 8:00-17:00"
    directory.job.skills.add(directory.cook)
    directory.job.save()
    first = hsds.export_directory()
    organisations = Organisation.objects.count()
    wipe_directory()

    report = hsds.import_directory(first, user=world.official)

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (7, 0, 0)
    assert Organisation.objects.count() == organisations
    assert without_stamp(hsds.export_directory()) == without_stamp(first)
    base = Base.objects.get(uid=directory.base.uid)
    assert base.operator == world.operator_org
    assert base.region == world.zhongxin
    assert base.verified_by is None
    job = Opening.objects.get(uid=directory.job.uid)
    assert job.created_by == world.official
    assert sorted(job.skills.values_list("name", flat=True)) == ["烹饪", "电工"]


def test_importing_the_same_file_twice_changes_nothing(directory):
    data = hsds.export_directory()
    before = counts()

    first = hsds.import_directory(data)
    second = hsds.import_directory(data)

    assert first.errors == second.errors == []
    assert (first.created, first.updated, first.unchanged) == (0, 0, 7)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 7)
    assert counts() == before
    assert Base.objects.get(pk=directory.base.pk).verified_by is not None


def test_import_updates_existing_objects(directory, world):
    data = hsds.export_directory()
    base = by_id(data, directory.base.uid)
    base["name"] = "市中区阳光就业创业基地"
    base["assured_date"] = "2020-01-02"
    job = by_id(data, directory.job.uid)
    job["status"] = "temporarily closed"
    for attribute in job["attributes"]:
        if attribute["taxonomy_term"]["code"] == "slots_available":
            attribute["value"] = "1"
    job["attributes"] = [a for a in job["attributes"] if a["value"] != "电工"]
    by_id(data, directory.provider.uid)["name"] = "市中区就业基地"
    before = counts()

    report = hsds.import_directory(data)

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 3, 4)
    assert counts() == before
    directory.base.refresh_from_db()
    assert directory.base.name == "市中区阳光就业创业基地"
    assert directory.base.verified_on == datetime.date(2020, 1, 2)
    # The person who verified the old listing did not verify this one.
    assert directory.base.verified_by is None
    directory.job.refresh_from_db()
    assert directory.job.status == Opening.Status.PAUSED
    assert directory.job.slots_available == 1
    assert not directory.job.skills.exists()
    world.operator_org.refresh_from_db()
    assert world.operator_org.name == "市中区就业基地"


def test_import_creates_an_operator_organisation_in_the_county(directory, world):
    data = hsds.export_directory(Base.objects.filter(pk=directory.base.pk))
    wipe_directory()
    data["organizations"][0]["name"] = "新的运营单位"

    report = hsds.import_directory(data)

    assert report.errors == []
    organisation = Provider.objects.get().organisation
    assert organisation.name == "新的运营单位"
    assert organisation.kind == Organisation.Kind.BASE_OPERATOR
    assert organisation.region == world.shizhong
    assert Skill.objects.filter(name="电工").count() == 1


def test_unknown_region_code_refuses_the_whole_file(directory):
    data = hsds.export_directory()
    wipe_directory()
    location = by_id(data, directory.other_base.uid)["service_at_locations"][0]["location"]
    location["external_identifier"] = "999999999"

    report = hsds.import_directory(data)

    assert any("999999999" in e and "external_identifier" in e for e in report.errors)
    assert (report.created, report.updated) == (0, 0)
    assert counts()[:3] == (0, 0, 0)


def test_schema_invalid_file_is_refused(directory):
    data = hsds.export_directory()
    wipe_directory()
    by_id(data, directory.job.uid)["status"] = "bogus"
    del by_id(data, directory.base.uid)["name"]

    report = hsds.import_directory(data)

    assert any("$.status" in e and "bogus" in e for e in report.errors)
    assert any("'name' is a required property" in e for e in report.errors)
    assert counts()[:3] == (0, 0, 0)


@pytest.mark.parametrize(
    "data",
    [
        [],
        "services",
        {},
        {"hsds_version": "3.0", "organizations": [], "services": {}},
        {"hsds_version": "2.0", "organizations": [], "services": []},
        {"hsds_version": "3.0", "organizations": [], "services": [], "people": []},
        {"hsds_version": "3.0", "organizations": ["x"], "services": []},
    ],
)
def test_wrong_top_level_shape_is_refused(directory, data):
    before = counts()

    report = hsds.import_directory(data)

    assert report.errors
    assert counts() == before


def test_model_errors_roll_back_what_was_already_written(directory):
    data = hsds.export_directory()
    wipe_directory()
    job = by_id(data, directory.job.uid)
    for attribute in job["attributes"]:
        if attribute["taxonomy_term"]["code"] == "slots_available":
            attribute["value"] = "99"

    report = hsds.import_directory(data)

    assert any("电工学徒" in e for e in report.errors)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    # Providers and bases were saved before the opening failed; the transaction took them back.
    assert counts()[:3] == (0, 0, 0)


def test_opening_without_a_known_base_is_refused(directory):
    data = hsds.export_directory()
    data["services"] = [by_id(data, directory.job.uid)]
    wipe_directory()

    report = hsds.import_directory(data)

    assert any("attributes[base]" in e for e in report.errors)
    assert counts()[:3] == (0, 0, 0)


def test_allowed_region_limits_what_an_official_may_import(directory, world):
    data = hsds.export_directory()
    wipe_directory()

    refused = hsds.import_directory(data, allowed_region=world.jining)

    assert any("中心街街道" in e and "济宁市" in e for e in refused.errors)
    assert counts()[:3] == (0, 0, 0)
    accepted = hsds.import_directory(data, allowed_region=world.shandong)
    assert accepted.errors == []
    assert accepted.created == 7


def test_allowed_region_protects_existing_bases_elsewhere(directory, world):
    data = hsds.export_directory(Base.objects.filter(pk=directory.other_base.pk))
    location = data["services"][0]["service_at_locations"][0]["location"]
    # A Zaozhuang official cannot pull a Jining base into Zaozhuang by reusing its id.
    location["external_identifier"] = world.kuangqu.code

    report = hsds.import_directory(data, allowed_region=world.zaozhuang)

    assert any("不在你的辖区内" in e for e in report.errors)
    directory.other_base.refresh_from_db()
    assert directory.other_base.region == world.wenshang_jd


# --- Commands ---------------------------------------------------------------------------------


def test_export_and_import_commands(directory, tmp_path):
    path = tmp_path / "directory.json"
    call_command("hsds_export", output=str(path), stdout=StringIO())
    text = path.read_text(encoding="utf-8")
    assert "市中区阳光就业基地" in text
    first = json.loads(text)
    wipe_directory()

    out = StringIO()
    call_command("hsds_import", str(path), stdout=out)

    assert "7 created" in out.getvalue()
    assert without_stamp(hsds.export_directory()) == without_stamp(first)


def test_import_command_fails_on_errors(directory, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"hsds_version": "3.0", "services": []}), encoding="utf-8")
    before = counts()

    with pytest.raises(CommandError, match="nothing imported"):
        call_command("hsds_import", str(path), stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="cannot read"):
        call_command("hsds_import", str(tmp_path / "missing.json"))
    with pytest.raises(CommandError, match="unknown division code"):
        call_command("hsds_import", str(path), region="999999")
    assert counts() == before


def test_import_reads_times_in_other_offsets(directory):
    data = hsds.export_directory(Base.objects.filter(pk=directory.base.pk))
    (schedule,) = by_id(data, directory.base.uid)["schedules"]
    schedule["opens_at"] = "00:30Z"
    schedule["closes_at"] = "04:30-01:00"
    schedule["byday"] = "SA,MO"

    report = hsds.import_directory(data)

    assert report.errors == []
    directory.base.refresh_from_db()
    assert directory.base.opens_at == datetime.time(8, 30)
    assert directory.base.closes_at == datetime.time(13, 30)
    assert directory.base.open_days == ["MO", "SA"]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("last_modified", "yesterday", "is not a 'date-time'"),
        ("assured_date", "2026-13-01", "不是日期"),
        ("minimum_age", 17.5, "整数岁"),
    ],
)
def test_bad_field_values_are_refused(directory, key, value, expected):
    data = hsds.export_directory()
    by_id(data, directory.base.uid)[key] = value
    before = counts()

    report = hsds.import_directory(data)

    assert any(expected in e and key in e for e in report.errors), report.errors
    assert counts() == before


def test_an_import_never_frees_places_referrals_hold(directory, world):
    from resources.models import Referral

    data = hsds.export_directory()
    Referral.objects.create(
        supervisee=world.adult,
        opening=directory.job,
        status="accepted",
        holds_slot=True,
        created_by=world.caseworker,
    )
    Opening.objects.filter(pk=directory.job.pk).update(slots_available=2)

    report = hsds.import_directory(data)  # written when all 3 places were free

    assert report.errors == []
    directory.job.refresh_from_db()
    assert directory.job.slots_available == 2


def test_officials_download_and_upload_through_the_pages(directory, world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    official = client_for(world.official)
    download = official.get("/directory/hsds.json")
    assert download["Content-Disposition"].startswith("attachment;")
    data = json.loads(download.content)
    assert hsds.validate(data) == []
    # The official's area: Zaozhuang's base, not Jining's.
    assert {s["name"] for s in data["services"]} == {
        "市中区阳光就业基地",
        "电工学徒",
        "社区环境整治",
    }
    jining = json.loads(client_for(world.jining_official).get("/directory/hsds.json").content)
    assert {s["name"] for s in jining["services"]} == {"汶上县社区公益服务站", "敬老院陪护"}

    by_id(data, directory.base.uid)["name"] = "市中区阳光就业创业基地"
    upload = SimpleUploadedFile("d.json", json.dumps(data, ensure_ascii=False).encode())
    page = official.post("/directory/hsds/import/", {"file": upload}).content.decode()
    assert "导入完成" in page
    directory.base.refresh_from_db()
    assert directory.base.name == "市中区阳光就业创业基地"

    junk = SimpleUploadedFile("d.json", b"\xff not json")
    assert (
        "这不是 JSON 文件"
        in official.post("/directory/hsds/import/", {"file": junk}).content.decode()
    )
    # The Jining base lies outside a Zaozhuang official's area: nothing is imported.
    by_id(jining, directory.other_base.uid)["name"] = "改名"
    upload = SimpleUploadedFile("d.json", json.dumps(jining).encode())
    page = official.post("/directory/hsds/import/", {"file": upload}).content.decode()
    assert "未导入任何内容" in page and "不在你的辖区" in page
    directory.other_base.refresh_from_db()
    assert directory.other_base.name == "汶上县社区公益服务站"
