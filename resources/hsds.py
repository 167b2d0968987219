"""The directory as Open Referral HSDS 3.0 JSON: export, validation against the spec, import."""

import datetime
import gzip
import json
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker

from portal.models import Organisation, Region, Skill, User

from .models import Base, BaseKind, Opening, Provider, Weekday, held_places

HSDS_VERSION = "3.0"
SCHEMA_DIR = Path(__file__).resolve().parent / "hsds_schemas"
TOP_LEVEL_KEYS = frozenset({"hsds_version", "generated_at", "organizations", "services"})

# Never change these: every derived id (locations, schedules, phones, attributes, taxonomy
# terms) is a uuid5 under them, so other systems can match records across exports.
ID_NAMESPACE = uuid.UUID("a19fd1d5-dc57-400d-a66e-f62d2be64084")
TAXONOMY_NAMESPACE = uuid.UUID("f60cf711-cc31-42a0-9f60-8af7bcf19d3d")
TAXONOMY = "jiaozheng-portal directory"

REGION_CODE_TYPE = "GB/T 2260"
COUNTRY = "CN"
# Mainland China has one time zone and no daylight saving, so a fixed offset is exact.
CHINA_OFFSET_MINUTES = 8 * 60
CHINA_OFFSET = "+08:00"
# HSDS requires a postal code; this stands for "none given" and is read back as blank.
NO_POSTAL_CODE = "000000"
MAX_ERRORS_PER_OBJECT = 10
MAX_MESSAGE = 200

OPENING_TO_HSDS = {
    Opening.Status.OPEN: "active",
    Opening.Status.PAUSED: "temporarily closed",
    Opening.Status.CLOSED: "inactive",
}
HSDS_TO_OPENING = {
    "active": Opening.Status.OPEN,
    "temporarily closed": Opening.Status.PAUSED,
    "inactive": Opening.Status.CLOSED,
    "defunct": Opening.Status.CLOSED,
}
HSDS_TO_BASE = {
    "active": Base.Status.ACTIVE,
    "temporarily closed": Base.Status.TEMPORARILY_CLOSED,
    "inactive": Base.Status.INACTIVE,
    "defunct": Base.Status.INACTIVE,
}

# ASCII digits only: `\d` would also accept full-width and other scripts' digits.
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?(Z|[+-][0-9]{2}:[0-9]{2})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_WHOLE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Term:
    """A term of the platform's own taxonomy, carried in HSDS `attributes`."""

    code: str
    name: str
    description: str

    @property
    def id(self) -> str:
        return str(uuid.uuid5(TAXONOMY_NAMESPACE, self.code))

    def as_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "taxonomy": TAXONOMY,
            "language": "zh",
        }


TERMS = {
    term.code: term
    for term in (
        Term(
            "base_kind",
            "基地类型",
            "employment 就业、education 教育、welfare 公益服务、training 培训、"
            "counselling 心理辅导。",
        ),
        Term("capacity", "接收能力", "基地可同时接收的人数（整数）。"),
        Term("base", "所属基地", "岗位所在基地对应的服务标识（uuid）。"),
        Term("opening_kind", "岗位类型", "job 就业岗位、training 培训名额、service 社区服务。"),
        Term("skill", "技能", "岗位需要或培养的一项技能的名称，每项技能一条。"),
        Term("slots_total", "名额总数", "岗位的名额总数（整数）。"),
        Term("slots_available", "剩余名额", "岗位尚可接收的人数（整数）。"),
        Term("pay_min", "月薪下限", "每月报酬下限，单位为元（整数）。"),
        Term("pay_max", "月薪上限", "每月报酬上限，单位为元（整数）。"),
        Term("starts_on", "开始日期", "岗位开始的日期（YYYY-MM-DD）。"),
        Term("ends_on", "结束日期", "岗位结束的日期（YYYY-MM-DD）。"),
    )
}
TERM_CODES = {term.id: code for code, term in TERMS.items()}


def _derived(owner: uuid.UUID | str, role: str) -> str:
    """A stable id for a sub-record of `owner` (its location, schedule, a phone...)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{owner}:{role}"))


# --- Export -----------------------------------------------------------------------------------


def export_directory(bases: Iterable[Base] | None = None) -> dict[str, Any]:
    """The directory (or just `bases`) as an HSDS 3.0 document of organizations and services."""
    chosen = Base.objects.all() if bases is None else bases
    if isinstance(chosen, models.QuerySet):
        chosen = chosen.select_related("region")
    chosen = list(chosen)
    providers = {
        p.organisation_id: p
        for p in Provider.objects.filter(
            organisation_id__in={b.operator_id for b in chosen}
        ).select_related("organisation")
    }
    # A base whose operator has no public profile has no HSDS organization to belong to.
    chosen = sorted(
        (b for b in chosen if b.operator_id in providers),
        key=lambda b: (b.region.path, b.name, str(b.uid)),
    )
    regions = _regions_on_paths(b.region.path for b in chosen)
    openings: dict[int, list[Opening]] = {}
    for opening in (
        Opening.objects.filter(base__in=[b.pk for b in chosen])
        .exclude(status=Opening.Status.DRAFT)
        .prefetch_related("skills")
    ):
        openings.setdefault(opening.base_id, []).append(opening)

    services = []
    for base in chosen:
        provider = providers[base.operator_id]
        location = _location(base, regions)
        services.append(_base_service(base, provider, location))
        for opening in sorted(openings.get(base.pk, []), key=lambda o: (o.title, str(o.uid))):
            services.append(_opening_service(opening, base, provider, location))
    used = sorted(
        {providers[b.operator_id] for b in chosen},
        key=lambda p: (p.organisation.name, str(p.uid)),
    )
    return {
        "hsds_version": HSDS_VERSION,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "organizations": [_organization(p) for p in used],
        "services": services,
    }


def _regions_on_paths(paths: Iterable[str]) -> dict[str, Region]:
    codes = {code for path in paths for code in path.strip("/").split("/") if code}
    return {r.code: r for r in Region.objects.filter(code__in=codes)}


def _phones(owner: uuid.UUID, number: str, owner_key: str) -> list[dict[str, str]]:
    if not number:
        return []
    return [{"id": _derived(owner, "phone"), owner_key: str(owner), "number": number}]


def _organization(provider: Provider) -> dict[str, Any]:
    organization: dict[str, Any] = {
        "id": str(provider.uid),
        "name": provider.organisation.name,
        "description": provider.description,
    }
    if provider.email:
        organization["email"] = provider.email
    if provider.website:
        organization["website"] = provider.website
    organization["phones"] = _phones(provider.uid, provider.phone, "organization_id")
    return organization


def _location(base: Base, regions: dict[str, Region]) -> dict[str, Any]:
    chain = [regions[c] for c in base.region.path.strip("/").split("/") if c in regions]
    by_level = {r.level: r for r in chain}
    county = by_level.get(Region.Level.COUNTY)
    city = by_level.get(Region.Level.CITY)
    province = by_level.get(Region.Level.PROVINCE)
    location_id = _derived(base.uid, "location")
    address = {
        "id": _derived(base.uid, "address"),
        "location_id": location_id,
        "address_1": base.address,
        # Municipalities have no city level in some trees: the county is the next best.
        "city": (city or county or base.region).name,
        **({"region": county.name} if county else {}),
        "state_province": province.name if province else "",
        "postal_code": base.postal_code or NO_POSTAL_CODE,
        "country": COUNTRY,
        "address_type": "physical",
    }
    return {
        "id": location_id,
        "location_type": "physical",
        "name": base.name,
        "latitude": base.latitude,
        "longitude": base.longitude,
        "external_identifier": base.region.code,
        "external_identifier_type": REGION_CODE_TYPE,
        "addresses": [address],
    }


def _time_text(value: datetime.time) -> str:
    text = value.strftime("%H:%M:%S" if value.second else "%H:%M")
    return text + CHINA_OFFSET


def _base_schedules(base: Base) -> list[dict[str, Any]]:
    days = [d for d in Weekday.values if d in base.open_days]
    if not (days or base.opens_at or base.closes_at or base.schedule_note):
        return []
    schedule: dict[str, Any] = {"id": _derived(base.uid, "schedule"), "service_id": str(base.uid)}
    if days:
        schedule["freq"] = "WEEKLY"
        schedule["byday"] = ",".join(days)
    if base.opens_at is not None:
        schedule["opens_at"] = _time_text(base.opens_at)
    if base.closes_at is not None:
        schedule["closes_at"] = _time_text(base.closes_at)
    if base.schedule_note:
        schedule["description"] = base.schedule_note
    return [schedule]


def _attribute(service: uuid.UUID, code: str, value: str, key: str = "") -> dict[str, Any]:
    term = TERMS[code]
    return {
        "id": _derived(service, f"attribute:{code}{key}"),
        "link_id": str(service),
        "link_type": code,
        "link_entity": "service",
        "taxonomy_term_id": term.id,
        "taxonomy_term": term.as_json(),
        "value": value,
    }


def _service(
    uid: uuid.UUID,
    base: Base,
    provider: Provider,
    location: dict[str, Any],
    *,
    name: str,
    description: str,
    status: str,
    updated_at: datetime.datetime,
    schedules: list[dict[str, Any]],
    attributes: list[dict[str, Any]],
) -> dict[str, Any]:
    """What every service says; an opening repeats its base's terms so it reads on its own."""
    service: dict[str, Any] = {
        "id": str(uid),
        "organization_id": str(provider.uid),
        "name": name,
    }
    if description:
        service["description"] = description
    service["status"] = status
    if base.email:
        service["email"] = base.email
    if base.eligibility:
        service["eligibility_description"] = base.eligibility
    if base.minimum_age is not None:
        service["minimum_age"] = base.minimum_age
    if base.maximum_age is not None:
        service["maximum_age"] = base.maximum_age
    if base.verified_on:
        service["assured_date"] = base.verified_on.isoformat()
    service["last_modified"] = timezone.localtime(updated_at).isoformat()
    service["phones"] = _phones(uid, base.phone, "service_id")
    service["schedules"] = schedules
    service["service_at_locations"] = [
        {
            "id": _derived(uid, "service_at_location"),
            "service_id": str(uid),
            "location_id": location["id"],
            "location": location,
        }
    ]
    service["required_documents"] = [
        {"id": _derived(uid, f"document:{i}"), "service_id": str(uid), "document": document}
        for i, document in enumerate(base.required_documents)
    ]
    service["attributes"] = attributes
    return service


def _base_service(base: Base, provider: Provider, location: dict[str, Any]) -> dict[str, Any]:
    attributes = [_attribute(base.uid, "base_kind", base.kind)]
    if base.capacity is not None:
        attributes.append(_attribute(base.uid, "capacity", str(base.capacity)))
    return _service(
        base.uid,
        base,
        provider,
        location,
        name=base.name,
        description=base.description,
        status=base.status,
        updated_at=base.updated_at,
        schedules=_base_schedules(base),
        attributes=attributes,
    )


def _opening_service(
    opening: Opening, base: Base, provider: Provider, location: dict[str, Any]
) -> dict[str, Any]:
    uid = opening.uid
    attributes = [
        _attribute(uid, "base", str(base.uid)),
        _attribute(uid, "opening_kind", opening.kind),
    ]
    for name in sorted(skill.name for skill in opening.skills.all()):
        attributes.append(_attribute(uid, "skill", name, f":{name}"))
    attributes.append(_attribute(uid, "slots_total", str(opening.slots_total)))
    attributes.append(_attribute(uid, "slots_available", str(opening.slots_available)))
    for code in ("pay_min", "pay_max"):
        if getattr(opening, code) is not None:
            attributes.append(_attribute(uid, code, str(getattr(opening, code))))
    for code in ("starts_on", "ends_on"):
        if getattr(opening, code) is not None:
            attributes.append(_attribute(uid, code, getattr(opening, code).isoformat()))
    # An opening's schedule is free text ("working hours"); the base's weekly hours stay with
    # the base's own service.
    schedules = []
    if opening.schedule:
        schedules.append(
            {
                "id": _derived(uid, "schedule"),
                "service_id": str(uid),
                "description": opening.schedule,
            }
        )
    return _service(
        uid,
        base,
        provider,
        location,
        name=opening.title,
        description=opening.description,
        status=OPENING_TO_HSDS[opening.status],
        updated_at=opening.updated_at,
        schedules=schedules,
        attributes=attributes,
    )


# --- Validation -------------------------------------------------------------------------------


def _check_date_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if not _DATE_TIME.fullmatch(instance):
        return False
    datetime.datetime.fromisoformat(instance.upper().replace("Z", "+00:00"))
    return True


def _check_uri(instance: object) -> bool:
    return not isinstance(instance, str) or bool(_URI.fullmatch(instance))


def format_checker() -> FormatChecker:
    """jsonschema's format checker, plus `date-time` and `uri`, which it skips without extras."""
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_check_date_time)
    checker.checks("uri")(_check_uri)
    return checker


@cache
def load_schema(name: str) -> dict[str, Any]:
    """One of the vendored HSDS 3.0 schemas (`service`, `organization_list`...)."""
    return json.loads(gzip.decompress((SCHEMA_DIR / f"{name}.json.gz").read_bytes()))


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name), format_checker=format_checker())


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _label(kind: str, index: int, item: dict[str, Any]) -> str:
    name = item.get("name") if isinstance(item.get("name"), str) else ""
    return f"{kind}[{index}]" + (f" “{name}”" if name else "")


def validate(data: Any) -> list[str]:
    """Problems that make `data` unfit as an HSDS 3.0 directory file; empty when it is fine."""
    if not isinstance(data, dict):
        return [_("The file must hold a JSON object with “organizations” and “services”.")]
    errors = []
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        errors.append(_("Unknown top-level keys: %(keys)s.") % {"keys": ", ".join(unknown)})
    if data.get("hsds_version") != HSDS_VERSION:
        errors.append(_("$.hsds_version: must be “%(version)s”.") % {"version": HSDS_VERSION})
    if "generated_at" in data and not isinstance(data["generated_at"], str):
        errors.append(_("$.generated_at: must be a string."))
    for key, schema in (("organizations", "organization"), ("services", "service")):
        items = data.get(key)
        if not isinstance(items, list):
            errors.append(_("$.%(key)s: must be a list.") % {"key": key})
            continue
        seen: set[str] = set()
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                message = _("$.%(key)s[%(index)s]: must be an object.")
                errors.append(message % {"key": key, "index": index})
                continue
            label = _label(key, index, item)
            found = sorted(_validator(schema).iter_errors(item), key=lambda e: e.json_path)
            for error in found[:MAX_ERRORS_PER_OBJECT]:
                errors.append(f"{label}: {error.json_path}: {_short(error.message)}")
            if len(found) > MAX_ERRORS_PER_OBJECT:
                more = len(found) - MAX_ERRORS_PER_OBJECT
                errors.append(
                    _("%(label)s: %(count)s more problems.") % {"label": label, "count": more}
                )
            if isinstance(item.get("id"), str):
                if item["id"] in seen:
                    errors.append(f"{label}: $.id: " + _("the same id appears twice."))
                seen.add(item["id"])
    return errors


# --- Import -----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did (counts of providers, bases and openings) or why it did nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, state: str) -> None:
        setattr(self, state, getattr(self, state) + 1)


@dataclass
class _ProviderRow:
    uid: uuid.UUID
    label: str
    name: str
    values: dict[str, Any]
    # The region of the organization's first location: where a new organisation is placed.
    region: Region | None = None


@dataclass
class _BaseRow:
    uid: uuid.UUID
    label: str
    provider: uuid.UUID
    region: Region
    values: dict[str, Any]
    last_modified: datetime.datetime | None


@dataclass
class _OpeningRow:
    uid: uuid.UUID
    label: str
    base: uuid.UUID
    values: dict[str, Any]
    skills: list[str]
    last_modified: datetime.datetime | None


@dataclass
class _Plan:
    providers: dict[uuid.UUID, _ProviderRow] = field(default_factory=dict)
    bases: dict[uuid.UUID, _BaseRow] = field(default_factory=dict)
    openings: dict[uuid.UUID, _OpeningRow] = field(default_factory=dict)


def _first(items: Any) -> dict[str, Any]:
    return items[0] if isinstance(items, list) and items else {}


def _locations(service: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        link["location"]
        for link in service.get("service_at_locations") or []
        if isinstance(link.get("location"), dict)
    ]


def _parse_time(text: str) -> datetime.time | None:
    match = _TIME.fullmatch(text)
    if not match:
        return None
    hours, minutes, seconds, offset = match.groups()
    if int(hours) > 23 or int(minutes) > 59 or int(seconds or 0) > 59:
        return None
    shift = 0
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        shift = sign * (int(offset[1:3]) * 60 + int(offset[4:6]))
    # Times without an offset are taken as China time; others are moved to it.
    total = int(hours) * 60 + int(minutes) + (CHINA_OFFSET_MINUTES - shift if offset else 0)
    total %= 24 * 60
    return datetime.time(total // 60, total % 60, int(seconds or 0))


class _ServiceReader:
    """Reads one HSDS service into model values, noting each problem under the service's name."""

    def __init__(self, service: dict[str, Any], index: int, errors: list[str]):
        self.service = service
        self.errors = errors
        self.label = _label("services", index, service)
        self.uid = uuid.UUID(service["id"])
        self.attributes: dict[str, list[str]] = {}
        for attribute in service.get("attributes") or []:
            term_id = attribute.get("taxonomy_term_id") or (
                attribute.get("taxonomy_term") or {}
            ).get("id")
            code = TERM_CODES.get(term_id)
            if code and isinstance(attribute.get("value"), str):
                self.attributes.setdefault(code, []).append(attribute["value"])

    @property
    def is_opening(self) -> bool:
        return "base" in self.attributes or "opening_kind" in self.attributes

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{self.label}: {path}: {message}")

    def attribute(self, code: str, *, required: bool = False) -> str | None:
        values = self.attributes.get(code, [])
        if len(values) > 1:
            self.fail(f"attributes[{code}]", _("given more than once."))
            return None
        if not values:
            if required:
                self.fail(f"attributes[{code}]", _("missing."))
            return None
        return values[0].strip()

    def whole(self, code: str, *, required: bool = False) -> int | None:
        value = self.attribute(code, required=required)
        if value is None:
            return None
        if not _WHOLE.fullmatch(value):
            self.fail(
                f"attributes[{code}]", _("“%(value)s” is not a whole number.") % {"value": value}
            )
            return None
        return int(value)

    def date(self, path: str, value: str | None) -> datetime.date | None:
        if value is None:
            return None
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(path, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value})
            return None

    def age(self, key: str) -> int | None:
        value = self.service.get(key)
        if value is None:
            return None
        # JSON numbers may be fractional, and Python's parser even accepts Infinity and NaN.
        if not math.isfinite(value) or value != int(value) or value < 0:
            self.fail(f"$.{key}", _("must be a whole number of years."))
            return None
        return int(value)

    def last_modified(self) -> datetime.datetime | None:
        text = self.service.get("last_modified")
        if not text:
            return None
        moment = datetime.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)

    def region(self, regions: dict[str, Region]) -> Region | None:
        """The region of the service's first location; every location's code must be known."""
        found = None
        for index, location in enumerate(_locations(self.service)):
            code = location.get("external_identifier")
            region = regions.get(code) if isinstance(code, str) else None
            path = f"$.service_at_locations[{index}].location.external_identifier"
            if not code:
                self.fail(path, _("missing: the division code of the location's region."))
            elif region is None:
                self.fail(path, _("“%(code)s” is not a known division code.") % {"code": code})
            found = found or region
        return found

    def base(self, region: Region | None) -> dict[str, Any] | None:
        locations = _locations(self.service)
        if len({location.get("id") for location in locations}) != 1:
            self.fail("$.service_at_locations", _("a base needs exactly one location."))
            return None
        location = locations[0]
        address = _first(location.get("addresses"))
        if not address:
            self.fail("$.service_at_locations[0].location.addresses", _("missing."))
        for key in ("latitude", "longitude"):
            if not isinstance(location.get(key), int | float) or not math.isfinite(location[key]):
                self.fail(f"$.service_at_locations[0].location.{key}", _("missing."))
        kind = self.attribute("base_kind", required=True)
        if kind is not None and kind not in BaseKind.values:
            self.fail("attributes[base_kind]", _("unknown kind “%(kind)s”.") % {"kind": kind})
        values = {
            "name": self.service["name"],
            "kind": kind,
            "description": self.service.get("description") or "",
            "status": HSDS_TO_BASE[self.service["status"]],
            "address": address.get("address_1", ""),
            "postal_code": "",
            "latitude": location.get("latitude"),
            "longitude": location.get("longitude"),
            "phone": _first(self.service.get("phones")).get("number", ""),
            "email": self.service.get("email") or "",
            "eligibility": self.service.get("eligibility_description") or "",
            "minimum_age": self.age("minimum_age"),
            "maximum_age": self.age("maximum_age"),
            "required_documents": [
                d["document"]
                for d in self.service.get("required_documents") or []
                if d.get("document")
            ],
            "capacity": self.whole("capacity"),
            "verified_on": self.date("$.assured_date", self.service.get("assured_date")),
        }
        if address.get("postal_code") not in (None, NO_POSTAL_CODE):
            values["postal_code"] = address["postal_code"]
        values.update(self.weekly_schedule())
        if region is not None:
            values["region_id"] = region.pk
        return values

    def weekly_schedule(self) -> dict[str, Any]:
        schedules = self.service.get("schedules") or []
        if len(schedules) > 1:
            self.fail("$.schedules", _("a base has at most one schedule."))
        schedule = _first(schedules)
        values: dict[str, Any] = {"open_days": [], "opens_at": None, "closes_at": None}
        if schedule.get("freq", "WEEKLY") != "WEEKLY":
            self.fail("$.schedules[0].freq", _("only weekly schedules can be imported."))
        days = [d.strip() for d in (schedule.get("byday") or "").split(",") if d.strip()]
        unknown = [d for d in days if d not in Weekday.values]
        if unknown:
            self.fail("$.schedules[0].byday", _("unknown days: %s.") % ", ".join(unknown))
        values["open_days"] = [d for d in Weekday.values if d in days]
        for key in ("opens_at", "closes_at"):
            if schedule.get(key):
                values[key] = _parse_time(schedule[key])
                if values[key] is None:
                    self.fail(f"$.schedules[0].{key}", _("not a time such as 08:30+08:00."))
        values["schedule_note"] = schedule.get("description") or ""
        return values

    def opening(self) -> tuple[uuid.UUID | None, dict[str, Any], list[str]]:
        base = self.attribute("base", required=True)
        try:
            base_uid = uuid.UUID(base) if base is not None else None
        except ValueError:
            self.fail("attributes[base]", _("“%(base)s” is not a service id.") % {"base": base})
            base_uid = None
        kind = self.attribute("opening_kind", required=True)
        if kind is not None and kind not in Opening.Kind.values:
            self.fail("attributes[opening_kind]", _("unknown kind “%(kind)s”.") % {"kind": kind})
        skills = sorted({s.strip() for s in self.attributes.get("skill", []) if s.strip()})
        too_long = [s for s in skills if len(s) > Skill._meta.get_field("name").max_length]
        if too_long:
            self.fail("attributes[skill]", _("skill name too long: %s.") % too_long[0])
        schedules = self.service.get("schedules") or []
        if len(schedules) > 1:
            self.fail("$.schedules", _("an opening has at most one schedule."))
        values = {
            "kind": kind,
            "title": self.service["name"],
            "description": self.service.get("description") or "",
            "status": HSDS_TO_OPENING[self.service["status"]],
            "slots_total": self.whole("slots_total", required=True),
            "slots_available": self.whole("slots_available", required=True),
            "pay_min": self.whole("pay_min"),
            "pay_max": self.whole("pay_max"),
            "starts_on": self.date("attributes[starts_on]", self.attribute("starts_on")),
            "ends_on": self.date("attributes[ends_on]", self.attribute("ends_on")),
            "schedule": _first(schedules).get("description") or "",
        }
        return base_uid, values, skills


def _county(region: Region) -> Region:
    """The county a region lies in (the region itself when it has none)."""
    for ancestor in reversed(region.ancestors(include_self=True)):
        if ancestor.level == Region.Level.COUNTY:
            return ancestor
    return region


def _outside(region: Region, allowed: Region | None) -> bool:
    return allowed is not None and not region.path.startswith(allowed.path)


def _outside_message(region: Region, allowed: Region) -> str:
    return _("%(region)s (%(code)s) is outside your area, %(area)s.") % {
        "region": region.name,
        "code": region.code,
        "area": allowed.name,
    }


def _plan(data: dict[str, Any], errors: list[str], allowed: Region | None) -> _Plan:
    """Everything the file asks for, read and checked, before anything is written."""
    plan = _Plan()
    codes = {
        location.get("external_identifier")
        for service in data["services"]
        for location in _locations(service)
    }
    regions = {r.code: r for r in Region.objects.filter(code__in=codes - {None})}
    for index, organization in enumerate(data["organizations"]):
        uid = uuid.UUID(organization["id"])
        plan.providers[uid] = _ProviderRow(
            uid=uid,
            label=_label("organizations", index, organization),
            name=organization["name"],
            values={
                "description": organization["description"],
                "email": organization.get("email") or "",
                "website": organization.get("website") or "",
                "phone": _first(organization.get("phones")).get("number", ""),
            },
        )
    known_providers = set(
        Provider.objects.filter(
            uid__in=[s.get("organization_id") for s in data["services"] if s.get("organization_id")]
        ).values_list("uid", flat=True)
    )
    service_ids = [s["id"] for s in data["services"]]
    opening_uids = set(Opening.objects.filter(uid__in=service_ids).values_list("uid", flat=True))
    base_regions = dict(Base.objects.filter(uid__in=service_ids).values_list("uid", "region__path"))

    for index, service in enumerate(data["services"]):
        reader = _ServiceReader(service, index, errors)
        region = reader.region(regions)
        if not service.get("organization_id"):
            reader.fail("$.organization_id", _("missing."))
            continue
        provider_uid = uuid.UUID(service["organization_id"])
        row = plan.providers.get(provider_uid)
        if row is None and provider_uid not in known_providers:
            reader.fail("$.organization_id", _("no such organization."))
        if row is not None and row.region is None:
            row.region = region
        last_modified = reader.last_modified()
        if reader.is_opening:
            if reader.uid in base_regions:
                reader.fail("$.id", _("this id belongs to a base, not an opening."))
            base_uid, values, skills = reader.opening()
            if base_uid is not None:
                plan.openings[reader.uid] = _OpeningRow(
                    reader.uid, reader.label, base_uid, values, skills, last_modified
                )
            continue
        if reader.uid in opening_uids:
            reader.fail("$.id", _("this id belongs to an opening, not a base."))
        values = reader.base(region)
        if values is None or region is None:
            continue
        if _outside(region, allowed):
            reader.fail("$.service_at_locations", _outside_message(region, allowed))
        old_path = base_regions.get(reader.uid)
        if allowed is not None and old_path and not old_path.startswith(allowed.path):
            reader.fail("$.id", _("this base is outside your area; it cannot be changed."))
        plan.bases[reader.uid] = _BaseRow(
            reader.uid, reader.label, provider_uid, region, values, last_modified
        )

    existing_bases = {
        b.uid: b
        for b in Base.objects.filter(
            uid__in={r.base for r in plan.openings.values()} - set(plan.bases)
        ).select_related("region")
    }
    opening_paths = dict(
        Opening.objects.filter(uid__in=list(plan.openings)).values_list("uid", "base__region__path")
    )
    for row in plan.openings.values():
        if row.base not in plan.bases and row.base not in existing_bases:
            errors.append(f"{row.label}: attributes[base]: " + _("no such base."))
        elif row.base in existing_bases and _outside(existing_bases[row.base].region, allowed):
            message = _outside_message(existing_bases[row.base].region, allowed)
            errors.append(f"{row.label}: attributes[base]: {message}")
        old_path = opening_paths.get(row.uid)
        if allowed is not None and old_path and not old_path.startswith(allowed.path):
            errors.append(
                f"{row.label}: $.id: "
                + _("this opening is outside your area; it cannot be changed.")
            )
    for row in plan.providers.values():
        if row.region is not None and _outside(row.region, allowed):
            errors.append(f"{row.label}: {_outside_message(row.region, allowed)}")
    return plan


def _assign(obj: models.Model, values: dict[str, Any]) -> bool:
    """Set `values` on `obj`; whether anything differed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _clean(obj: models.Model, label: str, errors: list[str]) -> bool:
    try:
        obj.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            where = f"{label}: " if name == NON_FIELD_ERRORS else f"{label}: {name}: "
            errors.extend(where + message for message in messages)
        return False
    return True


def _stamp(obj: Base | Opening, moment: datetime.datetime | None) -> None:
    """Keep the source's modification time: `auto_now` would make every import a change."""
    if moment is not None:
        type(obj).objects.filter(pk=obj.pk).update(updated_at=moment)
        obj.updated_at = moment


def _save_provider(
    row: _ProviderRow, report: ImportReport, allowed: Region | None
) -> Provider | None:
    provider = Provider.objects.select_related("organisation__region").filter(uid=row.uid).first()
    if provider is None:
        if row.region is None:
            report.errors.append(
                f"{row.label}: " + _("no service of this organization has a location.")
            )
            return None
        region = _county(row.region)
        # An organisation left behind by a deleted profile is taken over rather than duplicated.
        organisation = Organisation.objects.filter(
            kind=Organisation.Kind.BASE_OPERATOR,
            name=row.name,
            region=region,
            provider__isnull=True,
        ).first() or Organisation(
            kind=Organisation.Kind.BASE_OPERATOR, name=row.name, region=region
        )
        if not _clean(organisation, row.label, report.errors):
            return None
        organisation.save()
        provider = Provider(uid=row.uid, organisation=organisation, **row.values)
        state = "created"
    else:
        organisation = provider.organisation
        renamed = _assign(organisation, {"name": row.name})
        changed = _assign(provider, row.values) or renamed
        state = "updated" if changed else "unchanged"
        if changed and _outside(organisation.region, allowed):
            message = _outside_message(organisation.region, allowed)
            report.errors.append(f"{row.label}: {message}")
            return None
        if renamed:
            if not _clean(organisation, row.label, report.errors):
                return None
            organisation.save()
    if state != "unchanged":
        if not _clean(provider, row.label, report.errors):
            return None
        provider.save()
    report.count(state)
    return provider


def _save_base(row: _BaseRow, operator: Organisation, report: ImportReport) -> Base | None:
    values = {**row.values, "operator_id": operator.pk}
    base = Base.objects.filter(uid=row.uid).first()
    if base is None:
        base = Base(uid=row.uid, **values)
        state = "created"
    else:
        old_verified_on = base.verified_on
        restamp = row.last_modified is not None and base.updated_at != row.last_modified
        state = "updated" if _assign(base, values) or restamp else "unchanged"
        # Whoever verified the old listing did not verify the imported one.
        if base.verified_on != old_verified_on:
            base.verified_by = None
    if state != "unchanged":
        if not _clean(base, row.label, report.errors):
            return None
        base.save()
        _stamp(base, row.last_modified)
    report.count(state)
    return base


def _save_opening(row: _OpeningRow, base: Base, report: ImportReport, user: User | None) -> None:
    values = {**row.values, "base_id": base.pk}
    # Locked, so places taken by an acceptance at this moment are counted, not overwritten.
    opening = Opening.objects.select_for_update().filter(uid=row.uid).first()
    if opening is None:
        opening = Opening(uid=row.uid, created_by=user, **values)
        state = "created"
    else:
        # Places referrals hold here stay taken, whatever an older file says is left.
        held = held_places(opening)
        values["slots_available"] = min(
            values["slots_available"], max(0, values["slots_total"] - held)
        )
        restamp = row.last_modified is not None and opening.updated_at != row.last_modified
        skills = sorted(opening.skills.values_list("name", flat=True))
        changed = _assign(opening, values) or restamp or skills != row.skills
        state = "updated" if changed else "unchanged"
    if state != "unchanged":
        if not _clean(opening, row.label, report.errors):
            return
        opening.save()
        opening.skills.set([Skill.objects.get_or_create(name=name)[0] for name in row.skills])
        _stamp(opening, row.last_modified)
    report.count(state)


def _write(plan: _Plan, report: ImportReport, user: User | None, allowed: Region | None) -> None:
    providers = {uid: _save_provider(row, report, allowed) for uid, row in plan.providers.items()}
    missing = {row.provider for row in plan.bases.values()} - set(providers)
    providers.update(
        {p.uid: p for p in Provider.objects.filter(uid__in=missing).select_related("organisation")}
    )
    bases: dict[uuid.UUID, Base | None] = {}
    for uid, row in plan.bases.items():
        provider = providers.get(row.provider)
        bases[uid] = _save_base(row, provider.organisation, report) if provider else None
    missing = {row.base for row in plan.openings.values()} - set(bases)
    bases.update({b.uid: b for b in Base.objects.filter(uid__in=missing)})
    for row in plan.openings.values():
        base = bases.get(row.base)
        if base is not None:
            _save_opening(row, base, report, user)


def import_directory(
    data: Any, *, user: User | None = None, allowed_region: Region | None = None
) -> ImportReport:
    """Create or update providers, bases and openings from an HSDS file: all of it or nothing."""
    report = ImportReport(errors=validate(data))
    if report.errors:
        return report
    plan = _plan(data, report.errors, allowed_region)
    if report.errors:
        return report
    try:
        with transaction.atomic():
            _write(plan, report, user, allowed_region)
            if report.errors:
                transaction.set_rollback(True)  # all of it or nothing
    except DatabaseError as error:
        report.errors.append(_("The database refused the import: %s") % error)
    if report.errors:
        report.created = report.updated = report.unchanged = 0
    return report
