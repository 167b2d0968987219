"""The closed loop of a referral, through the pages and the API, every step and the illegal ones."""

import datetime
import json

import pytest
from django.utils import timezone

from courses.models import HourCredit
from portal.models import Notification
from resources.actions import add_working_days
from resources.models import Opening, Referral, ServiceLog, Status

pytestmark = pytest.mark.django_db


def refer(client, supervisee, opening):
    response = client.post(f"/directory/match/{supervisee.pk}/refer/{opening.pk}/")
    assert response.status_code == 302, response.content
    return Referral.objects.get(supervisee=supervisee, opening=opening, status=Status.SENT)


def step(client, referral, name, reason=""):
    return client.post(
        f"/api/v1/referrals/{referral.pk}/steps",
        json.dumps({"step": name, "reason": reason}),
        content_type="application/json",
    )


@pytest.fixture
def parties(world, directory, client_for):
    return {
        "caseworker": client_for(world.caseworker),
        "operator": client_for(world.operator),
        "person": client_for(world.supervisee_user),
        "social_worker": client_for(world.social_worker),
    }


def test_the_whole_loop_from_referral_to_completion(world, directory, parties):
    before = timezone.now()
    referral = refer(parties["caseworker"], world.adult, directory.job)
    assert referral.created_by == world.caseworker
    assert referral.respond_by >= add_working_days(before, 2) - datetime.timedelta(seconds=5)

    # Opening the referral is receiving it.
    page = parties["operator"].get(f"/directory/referrals/{referral.pk}/")
    assert '<strong id="referral-status">已签收</strong>' in page.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED

    assert step(parties["operator"], referral, "accept").json()["status"] == "accepted"
    directory.job.refresh_from_db()
    assert directory.job.slots_available == 2
    assert step(parties["operator"], referral, "start").json()["status"] == "started"
    done = step(parties["operator"], referral, "complete", "试用期满，签订劳动合同。").json()
    assert done["status"] == "completed"
    assert done["outcome"] == "试用期满，签订劳动合同。"

    events = list(referral.events.values_list("from_status", "to_status", "by__username"))
    assert events == [
        ("", "sent", "caseworker"),
        ("sent", "received", "operator"),
        ("received", "accepted", "operator"),
        ("accepted", "started", "operator"),
        ("started", "completed", "operator"),
    ]
    assert all(e.at for e in referral.events.all())
    # A completed placement keeps its place; the person and the referrer were told.
    directory.job.refresh_from_db()
    assert directory.job.slots_available == 2
    assert Notification.objects.filter(user=world.supervisee_user).count() >= 3
    assert Notification.objects.filter(user=world.operator, key__endswith=":sent").exists()
    assert Notification.objects.filter(user=world.caseworker, key__endswith=":accepted").exists()


def test_declining_needs_a_reason_and_takes_no_place(world, directory, parties):
    referral = refer(parties["caseworker"], world.adult, directory.job)
    refused = step(parties["operator"], referral, "decline")
    assert refused.status_code == 409
    assert "理由" in refused.json()["detail"]
    declined = step(parties["operator"], referral, "decline", "本月岗位已招满。")
    assert declined.json()["status"] == "declined"
    assert declined.json()["reason"] == "本月岗位已招满。"
    directory.job.refresh_from_db()
    assert directory.job.slots_available == 3


@pytest.mark.parametrize(
    ("closing", "who", "reason"),
    [
        ("end", "operator", "连续三天未到岗。"),
        ("end", "caseworker", "已迁居外地。"),
        ("withdraw", "caseworker", "本人放弃。"),
    ],
)
def test_ending_early_or_withdrawing_gives_the_place_back(
    world, directory, parties, closing, who, reason
):
    referral = refer(parties["caseworker"], world.adult, directory.job)
    step(parties["operator"], referral, "accept")
    directory.job.refresh_from_db()
    assert directory.job.slots_available == 2
    assert step(parties[who], referral, closing, reason).status_code == 200
    directory.job.refresh_from_db()
    assert directory.job.slots_available == 3
    # A second attempt is refused and gives back nothing more.
    again = step(parties[who], referral, closing, reason)
    assert again.status_code == 409
    directory.job.refresh_from_db()
    assert directory.job.slots_available == 3


ILLEGAL = [
    # (steps to get there, who tries, step, words in the answer)
    ([], "operator", "start", "已转介"),
    ([], "operator", "complete", "已转介"),
    ([], "caseworker", "approve", "已转介"),
    ([], "caseworker", "accept", "不能"),
    ([("operator", "accept")], "operator", "accept", "已受理"),
    ([("operator", "accept")], "operator", "decline", "已受理"),
    ([("operator", "accept")], "operator", "withdraw", "不能"),
    ([("operator", "accept"), ("operator", "start")], "caseworker", "withdraw", "已到岗"),
    ([("operator", "decline")], "operator", "accept", "不予受理"),
    ([("caseworker", "withdraw")], "operator", "accept", "已撤回"),
    ([], "person", "withdraw", "不能"),
    ([], "operator", "fly", "未知"),
]


@pytest.mark.parametrize(("path", "who", "name", "words"), ILLEGAL)
def test_illegal_steps_are_refused_with_a_clear_message(
    world, directory, parties, path, who, name, words
):
    referral = refer(parties["caseworker"], world.adult, directory.job)
    for actor, earlier in path:
        assert step(parties[actor], referral, earlier, "理由").status_code == 200
    referral.refresh_from_db()
    status_before, events_before = referral.status, referral.events.count()
    answer = step(parties[who], referral, name, "理由")
    assert answer.status_code == 409
    assert words in answer.json()["detail"]
    referral.refresh_from_db()
    assert (referral.status, referral.events.count()) == (status_before, events_before)


def test_illegal_step_on_the_page_shows_the_message(world, directory, parties):
    referral = refer(parties["caseworker"], world.adult, directory.job)
    response = parties["operator"].post(
        f"/directory/referrals/{referral.pk}/step/", {"step": "complete"}, follow=True
    )
    assert "不能" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED  # opening the page after the redirect received it


def test_a_supervisee_request_waits_for_the_caseworker(world, directory, parties):
    response = parties["person"].post(
        f"/directory/openings/{directory.service.pk}/request/", {"note": "周末有空。"}
    )
    assert response.status_code == 302
    referral = Referral.objects.get(supervisee=world.adult, opening=directory.service)
    assert referral.status == Status.REQUESTED and referral.requested_by_supervisee
    # The base does not see a request before the caseworker approves it.
    assert parties["operator"].get(f"/directory/referrals/{referral.pk}/").status_code == 404
    assert Notification.objects.filter(user=world.caseworker, key__endswith=":requested").exists()
    # A second request for the same opening is refused while the first is open.
    again = parties["person"].post(
        f"/directory/openings/{directory.service.pk}/request/", {}, follow=True
    )
    assert "已有" in again.content.decode()

    assert step(parties["caseworker"], referral, "approve").json()["status"] == "sent"
    referral.refresh_from_db()
    assert referral.sent_at and referral.respond_by
    assert parties["operator"].get(f"/directory/referrals/{referral.pk}/").status_code == 200
    # Once sent, only the caseworker can take it back.
    assert step(parties["person"], referral, "withdraw", "不想去了").status_code == 409


def test_caseworker_returns_a_request_and_the_person_may_withdraw_one(world, directory, parties):
    parties["person"].post(f"/directory/openings/{directory.service.pk}/request/", {})
    referral = Referral.objects.get(supervisee=world.adult)
    assert step(parties["caseworker"], referral, "return").status_code == 409
    assert (
        step(parties["caseworker"], referral, "return", "先完成入矫教育。").json()["status"]
        == "returned"
    )
    assert Notification.objects.filter(user=world.supervisee_user, key__endswith=":returned")

    parties["person"].post(f"/directory/openings/{directory.service.pk}/request/", {})
    second = Referral.objects.get(supervisee=world.adult, status=Status.REQUESTED)
    assert step(parties["person"], second, "withdraw", "时间冲突").json()["status"] == "withdrawn"


def test_social_worker_refers_someone_on_the_caseload_only(world, directory, parties):
    referral = refer(parties["social_worker"], world.adult, directory.service)
    assert referral.created_by == world.social_worker
    outside = parties["social_worker"].post(
        f"/directory/match/{world.kuangqu_person.pk}/refer/{directory.service.pk}/"
    )
    assert outside.status_code == 404


def test_a_full_opening_cannot_be_referred_to(world, directory, parties):
    Opening.objects.filter(pk=directory.job.pk).update(slots_available=0)
    response = parties["caseworker"].post(
        f"/directory/match/{world.adult.pk}/refer/{directory.job.pk}/", follow=True
    )
    assert "已满" in response.content.decode()
    assert not Referral.objects.exists()


def test_working_days_skip_the_weekend():
    friday = timezone.make_aware(datetime.datetime(2026, 11, 27, 16, 0))
    assert add_working_days(friday, 2).date() == datetime.date(2026, 12, 1)
    monday = timezone.make_aware(datetime.datetime(2026, 11, 23, 9, 0))
    assert add_working_days(monday, 2).date() == datetime.date(2026, 11, 25)


def test_overdue_referrals_are_listed_and_announced_once(world, directory, parties):
    from resources.actions import send_overdue_notices

    referral = refer(parties["caseworker"], world.adult, directory.job)
    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.now() - datetime.timedelta(hours=1)
    )
    listing = parties["caseworker"].get("/directory/referrals/?status=overdue")
    assert f"/directory/referrals/{referral.pk}/" in listing.content.decode()
    assert send_overdue_notices() == 2  # the base's operator and the referrer
    assert send_overdue_notices() == 0
    step(parties["operator"], referral, "accept")
    assert not Referral.objects.overdue().exists()


def service_referral(world, directory, parties) -> Referral:
    referral = refer(parties["caseworker"], world.adult, directory.service)
    step(parties["operator"], referral, "accept")
    step(parties["operator"], referral, "start")
    return referral


def test_service_hours_go_to_the_ledger_once_the_caseworker_approves(world, directory, parties):
    referral = service_referral(world, directory, parties)
    today = timezone.localdate()
    logged = parties["operator"].post(
        f"/directory/referrals/{referral.pk}/hours/",
        {"day": today.isoformat(), "minutes": 240, "note": "清扫街道"},
    )
    assert logged.status_code == 302
    log = ServiceLog.objects.get(referral=referral)
    assert log.status == ServiceLog.Status.PENDING
    assert not HourCredit.objects.filter(supervisee=world.adult).exists()

    decide = f"/directory/hours/{log.pk}/decide/"
    assert parties["operator"].post(decide, {"decision": "approve"}).status_code == 403
    parties["caseworker"].post(decide, {"decision": "approve"})
    parties["caseworker"].post(decide, {"decision": "approve"})
    credit = HourCredit.objects.get(supervisee=world.adult)
    assert (credit.source, credit.minutes, credit.month) == ("service", 240, today.replace(day=1))
    assert credit.source_record == log


def test_rejecting_hours_needs_a_reason_and_credits_nothing(world, directory, parties):
    referral = service_referral(world, directory, parties)
    log = ServiceLog.objects.create(
        referral=referral, day=timezone.localdate(), minutes=60, note="x", logged_by=world.operator
    )
    page = parties["caseworker"].post(
        f"/directory/hours/{log.pk}/decide/", {"decision": "reject"}, follow=True
    )
    assert "理由" in page.content.decode()
    parties["caseworker"].post(
        f"/directory/hours/{log.pk}/decide/", {"decision": "reject", "note": "当天未到岗"}
    )
    log.refresh_from_db()
    assert log.status == ServiceLog.Status.REJECTED
    assert not HourCredit.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"day": "2099-01-01", "minutes": 60, "note": "清扫"}, "day", "未来"),
        ({"day": "today", "minutes": -5, "note": "清扫"}, "minutes", "1"),
        ({"day": "today", "minutes": 900, "note": "清扫"}, "minutes", "720"),
        ({"day": "2000-01-01", "minutes": 60, "note": "清扫"}, "day", "开始"),
    ],
)
def test_bad_hours_are_refused_and_the_entries_kept(
    world, directory, parties, values, field, words
):
    referral = service_referral(world, directory, parties)
    if values["day"] == "today":
        values = {**values, "day": timezone.localdate().isoformat()}
    response = parties["operator"].post(f"/directory/referrals/{referral.pk}/hours/", values)
    assert response.status_code == 200
    html = response.content.decode()
    assert words in html
    assert 'value="清扫"' in html  # what was typed is still there
    assert not ServiceLog.objects.exists()


def test_hours_only_for_service_places_that_started(world, directory, parties):
    referral = refer(parties["caseworker"], world.adult, directory.job)
    step(parties["operator"], referral, "accept")
    step(parties["operator"], referral, "start")
    response = parties["operator"].post(
        f"/directory/referrals/{referral.pk}/hours/",
        {"day": timezone.localdate().isoformat(), "minutes": 60, "note": "清扫"},
    )
    assert "公益" in response.content.decode()
    assert not ServiceLog.objects.exists()


def test_a_request_withdrawn_before_approval_never_reaches_the_base(world, directory, parties):
    parties["person"].post(f"/directory/openings/{directory.service.pk}/request/", {})
    referral = Referral.objects.get(supervisee=world.adult)
    assert step(parties["person"], referral, "withdraw", "时间冲突").status_code == 200
    assert parties["operator"].get(f"/directory/referrals/{referral.pk}/").status_code == 404
    assert parties["operator"].get("/api/v1/referrals").json() == []
    assert not Notification.objects.filter(user=world.operator).exists()


def test_approval_checks_the_opening_again(world, directory, parties):
    parties["person"].post(f"/directory/openings/{directory.service.pk}/request/", {})
    referral = Referral.objects.get(supervisee=world.adult)
    Opening.objects.filter(pk=directory.service.pk).update(status=Opening.Status.PAUSED)
    refused = step(parties["caseworker"], referral, "approve")
    assert refused.status_code == 409 and "不接收" in refused.json()["detail"]
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED


def test_nobody_is_told_of_their_own_step(world, directory, parties):
    referral = refer(parties["caseworker"], world.adult, directory.job)
    step(parties["caseworker"], referral, "withdraw", "本人放弃。")
    assert not Notification.objects.filter(user=world.caseworker).exists()
    assert Notification.objects.filter(user=world.operator, key__endswith=":withdrawn").exists()


def test_overdue_requests_are_announced_to_the_caseworkers_not_the_person(
    world, directory, parties
):
    from resources.actions import send_overdue_notices

    parties["person"].post(f"/directory/openings/{directory.service.pk}/request/", {})
    referral = Referral.objects.get(supervisee=world.adult)
    step(parties["caseworker"], referral, "approve")
    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.now() - datetime.timedelta(hours=1)
    )
    send_overdue_notices()
    told = set(
        Notification.objects.filter(key__endswith=":overdue").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"operator", "caseworker"}
