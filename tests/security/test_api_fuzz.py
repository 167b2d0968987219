"""Property-based fuzzing of the JSON API from its own OpenAPI schema (schemathesis).

Every operation is fed requests that schemathesis generates from /api/v1/openapi.json, valid
and invalid ones, and each request is sent in-process through the WSGI application (the lean
coverage-report path included) once per identity: anonymous and signed in as each role. No
answer may be a server error; an answer with a status the schema documents must match it;
without a session every protected operation answers 401.
"""

import datetime
import gc

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from courses import qr
from courses.models import GroupSession
from courses.progress import issue_token
from resources.actions import TRANSITIONS
from resources.models import Referral
from tests.courses.conftest import Courses, complete_orientation
from tests.resources.conftest import Directory

from .conftest import repeatable

pytestmark = pytest.mark.django_db

SCHEMA_PATH = "/api/v1/openapi.json"
OPERATIONS = [
    "GET /api/v1/supervisees",
    "GET /api/v1/supervisees/{supervisee_id}",
    "POST /api/v1/lessons/{lesson_id}/progress",
    "POST /api/v1/group-classes/check-in",
    "GET /api/v1/compliance",
    "GET /api/v1/compliance/{supervisee_id}",
    "GET /api/v1/search/suggest",
    "GET /api/v1/referrals",
    "GET /api/v1/referrals/{referral_id}",
    "POST /api/v1/referrals/{referral_id}/steps",
]
ROLES = (
    "caseworker",
    "official",
    "social_worker",
    "mentor",
    "operator",
    "auditor",
    "supervisee_user",
)
MAX_EXAMPLES = 20
CHECKS = [not_a_server_error, response_schema_conformance]
# Any value works as a CSRF secret when the cookie and the header carry the same one.
CSRF_SECRET = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"


def wsgi_application():
    """The deployed WSGI application, lean coverage-report path in front, as portal/wsgi.py
    builds it; the collector settings that module tunes for a server are put back for the
    rest of the test session."""
    threshold = gc.get_threshold()
    from portal.wsgi import application

    gc.unfreeze()
    gc.set_threshold(*threshold)
    return application


class Fixture:
    """The shared world with a directory, courses, a referral and a group class in it."""

    def __init__(self, world, client_for):
        self.world = world
        self.directory = Directory(world)
        self.courses = Courses(world)
        complete_orientation(world.adult, self.courses)
        caseworker = client_for(world.caseworker)
        response = caseworker.post(
            f"/directory/match/{world.adult.pk}/refer/{self.directory.job.pk}/"
        )
        assert response.status_code == 302, response.content
        self.referral = Referral.objects.get(supervisee=world.adult)
        start = timezone.now() - datetime.timedelta(minutes=5)
        self.group = GroupSession.objects.create(
            title="法治集中教育",
            organiser=world.zhongxin_office,
            venue="中心街司法所",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            audience="adults",
            capacity=30,
            credited_minutes=120,
            created_by=world.caseworker,
        )
        cookie = django_settings.SESSION_COOKIE_NAME
        self.identities = {"anonymous": {}}
        for role in ROLES:
            client = client_for(getattr(world, role))
            self.identities[role] = {cookie: client.cookies[cookie].value}
        self.known_ids = {
            "supervisee_id": [
                world.adult.pk,
                world.minor.pk,
                world.kuangqu_person.pk,
                world.jining_person.pk,
            ],
            "referral_id": [self.referral.pk],
            "lesson_id": [self.courses.lesson.pk, self.courses.orientation_lesson.pk],
        }

    def valid_token(self, operation_label: str, lesson_id) -> str | None:
        """A token the server accepts, so that generated values reach the rules behind it."""
        if operation_label.endswith("/progress"):
            lesson = self.courses.lesson
            if lesson_id == self.courses.orientation_lesson.pk:
                lesson = self.courses.orientation_lesson
            user = self.world.supervisee_user
            return issue_token(user, self.world.adult, lesson, timezone.now()).sign()
        if operation_label.endswith("/check-in"):
            return qr.issue_token(self.group.pk)
        return None


@pytest.fixture
def api(world, client_for):
    return Fixture(world, client_for)


@pytest.fixture
def in_process():
    """As Django's test client does: the test's database connection outlives each request."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def api_schema(api, in_process):
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, wsgi_application())


def test_the_fuzzed_operations_are_all_the_schema_has(api_schema):
    labels = {
        result.ok().label for result in api_schema.get_all_operations() if result.ok() is not None
    }
    assert labels == set(OPERATIONS)


def cases(operation, fixture: Fixture):
    """Generated requests, valid and invalid, and how to aim some at objects that exist."""
    generated = st.one_of(
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )
    names = [parameter.name for parameter in operation.path_parameters]
    aim = st.fixed_dictionaries(
        {
            "ids": st.fixed_dictionaries(
                {name: st.sampled_from(fixture.known_ids[name]) for name in names}
            ),
            "use_ids": st.booleans(),
            "use_valid_body": st.booleans(),
            "step": st.sampled_from(sorted(TRANSITIONS)),
        }
    )
    return st.tuples(generated, aim)


def aim_case(case, fixture: Fixture, aim: dict) -> None:
    """Point a case at existing objects, and give its body a valid token or step name."""
    if aim["use_ids"]:
        case.path_parameters = {**(case.path_parameters or {}), **aim["ids"]}
    if not (aim["use_valid_body"] and isinstance(case.body, dict)):
        return
    if "token" in case.body:
        lesson_id = (case.path_parameters or {}).get("lesson_id")
        token = fixture.valid_token(case.operation.label, lesson_id)
        case.body = {**case.body, "token": token}
    if "step" in case.body:
        case.body = {**case.body, "step": aim["step"]}


def send(case, cookies: dict):
    """Send `case` in-process with a CSRF pair and the given session, and validate the answer."""
    response = case.call(
        cookies={**cookies, django_settings.CSRF_COOKIE_NAME: CSRF_SECRET},
        headers={"X-CSRFToken": CSRF_SECRET},
    )
    case.validate_response(response, checks=CHECKS)
    return response


def ordinary_requests(fixture: Fixture) -> dict:
    """One request per operation that succeeds for the named identity."""
    adult = fixture.world.adult.pk
    lesson = fixture.courses.lesson.pk
    progress = {
        "token": fixture.valid_token("/progress", lesson),
        "seq": 1,
        "ranges": [[0, 5]],
        "position": 5,
    }
    return {
        "GET /api/v1/supervisees": ("caseworker", {"query": {"page": 1}}),
        "GET /api/v1/supervisees/{supervisee_id}": (
            "caseworker",
            {"path_parameters": {"supervisee_id": adult}},
        ),
        "POST /api/v1/lessons/{lesson_id}/progress": (
            "supervisee_user",
            {"path_parameters": {"lesson_id": lesson}, "body": progress},
        ),
        "POST /api/v1/group-classes/check-in": (
            "supervisee_user",
            {"body": {"token": fixture.valid_token("/check-in", 0)}},
        ),
        "GET /api/v1/compliance": ("caseworker", {}),
        "GET /api/v1/compliance/{supervisee_id}": (
            "caseworker",
            {"path_parameters": {"supervisee_id": adult}},
        ),
        "GET /api/v1/search/suggest": ("anonymous", {"query": {"q": "法"}}),
        "GET /api/v1/referrals": ("operator", {}),
        "GET /api/v1/referrals/{referral_id}": (
            "caseworker",
            {"path_parameters": {"referral_id": fixture.referral.pk}},
        ),
        "POST /api/v1/referrals/{referral_id}/steps": (
            "operator",
            {
                "path_parameters": {"referral_id": fixture.referral.pk},
                "body": {"step": "receive", "reason": ""},
            },
        ),
    }


@pytest.mark.parametrize("label", OPERATIONS)
def test_ordinary_answers_match_the_schema_for_every_role(label, api, api_schema):
    operation = api_schema.find_operation_by_label(label)
    identity, request = ordinary_requests(api)[label]
    kwargs = {"media_type": "application/json", **request} if "body" in request else request
    case = operation.Case(**kwargs)
    response = send(case, api.identities[identity])
    assert response.status_code == 200, (identity, response.content)
    # The same request as everyone else: refused or answered, never a server error, and an
    # answer always in the documented shape.
    for other, cookies in api.identities.items():
        if other != identity:
            assert send(case, cookies).status_code < 500, other


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_server_error_and_documented_answers_match_the_schema(label, api, api_schema):
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label
    protected = bool(operation.definition.raw.get("security"))
    sent = []

    @repeatable(MAX_EXAMPLES)
    @given(cases(operation, api))
    def run(drawn):
        case, aim = drawn
        aim_case(case, api, aim)
        for identity, cookies in api.identities.items():
            response = send(case, cookies)
            if identity == "anonymous" and protected:
                assert response.status_code == 401, (identity, response.status_code)
            sent.append(response.status_code)

    run()
    assert len(sent) >= MAX_EXAMPLES * len(api.identities)


def test_a_page_number_past_any_offset_is_refused_not_a_server_error(world, client_for):
    """Found by the fuzzing above: a huge page number overflowed the database's OFFSET."""
    client = client_for(world.caseworker)
    assert client.get("/api/v1/supervisees?page=237290388847638976").status_code == 422
    last = client.get("/api/v1/supervisees?page=1000000")
    assert last.status_code == 200 and last.json()["items"] == []
