"""Shared fixtures: a small region tree, organisations, a user for every role, supervisees."""

import datetime
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from portal.idnumbers import make_id_number
from portal.models import Membership, Organisation, Region, Role, Supervisee, User

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _english_free_defaults(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def region(code, name, level, parent=None, lat=None, lon=None) -> Region:
    return Region.objects.create(
        code=code, name=name, level=level, parent=parent, latitude=lat, longitude=lon
    )


def make_user(
    username: str,
    role: str | None = None,
    org: Organisation | None = None,
    *,
    mfa: bool = True,
    **extra,
) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    if role:
        Membership.objects.create(user=user, organisation=org, role=role)
    if mfa and role in {"caseworker", "official", "social_worker", "editor", "auditor"}:
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        TOTP.activate(user, generate_totp_secret())
    return user


def make_supervisee(
    office: Organisation, township: Region, *, minor: bool = False, name: str = "王小明", **extra
) -> Supervisee:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=60)
    years = 16 if minor else 35
    birth = start.replace(year=start.year - years) - datetime.timedelta(days=10)
    values = {
        "name": name,
        "gender": "male",
        "birth_date": birth,
        "id_number": make_id_number(township.code, birth, next(_seq)),
        "judicial_office": office,
        "home_township": township,
        "sentence_type": "probation",
        "supervision_level": "standard",
        "offence_category": "theft",
        "supervision_start": start,
        "planned_end": start + datetime.timedelta(days=365),
        "phone": "+8613811112222",
        "school": "第一中学" if minor else "",
    }
    values.update(extra)
    return Supervisee.objects.create(**values)


class World:
    """Two cities in one province, so every scope has an outside."""

    def __init__(self):
        P, C, X, T = "province", "city", "county", "township"
        self.shandong = region("370000", "山东省", P)
        self.zaozhuang = region("370400", "枣庄市", C, self.shandong)
        self.shizhong = region("370402", "市中区", X, self.zaozhuang)
        self.zhongxin = region("370402001", "中心街街道", T, self.shizhong, 34.8566, 117.5587)
        self.kuangqu = region("370402003", "矿区街道", T, self.shizhong, 34.8802, 117.5730)
        self.jining = region("370800", "济宁市", C, self.shandong)
        self.wenshang = region("370830", "汶上县", X, self.jining)
        self.wenshang_jd = region("370830001", "汶上街道", T, self.wenshang)
        A, J = Organisation.Kind.AGENCY, Organisation.Kind.JUDICIAL_OFFICE
        org = Organisation.objects.create
        self.province_agency = org(name="山东省局", kind=A, region=self.shandong)
        self.zz_agency = org(
            name="枣庄市局", kind=A, region=self.zaozhuang, parent=self.province_agency
        )
        self.szq_agency = org(name="市中区局", kind=A, region=self.shizhong, parent=self.zz_agency)
        self.zhongxin_office = org(
            name="中心街司法所", kind=J, region=self.zhongxin, parent=self.szq_agency
        )
        self.kuangqu_office = org(
            name="矿区司法所", kind=J, region=self.kuangqu, parent=self.szq_agency
        )
        self.jn_agency = org(name="济宁市局", kind=A, region=self.jining)
        self.ws_agency = org(name="汶上县局", kind=A, region=self.wenshang, parent=self.jn_agency)
        self.wenshang_office = org(
            name="汶上街道司法所", kind=J, region=self.wenshang_jd, parent=self.ws_agency
        )
        self.social_org = org(
            name="阳光社工", kind=Organisation.Kind.SOCIAL_WORK, region=self.zaozhuang
        )
        self.volunteers = org(
            name="五老志愿服务队", kind=Organisation.Kind.VOLUNTEER_GROUP, region=self.zaozhuang
        )
        self.jn_volunteers = org(
            name="济宁五老", kind=Organisation.Kind.VOLUNTEER_GROUP, region=self.jining
        )
        self.operator_org = org(
            name="就业基地", kind=Organisation.Kind.BASE_OPERATOR, region=self.shizhong
        )

        self.official = make_user("official", Role.OFFICIAL, self.zz_agency, email="o@example.org")
        self.county_official = make_user("county_official", Role.OFFICIAL, self.szq_agency)
        self.jining_official = make_user("jining_official", Role.OFFICIAL, self.jn_agency)
        self.caseworker = make_user(
            "caseworker", Role.CASEWORKER, self.zhongxin_office, phone="+8613800000001"
        )
        self.other_caseworker = make_user(
            "kuangqu_caseworker", Role.CASEWORKER, self.kuangqu_office
        )
        self.social_worker = make_user("social_worker", Role.SOCIAL_WORKER, self.social_org)
        self.mentor = make_user("mentor", Role.MENTOR, self.volunteers)
        self.operator = make_user("operator", Role.BASE_OPERATOR, self.operator_org)
        self.editor = make_user("editor", Role.EDITOR, self.zz_agency)
        self.auditor = make_user("auditor", Role.AUDITOR, self.province_agency)

        self.adult = make_supervisee(self.zhongxin_office, self.zhongxin, name="张三丰")
        self.minor = make_supervisee(self.zhongxin_office, self.zhongxin, minor=True, name="李小龙")
        self.kuangqu_person = make_supervisee(self.kuangqu_office, self.kuangqu, name="赵六")
        self.jining_person = make_supervisee(self.wenshang_office, self.wenshang_jd, name="孙七")
        self.supervisee_user = make_user("supervisee", full_name="张三丰")
        self.adult.user = self.supervisee_user
        self.adult.save()

        from portal.models import CaseloadAssignment

        CaseloadAssignment.objects.create(
            social_worker=self.social_worker,
            supervisee=self.minor,
            assigned_by=self.caseworker,
        )
        CaseloadAssignment.objects.create(
            social_worker=self.social_worker,
            supervisee=self.adult,
            assigned_by=self.caseworker,
        )


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def client_for(client):
    """A signed-in test client for `user` (a fresh client each call)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and used TOTP codes live in the cache: start each test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def database_url() -> str:
    """The URL of the test database, for a worker in another process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT")
    return f"postgres://{user}@{host}:{port or 5432}/{db['NAME']}"


@pytest.fixture
def worker_process(transactional_db):
    """Start `manage.py worker` processes on the test database; all are stopped afterwards."""
    started: list[subprocess.Popen] = []

    def start(**env) -> subprocess.Popen:
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MEDIA_STALE_SECONDS": "3",
            "PORTAL_HOUSEKEEPING_INTERVAL": "1",
            **env,
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
                "-v",
                "0",
            ],
            cwd=Path(settings.BASE_DIR),
            env=environment,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.terminate()  # a clean stop closes its database connections
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate, timeout: float = 90, interval: float = 0.25, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="session", autouse=True)
def migration_data(django_db_setup, django_db_blocker) -> str:
    """What the migrations put in the fresh test database (groups, permissions, home page),
    taken before any test runs, for the browser tests to put back (tests/e2e/conftest.py)."""
    from django.db import connection

    with django_db_blocker.unblock():
        return connection.creation.serialize_db_to_string()


@pytest.fixture(autouse=True)
def _migration_data_restored(request, migration_data):
    """Transactional tests (browser tests, tests with real server or worker processes) empty
    the database after each test: put back what the migrations created before each one."""
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group

    from portal.models import HomePage

    # Groups and the home page both come from the migrations; a test before this one may have
    # emptied the database, or emptied it and let post_migrate handlers put some rows back.
    if not Group.objects.exists() or not HomePage.objects.exists():
        restore_database(migration_data)


def restore_database(serialized: str) -> None:
    """Empty the database and load `serialized` (Django's test serialisation) back."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection

    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    # Content types first: building a workflow task looks its own type up (and would create
    # it, with another id, if it were not there yet).
    rows = json.loads(serialized)
    types = [row for row in rows if row["model"] == "contenttypes.contenttype"]
    others = [row for row in rows if row["model"] != "contenttypes.contenttype"]
    ContentType.objects.clear_cache()
    connection.creation.deserialize_db_from_string(json.dumps(types + others))
    # The rows came back with their ids; move PostgreSQL's sequences past them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)


def pytest_collection_modifyitems(items):
    """Browser tests run last: Playwright's synchronous API keeps an event loop running in the
    main thread for the rest of the session, which async tests and async_to_sync cannot share."""
    items.sort(key=lambda item: "e2e" in item.path.parts)
