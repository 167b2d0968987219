"""Group classes: rotating QR codes, one person per phone, shared addresses flagged."""

import datetime
import json

import pytest
from django.utils import timezone

from courses import qr
from courses.models import GroupAttendance, GroupSession, HourCredit

from .conftest import complete_orientation

pytestmark = pytest.mark.django_db


def make_session(world, audience="adults", **fields) -> GroupSession:
    start = timezone.now() - datetime.timedelta(minutes=5)
    values = {
        "title": "法治集中教育",
        "organiser": world.zhongxin_office,
        "venue": "中心街司法所",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "audience": audience,
        "capacity": 30,
        "credited_minutes": 120,
        "created_by": world.caseworker,
    }
    values.update(fields)
    return GroupSession.objects.create(**values)


@pytest.fixture
def clock(monkeypatch):
    """The clock the QR signer reads, moved by the test."""
    import time

    state = {"now": time.time()}
    monkeypatch.setattr("django.core.signing.time.time", lambda: state["now"])
    return state


@pytest.fixture
def neighbour(world):
    """A second adult of the same office, with an account."""
    person = world.kuangqu_person
    person.judicial_office = world.zhongxin_office
    person.user = type(world.supervisee_user).objects.create_user("zhao", password="x")
    person.save()
    return person


def check_in(client, token, **extra):
    return client.post("/study/check-in/", {"t": token}, **extra)


def test_codes_expire_shortly_after_they_rotate(world, client_for, clock, settings):
    session = make_session(world)
    token = qr.issue_token(session.pk)
    clock["now"] += settings.COURSES_QR_VALID_SECONDS - 1
    assert qr.read_token(token) == session.pk
    clock["now"] += 2
    client = client_for(world.supervisee_user)
    response = check_in(client, token)
    assert response.status_code == 400
    assert "已过期" in response.content.decode()
    assert not GroupAttendance.objects.exists()


def test_the_projector_shows_a_fresh_code_each_time(world, client_for, clock):
    session = make_session(world)
    client = client_for(world.caseworker)
    first = client.get(f"/study/groups/{session.pk}/code.json").json()
    clock["now"] += 30
    second = client.get(f"/study/groups/{session.pk}/code.json").json()
    assert first["url"] != second["url"]
    assert second["svg"].startswith("<?xml") and "<svg" in second["svg"]
    assert "/study/check-in/?t=" in second["url"]


def test_a_scan_before_signing_in_survives_the_sign_in(world, client, clock):
    session = make_session(world)
    token = qr.issue_token(session.pk)
    response = client.get(f"/study/check-in/?t={token}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    clock["now"] += 120  # signing in took two minutes: the code itself has expired
    client.force_login(world.supervisee_user)
    assert check_in(client, token).status_code == 200
    attendance = GroupAttendance.objects.get(session=session)
    assert (attendance.supervisee, attendance.status, attendance.via) == (
        world.adult,
        "present",
        "qr",
    )


def test_one_phone_checks_in_one_person(world, neighbour, client_for, clock):
    session = make_session(world)

    token = qr.issue_token(session.pk)
    first = client_for(world.supervisee_user)
    assert check_in(first, token).status_code == 200
    assert check_in(first, token).status_code == 200  # the same person again: unchanged
    # The same browser, signed in as someone else, keeps its check-in cookie.
    second = client_for(neighbour.user)
    second.cookies = first.cookies
    second.force_login(neighbour.user)
    response = check_in(second, token)
    assert response.status_code == 409
    assert not GroupAttendance.objects.filter(supervisee=neighbour).exists()


def test_one_address_for_several_people_is_flagged(world, neighbour, client_for, clock):
    session = make_session(world)

    token = qr.issue_token(session.pk)
    assert (
        check_in(client_for(world.supervisee_user), token, REMOTE_ADDR="10.1.2.3").status_code
        == 200
    )
    assert check_in(client_for(neighbour.user), token, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert GroupAttendance.objects.get(supervisee=world.adult).flag == ""
    flagged = GroupAttendance.objects.get(supervisee=neighbour)
    assert "1" in flagged.flag
    roster = client_for(world.caseworker).get(f"/study/groups/{session.pk}/").content.decode()
    assert flagged.flag in roster


def test_minors_and_adults_never_share_a_class(world, client_for, clock):
    minors = make_session(world, audience="minors")
    adults = make_session(world, audience="adults")
    minor_user = type(world.supervisee_user).objects.create_user("minor", password="x")
    world.minor.user = minor_user
    world.minor.save()
    assert check_in(client_for(world.supervisee_user), qr.issue_token(minors.pk)).status_code == 409
    assert check_in(client_for(minor_user), qr.issue_token(adults.pk)).status_code == 409
    assert check_in(client_for(minor_user), qr.issue_token(minors.pk)).status_code == 200
    caseworker = client_for(world.caseworker)
    roster = caseworker.get(f"/study/groups/{minors.pk}/").context["roster"]
    assert [item["supervisee"] for item in roster] == [world.minor]
    # Marking an adult on the minors' roster is impossible.
    response = caseworker.post(
        f"/study/groups/{minors.pk}/", {"supervisee": world.adult.pk, "status": "present"}
    )
    assert response.status_code == 404


def test_closing_credits_present_and_late_once(world, client_for, clock):
    session = make_session(world)
    caseworker = client_for(world.caseworker)
    caseworker.post(
        f"/study/groups/{session.pk}/",
        {"supervisee": world.adult.pk, "status": "late", "remark": "迟到 20 分钟"},
    )
    caseworker.post(
        f"/study/groups/{session.pk}/",
        {"supervisee": world.kuangqu_person.pk, "status": "absent"},
    )  # not in this office's audience: refused
    assert caseworker.post(f"/study/groups/{session.pk}/close/").status_code == 302
    assert caseworker.post(f"/study/groups/{session.pk}/close/").status_code == 302
    credits = HourCredit.objects.filter(source="group")
    assert [(c.supervisee, c.minutes) for c in credits] == [(world.adult, 120)]
    assert credits[0].source_record == GroupAttendance.objects.get(supervisee=world.adult)
    # A closed class takes no more check-ins.
    response = check_in(client_for(world.supervisee_user), qr.issue_token(session.pk))
    assert response.status_code == 409


def test_check_in_through_the_api(world, client_for, clock):
    session = make_session(world)
    client = client_for(world.supervisee_user)
    response = client.post(
        "/api/v1/group-classes/check-in",
        json.dumps({"token": qr.issue_token(session.pk)}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "present"
    assert "jz_checkin_device" in response.cookies
    expired = client.post(
        "/api/v1/group-classes/check-in",
        json.dumps({"token": "1:abc:def"}),
        content_type="application/json",
    )
    assert expired.status_code == 400


def test_sessions_of_another_region_are_invisible(world, client_for, clock):
    session = make_session(world)
    for user in (world.jining_official, world.other_caseworker):
        client = client_for(user)
        assert client.get(f"/study/groups/{session.pk}/").status_code == 404
        assert client.get(f"/study/groups/{session.pk}/code.json").status_code == 404
        assert client.post(f"/study/groups/{session.pk}/close/").status_code == 404


def test_scheduling_refuses_bad_input_and_keeps_it(world, client_for):
    client = client_for(world.caseworker)
    start = timezone.localtime() + datetime.timedelta(days=2)
    response = client.post(
        "/study/groups/new/",
        {
            "title": "心理健康讲座",
            "organiser": world.zhongxin_office.pk,
            "venue": "活动室",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "audience": "adults",
            "capacity": "0",
            "credited_minutes": "60",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "心理健康讲座" in body
    assert "结束" in body
    assert not GroupSession.objects.exists()


def test_orientation_does_not_block_check_in(world, courses, client_for, clock):
    session = make_session(world)
    response = check_in(client_for(world.supervisee_user), qr.issue_token(session.pk))
    assert response.status_code == 200
    complete_orientation(world.adult, courses)


def test_capacity_counts_only_people_present(world, neighbour, client_for, clock):
    session = make_session(world, capacity=1)

    client_for(world.caseworker).post(
        f"/study/groups/{session.pk}/", {"supervisee": neighbour.pk, "status": "absent"}
    )
    token = qr.issue_token(session.pk)
    assert check_in(client_for(world.supervisee_user), token).status_code == 200
    full = check_in(client_for(neighbour.user), token)
    assert full.status_code == 409 and "人数已满" in full.content.decode()
