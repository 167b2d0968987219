"""Caseworker opportunities: rules as data, appearing and disappearing with the records."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from courses import ledger
from courses.calendar import add_months, month_start
from insights.models import OpportunityDecision, OpportunityRule
from portal.models import SupervisionLevelChange
from resources.models import Referral
from tests.conftest import make_supervisee
from tests.resources.conftest import Directory

pytestmark = pytest.mark.django_db

URL = "/insights/opportunities/"
LENIENT_RULE = "普管满六个月且每月达标、无违规：可考虑调整为宽管"


def months_back(n: int) -> datetime.date:
    return add_months(month_start(timezone.localdate()), -n)


def credit_month(person, month: datetime.date, study: int = 480, service: int = 480):
    for source, minutes in (("video", study), ("service", service)):
        if minutes:
            ledger.credit(
                person,
                source=source,
                minutes=minutes,
                day=month,
                key=f"test:{person.pk}:{month}:{source}",
                record=person,
            )


def veteran(world, months_at_level: int = 8, **extra):
    """A standard-level person at 中心街 who has been at that level for `months_at_level`."""
    start = months_back(months_at_level)
    person = make_supervisee(
        world.zhongxin_office,
        world.zhongxin,
        name="钱进",
        supervision_start=start,
        planned_end=start + datetime.timedelta(days=1095),
        **extra,
    )
    return person


def keys(client) -> dict[str, str]:
    """Opportunity keys on the page, by rule name."""
    response = client.get(URL)
    assert response.status_code == 200
    found = {}
    for o in response.context["opportunities"]:
        found.setdefault(o.rule.name, []).append(o)
    return found


def test_lighter_level_appears_with_six_compliant_months_and_goes_with_a_violation(
    world, client_for
):
    person = veteran(world)
    for n in range(1, 6):
        credit_month(person, months_back(n))
    client = client_for(world.caseworker)
    assert LENIENT_RULE not in keys(client)  # five months are not six

    credit_month(person, months_back(6), study=300)  # a short month
    assert LENIENT_RULE not in keys(client)
    credit_month(person, months_back(6), study=0, service=0)  # no-op (same keys)
    ledger.credit(
        person, source="video", minutes=180, day=months_back(6), key="makeup", record=person
    )
    found = keys(client)
    assert [o.supervisee for o in found[LENIENT_RULE]] == [person]
    page = client.get(URL).content.decode()
    assert "钱进" in page and "Propose a level change" not in page  # Chinese UI

    response = client.post(
        f"/supervisees/{person.pk}/violations/new/",
        {
            "occurred_on": months_back(2).isoformat(),
            "measure": "warning",
            "description": "未请假外出",
        },
    )
    assert response.status_code == 302
    assert LENIENT_RULE not in keys(client)


def test_acting_opens_a_prefilled_level_change_and_both_are_logged(world, client_for):
    person = veteran(world)
    for n in range(1, 7):
        credit_month(person, months_back(n))
    client = client_for(world.caseworker)
    (opportunity,) = keys(client)[LENIENT_RULE]
    response = client.post(f"/insights/opportunities/{opportunity.key}/act/")
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == f"/supervisees/{person.pk}/level/"
    assert parse_qs(target.query)["level"] == ["lenient"]
    form = client.get(response.url).context["form"]
    assert form["level"].value() == "lenient"
    assert LENIENT_RULE in form["reason"].value()
    decision = OpportunityDecision.objects.get()
    assert (decision.action, decision.decided_by, decision.supervisee) == (
        "acted",
        world.caseworker,
        person,
    )
    # Still listed (marked as opened) until the level actually changes.
    assert keys(client)[LENIENT_RULE][0].acted_on is not None
    client.post(response.url, {"level": "lenient", "reason": form["reason"].value()})
    assert SupervisionLevelChange.objects.filter(supervisee=person, to_level="lenient").exists()
    assert LENIENT_RULE not in keys(client)


def test_dismissal_needs_a_reason_and_lasts_while_the_facts_stay(world, client_for):
    person = make_supervisee(
        world.zhongxin_office,
        world.zhongxin,
        name="周末",
        planned_end=timezone.localdate() + datetime.timedelta(days=10),
    )
    rule = OpportunityRule.objects.get(kind="near_release")
    client = client_for(world.caseworker)
    (opportunity,) = keys(client)[rule.name]
    prefix = "o-" + opportunity.key.replace(":", "-")

    response = client.post(f"/insights/opportunities/{opportunity.key}/dismiss/")
    assert response.status_code == 400
    assert "必需字段" in response.content.decode()
    response = client.post(
        f"/insights/opportunities/{opportunity.key}/dismiss/",
        {f"{prefix}-reason": "other", f"{prefix}-note": ""},
    )
    assert response.status_code == 400
    assert not OpportunityDecision.objects.exists()

    response = client.post(
        f"/insights/opportunities/{opportunity.key}/dismiss/",
        {f"{prefix}-reason": "handled", f"{prefix}-note": "已谈话"},
    )
    assert response.status_code == 302
    decision = OpportunityDecision.objects.get()
    assert (decision.action, decision.reason, decision.note) == ("dismissed", "handled", "已谈话")
    assert rule.name not in keys(client)

    person.planned_end += datetime.timedelta(days=5)  # new facts: a new opportunity
    person.save()
    assert [o.supervisee for o in keys(client)[rule.name]] == [person]


def test_chronic_shortfall_comes_and_goes_with_the_hours(world, client_for):
    person = veteran(world, months_at_level=4)
    rule = OpportunityRule.objects.get(kind="shortfall")
    client = client_for(world.caseworker)
    assert [o.supervisee for o in keys(client)[rule.name]] == [person]
    credit_month(person, months_back(1))
    assert rule.name not in keys(client)


def test_overdue_referral_until_the_base_answers(world, client_for):
    directory = Directory(world)
    referral = Referral.objects.create(
        supervisee=world.adult,
        opening=directory.job,
        status="sent",
        created_by=world.caseworker,
        sent_at=timezone.now() - datetime.timedelta(days=10),
        respond_by=timezone.now() - datetime.timedelta(days=3),
    )
    rule = OpportunityRule.objects.get(kind="overdue_referral")
    client = client_for(world.caseworker)
    (opportunity,) = keys(client)[rule.name]
    assert opportunity.action_url == f"/directory/referrals/{referral.pk}/"
    referral.status = "accepted"
    referral.save()
    assert rule.name not in keys(client)


def test_rules_are_data_and_the_most_specific_region_wins(world, client_for):
    person = veteran(world, months_at_level=4)
    for n in range(1, 4):
        credit_month(person, months_back(n))
    client = client_for(world.caseworker)
    assert LENIENT_RULE not in keys(client)
    OpportunityRule.objects.create(
        name="枣庄：普管满三个月",
        kind="lighter_level",
        region=world.zaozhuang,
        from_level="standard",
        to_level="lenient",
        months=3,
    )
    found = keys(client)
    assert [o.supervisee for o in found["枣庄：普管满三个月"]] == [person]
    assert LENIENT_RULE not in found
    OpportunityRule.objects.filter(kind="lighter_level").update(enabled=False)
    assert "枣庄：普管满三个月" not in keys(client)


def test_scope_other_offices_and_roles(world, client_for):
    person = veteran(world, months_at_level=4)
    rule = OpportunityRule.objects.get(kind="shortfall")
    (opportunity,) = keys(client_for(world.caseworker))[rule.name]
    other = client_for(world.other_caseworker)
    assert rule.name not in keys(other)
    for action in ("act", "dismiss"):
        response = other.post(f"/insights/opportunities/{opportunity.key}/{action}/")
        assert response.status_code == 404
    assert client_for(world.official).get(URL).status_code == 403
    assert not OpportunityDecision.objects.exists()
    assert person.pk  # the person is untouched by the refused requests


def test_a_minor_is_never_proposed_with_a_name_to_others(world, client_for):
    """The caseworker of the minor sees the name; the list itself is the caseworker's only."""
    world.minor.supervision_start = months_back(4)
    world.minor.save()
    rule = OpportunityRule.objects.get(kind="shortfall")
    found = keys(client_for(world.caseworker))[rule.name]
    assert {o.supervisee for o in found} == {world.minor}
