"""The hour ledger: append-only, idempotent, traceable; requirements by region and level."""

import datetime

import pytest
from django.utils import timezone

from courses import ledger
from courses.actions import set_requirement
from courses.compliance import measure
from courses.models import HourCredit, HourRequirement
from courses.models.ledger import AppendOnlyError

pytestmark = pytest.mark.django_db

MAY, JUNE = datetime.date(2026, 5, 12), datetime.date(2026, 6, 3)

# Any saved record serves as the source of the credits below; the tests are about arithmetic.


def test_credits_sum_per_month_and_per_kind(world):
    p = world.adult
    ledger.credit(p, source="video", minutes=30, day=MAY, record=world.caseworker, key="a")
    ledger.credit(p, source="group", minutes=120, day=MAY, record=world.caseworker, key="b")
    ledger.credit(p, source="service", minutes=240, day=MAY, record=world.caseworker, key="c")
    ledger.credit(p, source="live", minutes=45, day=JUNE, record=world.caseworker, key="d")
    ledger.credit(
        world.minor, source="video", minutes=10, day=MAY, record=world.caseworker, key="e"
    )
    may = ledger.monthly_totals([p.pk, world.minor.pk], MAY)
    assert (may[p.pk].study, may[p.pk].service) == (150, 240)
    assert may[world.minor.pk].study == 10
    june = ledger.monthly_totals([p.pk], JUNE)
    assert (june[p.pk].study, june[p.pk].service) == (45, 0)
    assert [(m["month"], m["study"], m["service"]) for m in ledger.history(p)] == [
        (datetime.date(2026, 6, 1), 45, 0),
        (datetime.date(2026, 5, 1), 150, 240),
    ]


def test_the_same_key_never_credits_twice(world):
    first = ledger.credit(
        world.adult, source="video", minutes=30, day=MAY, record=world.caseworker, key="lesson:1"
    )
    again = ledger.credit(
        world.adult, source="video", minutes=30, day=MAY, record=world.caseworker, key="lesson:1"
    )
    assert first.pk == again.pk
    assert HourCredit.objects.count() == 1


def test_entries_are_never_edited_and_corrections_reverse(world):
    entry = ledger.credit(
        world.adult, source="group", minutes=120, day=MAY, record=world.caseworker, key="g:1"
    )
    with pytest.raises(AppendOnlyError):
        entry.minutes = 60
        entry.save()
    with pytest.raises(AppendOnlyError):
        HourCredit.objects.filter(pk=entry.pk).update(minutes=60)
    with pytest.raises(AppendOnlyError):
        HourCredit.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    reversal = ledger.reverse(entry, by=world.caseworker, reason="未实际到场")
    assert ledger.reverse(entry, by=world.caseworker, reason="again").pk == reversal.pk
    assert reversal.minutes == -120 and reversal.reverses == entry
    assert ledger.monthly_totals([world.adult.pk], MAY)[world.adult.pk].study == 0
    assert HourCredit.objects.get(pk=entry.pk).minutes == 120
    with pytest.raises(ValueError):
        ledger.reverse(reversal, by=world.caseworker, reason="no")


def test_national_defaults_are_the_demo_values(world):
    table = ledger.RequirementTable()
    hours = {
        level: (r.study_minutes // 60, r.service_minutes // 60)
        for level in ("strict", "standard", "lenient")
        if (r := table.for_region(None, level))
    }
    assert hours == {"strict": (12, 12), "standard": (8, 8), "lenient": (6, 6)}


def test_the_most_specific_region_wins(world):
    set_requirement(world.official, world.shandong, "standard", 600, 600)
    set_requirement(world.official, world.shizhong, "standard", 300, 240)
    table = ledger.RequirementTable()
    # The adult's office is in 市中区: the county value applies.
    row = table.for_supervisee(world.adult)
    assert (row.study_minutes, row.service_minutes) == (300, 240)
    # 济宁 has no own value: the province's.
    assert table.for_supervisee(world.jining_person).study_minutes == 600
    # Another level falls back to the national default.
    world.adult.supervision_level = "strict"
    assert table.for_supervisee(world.adult).study_minutes == 12 * 60
    assert table.for_region(world.kuangqu, "standard").study_minutes == 300
    assert ledger.requirement_for(world.kuangqu_person).region == world.shizhong


def test_requirements_are_edited_by_officials_for_their_region_only(world, client_for):
    client = client_for(world.official)
    response = client.post(
        "/study/requirements/",
        {
            "region": world.zaozhuang.pk,
            "level": "strict",
            "study_hours": "10.5",
            "service_hours": "10",
        },
    )
    assert response.status_code == 302
    row = HourRequirement.objects.get(region=world.zaozhuang, level="strict")
    assert (row.study_minutes, row.service_minutes) == (630, 600)
    response = client.post(
        "/study/requirements/",
        {"region": world.jining.pk, "level": "strict", "study_hours": "1", "service_hours": "1"},
    )
    assert response.status_code == 400
    assert not HourRequirement.objects.filter(region=world.jining).exists()
    bad = client.post(
        "/study/requirements/",
        {
            "region": world.zaozhuang.pk,
            "level": "strict",
            "study_hours": "-1",
            "service_hours": "x",
        },
    )
    assert bad.status_code == 400
    assert "10.5" in client.get("/study/requirements/").content.decode()


def test_projection_and_shortfall():
    day = datetime.date(2026, 4, 10)  # a third of a 30-day month
    m = measure(done=120, required=480, today=day)
    assert (m.projected, m.projected_shortfall, m.missing, m.percent) == (360, 120, 360, 25)
    assert measure(done=600, required=480, today=day).projected_shortfall == 0
    assert measure(done=0, required=0, today=day).percent == 100


def test_caseworkers_record_service_and_correct_credits(world, client_for):
    client = client_for(world.caseworker)
    today = timezone.localdate()
    url = f"/study/compliance/{world.adult.pk}/service/"
    bad = client.post(url, {"day": today.isoformat(), "hours": "0", "activity": "社区清扫"})
    assert bad.status_code == 400 and "社区清扫" in bad.content.decode()
    future = today + datetime.timedelta(days=3)
    assert client.post(url, {"day": future, "hours": "2", "activity": "x"}).status_code == 400
    assert (
        client.post(url, {"day": today, "hours": "2.5", "activity": "社区清扫"}).status_code == 302
    )
    entry = HourCredit.objects.get(supervisee=world.adult)
    assert (entry.source, entry.minutes, entry.note) == ("service", 150, "社区清扫")
    assert entry.source_record.activity == "社区清扫"
    client.post(f"/study/credits/{entry.pk}/reverse/", {"reason": "重复登记"})
    client.post(f"/study/credits/{entry.pk}/reverse/", {"reason": "again"})
    assert ledger.monthly_totals([world.adult.pk], today)[world.adult.pk].service == 0
    assert HourCredit.objects.filter(supervisee=world.adult).count() == 2
    # Only the person's own caseworkers record and correct; others get 404 or 403.
    assert client_for(world.other_caseworker).post(url, {}).status_code == 404
    assert client_for(world.official).post(url, {}).status_code == 403
    reverse_url = f"/study/credits/{entry.pk}/reverse/"
    assert client_for(world.other_caseworker).post(reverse_url, {"reason": "x"}).status_code == 404
