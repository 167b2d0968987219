"""Volunteer hours: mentors' and social workers' time counts once an official of the region
approves it; totals, the Excel export and the service certificate follow the decisions."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from portal.models import Notification
from tests.volunteers.conftest import active
from volunteers.hours import totals, year_bounds
from volunteers.models import AssistanceLog, MentoringSession

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def entries(world, mentors):
    pairing = active(world, world.adult)
    session = MentoringSession.objects.create(
        pairing=pairing,
        held_on=TODAY,
        minutes=60,
        mode="in_person",
        topic="求职准备",
        logged_by=world.mentor,
    )
    help_given = AssistanceLog.objects.create(
        supervisee=world.adult,
        author=world.mentor,
        kind="employment",
        held_on=TODAY,
        minutes=90,
        summary="陪同参加招聘会",
    )
    social = AssistanceLog.objects.create(
        supervisee=world.minor,
        author=world.social_worker,
        kind="schooling",
        held_on=TODAY,
        minutes=45,
        summary="联系学校复学",
    )
    own_job = AssistanceLog.objects.create(
        supervisee=world.adult,
        author=world.caseworker,
        kind="legal_aid",
        held_on=TODAY,
        minutes=120,
        summary="联系法律援助中心",
        hours_status="none",
    )
    return session, help_given, social, own_job


def decide(client, kind, entry, decision, reason=""):
    return client.post(
        f"/mentoring/hours/{kind}/{entry.pk}/",
        {"decision": decision, "reason": reason},
        follow=True,
    )


def year_totals():
    return {
        t.volunteer.username: (t.approved_minutes, t.pending_minutes, t.entries)
        for t in totals(MentoringSession.objects, AssistanceLog.objects, *year_bounds(TODAY.year))
    }


def test_approval_moves_minutes_from_waiting_to_approved(world, entries, client_for):
    session, help_given, social, _ = entries
    # The caseworker's own work is not volunteer time.
    assert year_totals() == {"mentor": (0, 150, 2), "social_worker": (0, 45, 1)}
    official = client_for(world.official)
    page = official.get("/mentoring/hours/").content.decode()
    assert "3 条记录待审核" in page and "联系法律援助中心" not in page

    decide(official, "session", session, "approve")
    refused = decide(official, "assistance", help_given, "reject")
    assert "请说明不予认定" in refused.content.decode()
    decide(official, "assistance", help_given, "reject", "与帮教记录重复")
    decide(official, "assistance", social, "approve")
    # The refused entry no longer counts among the mentor's entries.
    assert year_totals() == {"mentor": (60, 0, 1), "social_worker": (45, 0, 1)}
    help_given.refresh_from_db()
    assert (help_given.hours_status, help_given.hours_reason) == ("rejected", "与帮教记录重复")
    assert help_given.hours_decided_by == world.official
    note = Notification.objects.get(user=world.mentor)
    assert "与帮教记录重复" in note.text

    # A decision is taken once.
    again = decide(official, "session", session, "reject", "改主意")
    assert "已经审核过" in again.content.decode()
    session.refresh_from_db()
    assert session.hours_status == "approved"


def test_another_region_cannot_see_or_decide(world, entries, client_for):
    session, *_ = entries
    other = client_for(world.jining_official)
    assert "求职准备" not in other.get("/mentoring/hours/").content.decode()
    assert decide(other, "session", session, "approve").status_code == 404
    session.refresh_from_db()
    assert session.hours_status == "pending"
    assert (
        other.get(f"/mentoring/hours/volunteers/{world.mentor.pk}/certificate/").status_code == 404
    )
    for user in (world.caseworker, world.mentor, world.social_worker):
        assert client_for(user).get("/mentoring/hours/").status_code == 403


def test_export_and_certificates(world, entries, client_for):
    session, help_given, *_ = entries
    official = client_for(world.official)
    decide(official, "session", session, "approve")
    decide(official, "assistance", help_given, "approve")

    response = official.get(f"/mentoring/hours/export/?year={TODAY.year}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == ("志愿者", "记录数", "已认定小时数", "待审核小时数")
    assert (world.mentor.get_full_name(), 2, 2.5, 0) in rows
    assert (world.social_worker.get_full_name(), 1, 0, 0.8) in rows

    mine = client_for(world.mentor)
    page = mine.get("/mentoring/my-hours/").content.decode()
    assert "<strong>2.5</strong>" in page and "求职准备" in page and "已认定" in page
    pdf = mine.get(f"/mentoring/my-hours/certificate/?year={TODAY.year}")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert f"ZY{TODAY.year}-{world.mentor.pk:06d}" in pdf["Content-Disposition"]
    assert b"STSong-Light" in pdf.content
    printed = official.get(f"/mentoring/hours/volunteers/{world.mentor.pk}/certificate/")
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    # Nothing approved yet: no certificate, a message instead.
    empty = client_for(world.social_worker).get("/mentoring/my-hours/certificate/", follow=True)
    assert "还没有已认定的时长" in empty.content.decode()
    last_year = datetime.date(TODAY.year - 1, 6, 1)
    assert totals(MentoringSession.objects, AssistanceLog.objects, last_year, last_year) == []


def test_nobody_approves_their_own_hours_or_another_regions(world, entries, client_for):
    from portal.models import CaseloadAssignment, Membership, Role

    session, *_ = entries
    # A Jining official who also does social work for a Zaozhuang person's case.
    Membership.objects.create(
        user=world.jining_official, organisation=world.social_org, role=Role.SOCIAL_WORKER
    )
    CaseloadAssignment.objects.create(
        social_worker=world.jining_official, supervisee=world.adult, assigned_by=world.caseworker
    )
    own = AssistanceLog.objects.create(
        supervisee=world.adult,
        author=world.jining_official,
        kind="housing",
        held_on=TODAY,
        minutes=60,
        summary="联系租房",
    )
    jining = client_for(world.jining_official)
    assert decide(jining, "assistance", own, "approve").status_code == 404
    assert decide(jining, "session", session, "approve").status_code == 404
    # A Zaozhuang official who is also a mentor never sees their own entries to approve.
    Membership.objects.create(user=world.official, organisation=world.volunteers, role=Role.MENTOR)
    own.author = world.official
    own.save()
    official = client_for(world.official)
    assert "联系租房" not in official.get("/mentoring/hours/").content.decode()
    assert decide(official, "assistance", own, "approve").status_code == 404
    own.refresh_from_db()
    assert own.hours_status == "pending"


def test_a_minors_entry_shows_no_free_text_to_an_official_who_sees_the_minor_masked(
    world, entries, client_for
):
    # The minor's schooling help (see `entries`).
    city = client_for(world.official).get("/mentoring/hours/").content.decode()
    assert "李**" in city and "联系学校复学" not in city and "就学" in city
    county = client_for(world.county_official).get("/mentoring/hours/").content.decode()
    assert "李小龙" in county and "联系学校复学" in county


def test_odd_years_fall_back_to_this_year(world, entries, client_for):
    official = client_for(world.official)
    for year in ("²", "1999", "3000", "abc"):
        page = official.get(f"/mentoring/hours/?year={year}")
        assert page.status_code == 200 and f"{TODAY.year} 年度合计" in page.content.decode()
