"""Caseworker opportunities: people the rules in `OpportunityRule` pick out for a decision.

Every opportunity is computed afresh from the records, so it appears when the facts make it
true and disappears when they stop being true (a level changed, hours made up, a referral
answered). A dismissal holds only while the facts it dismissed stay the same (`key`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.calendar import add_months, month_start
from courses.ledger import RequirementTable, Totals, totals_by_month
from portal.models import Supervisee, SupervisionLevelChange, Violation
from portal.privacy import PersonView, person_view
from resources.models import Referral

from .models import OpportunityDecision, OpportunityRule

Kind = OpportunityRule.Kind


@dataclass
class Opportunity:
    rule: OpportunityRule
    supervisee: Supervisee
    person: PersonView | None  # how the viewer may see the person; set once found open
    key: str
    facts: list[str]
    action_url: str
    action_label: str
    acted_on: datetime.datetime | None = None

    @property
    def kind_label(self) -> str:
        return self.rule.get_kind_display()


@dataclass
class _Records:
    """What the rules read, loaded once for the whole scope."""

    today: datetime.date
    level_since: dict[int, datetime.date] = field(default_factory=dict)
    months: dict[tuple[int, datetime.date], Totals] = field(default_factory=dict)
    violations: dict[int, list[datetime.date]] = field(default_factory=dict)
    overdue: dict[int, list[Referral]] = field(default_factory=lambda: defaultdict(list))
    requirements: RequirementTable = field(default_factory=RequirementTable)

    def complete_months(self, count: int) -> list[datetime.date]:
        """The first days of the last `count` complete months, oldest first."""
        this_month = month_start(self.today)
        return [add_months(this_month, -n) for n in range(count, 0, -1)]

    def met(self, supervisee: Supervisee, month: datetime.date) -> bool:
        requirement = self.requirements.for_supervisee(supervisee)
        if requirement is None:
            return True
        done = self.months.get((supervisee.pk, month), Totals())
        return (
            done.study >= requirement.study_minutes and done.service >= requirement.service_minutes
        )


def find(viewer, today: datetime.date | None = None) -> list[Opportunity]:
    """The open opportunities for the active people in `viewer`'s scope, most urgent kind first."""
    today = today or timezone.localdate()
    supervisees = list(
        Supervisee.objects.in_scope_of(viewer)
        .active()
        .select_related("judicial_office__region", "judicial_office__parent", "home_township")
    )
    rules = list(OpportunityRule.objects.filter(enabled=True).select_related("region"))
    if not supervisees or not rules:
        return []
    records = _load(supervisees, rules, today)
    found: list[Opportunity] = []
    for supervisee in supervisees:
        for rule in _rules_for(supervisee, rules):
            found.extend(EVALUATORS[rule.kind](rule, supervisee, records))
    decisions = _latest_decisions([o.key for o in found])
    open_ones = []
    for opportunity in found:
        decision = decisions.get(opportunity.key)
        if decision and decision.action == OpportunityDecision.Action.DISMISSED:
            continue
        if decision:
            opportunity.acted_on = decision.decided_at
        opportunity.person = person_view(viewer, opportunity.supervisee, in_scope=True)
        open_ones.append(opportunity)
    order = list(Kind.values)
    open_ones.sort(key=lambda o: (order.index(o.rule.kind), o.person.name, o.key))
    return open_ones


def find_one(viewer, key: str) -> Opportunity | None:
    return next((o for o in find(viewer) if o.key == key), None)


def _rules_for(supervisee: Supervisee, rules: list[OpportunityRule]) -> list[OpportunityRule]:
    """The rules that apply to the person: per kind (and starting level), the most specific
    region's rule wins over a wider one, and a national rule applies where none is set."""
    path = supervisee.judicial_office.region.path
    chosen: dict[tuple[str, str], OpportunityRule] = {}
    for rule in rules:
        if rule.region_id and not path.startswith(rule.region.path):
            continue
        slot = (rule.kind, rule.from_level)
        if slot not in chosen or _depth(rule) > _depth(chosen[slot]):
            chosen[slot] = rule
    return list(chosen.values())


def _depth(rule: OpportunityRule) -> int:
    return len(rule.region.path) if rule.region_id else 0


def _load(supervisees, rules, today) -> _Records:
    records = _Records(today=today)
    ids = [s.pk for s in supervisees]
    longest = max((r.months for r in rules), default=0)
    if longest:
        window = records.complete_months(longest)
        records.months = totals_by_month(ids, window[0], window[-1])
        since = window[0]
        for pk, day in Violation.objects.filter(
            supervisee_id__in=ids, occurred_on__gte=since
        ).values_list("supervisee_id", "occurred_on"):
            records.violations.setdefault(pk, []).append(day)
    if any(r.kind == Kind.OVERDUE_REFERRAL for r in rules):
        for referral in (
            Referral.objects.filter(supervisee_id__in=ids)
            .overdue()
            .select_related("opening__base")
            .order_by("respond_by")
        ):
            records.overdue[referral.supervisee_id].append(referral)
    changed = dict(
        SupervisionLevelChange.objects.filter(supervisee_id__in=ids)
        .values_list("supervisee_id")
        .annotate(last=Max("changed_at"))
        .order_by()
    )
    for supervisee in supervisees:
        last = changed.get(supervisee.pk)
        records.level_since[supervisee.pk] = (
            timezone.localdate(last) if last else supervisee.supervision_start
        )
    return records


def _latest_decisions(keys: list[str]) -> dict[str, OpportunityDecision]:
    latest: dict[str, OpportunityDecision] = {}
    for decision in OpportunityDecision.objects.filter(key__in=keys).order_by("decided_at", "pk"):
        latest[decision.key] = decision
    return latest


def _opportunity(rule, supervisee, basis, facts, url, label) -> Opportunity:
    return Opportunity(
        rule=rule,
        supervisee=supervisee,
        person=None,
        key=f"{rule.pk}:{supervisee.pk}:{basis}",
        facts=facts,
        action_url=url,
        action_label=label,
    )


def lighter_level(rule, supervisee, records: _Records) -> list[Opportunity]:
    if supervisee.supervision_level != rule.from_level:
        return []
    window = records.complete_months(rule.months)
    since = records.level_since[supervisee.pk]
    if since > window[0]:
        return []
    if not all(records.met(supervisee, month) for month in window):
        return []
    if rule.require_no_violations and any(
        day >= window[0] for day in records.violations.get(supervisee.pk, [])
    ):
        return []
    facts = [
        _("At level %(level)s since %(day)s.")
        % {"level": supervisee.get_supervision_level_display(), "day": since.isoformat()},
        _("Study and service hours met in each of the last %(n)d months.") % {"n": rule.months},
    ]
    if rule.require_no_violations:
        facts.append(_("No violation recorded in that time."))
    reason = _("Proposed on the rule “%(rule)s”: %(facts)s") % {
        "rule": rule.name,
        "facts": " ".join(facts),
    }
    query = urlencode({"level": rule.to_level, "reason": reason})
    url = f"{reverse('supervisee_level', args=[supervisee.pk])}?{query}"
    return [
        _opportunity(rule, supervisee, since.isoformat(), facts, url, _("Propose a level change"))
    ]


def near_release(rule, supervisee, records: _Records) -> list[Opportunity]:
    """Supervision ends within `days`, or has ended on paper without the release recorded."""
    end = supervisee.planned_end
    left = (end - records.today).days
    if left > rule.days:
        return []
    if left >= 0:
        fact = _("Supervision ends on %(day)s, in %(n)d days.") % {"day": end, "n": left}
    else:
        fact = _("Supervision was due to end on %(day)s; the release is not recorded yet.") % {
            "day": end
        }
    url = reverse("supervisee_detail", args=[supervisee.pk])
    return [_opportunity(rule, supervisee, end.isoformat(), [fact], url, _("Prepare the release"))]


def chronic_shortfall(rule, supervisee, records: _Records) -> list[Opportunity]:
    window = records.complete_months(rule.months)
    if supervisee.supervision_start > window[0]:
        return []  # not under supervision for the whole of those months
    if any(records.met(supervisee, month) for month in window):
        return []
    facts = [
        _("Short of the required hours in each of the last %(n)d months (%(months)s).")
        % {"n": rule.months, "months": "、".join(f"{m:%Y-%m}" for m in window)}
    ]
    url = reverse("courses:compliance_detail", args=[supervisee.pk])
    return [_opportunity(rule, supervisee, f"{window[-1]:%Y-%m}", facts, url, _("See the hours"))]


def overdue_referrals(rule, supervisee, records: _Records) -> list[Opportunity]:
    late_before = timezone.now() - datetime.timedelta(days=rule.days)
    found = []
    for referral in records.overdue[supervisee.pk]:
        if referral.respond_by >= late_before:
            continue
        facts = [
            _(
                "%(base)s has not answered the referral to “%(opening)s”; the answer was due on "
                "%(day)s."
            )
            % {
                "base": referral.opening.base.name,
                "opening": referral.opening.title,
                "day": timezone.localdate(referral.respond_by).isoformat(),
            }
        ]
        url = reverse("resources:referral_detail", args=[referral.pk])
        found.append(
            _opportunity(rule, supervisee, f"referral-{referral.pk}", facts, url, _("Follow up"))
        )
    return found


EVALUATORS = {
    Kind.LIGHTER_LEVEL: lighter_level,
    Kind.NEAR_RELEASE: near_release,
    Kind.CHRONIC_SHORTFALL: chronic_shortfall,
    Kind.OVERDUE_REFERRAL: overdue_referrals,
}
