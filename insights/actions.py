"""Recording what a caseworker did with an opportunity."""

from django.http import HttpRequest

from portal import audit

from .models import OpportunityDecision
from .opportunities import Opportunity


def decide(
    request: HttpRequest, opportunity: Opportunity, action: str, reason: str = "", note: str = ""
) -> OpportunityDecision:
    decision = OpportunityDecision.objects.create(
        rule=opportunity.rule,
        supervisee=opportunity.supervisee,
        key=opportunity.key,
        action=action,
        reason=reason,
        note=note,
        decided_by=request.user,
    )
    audit.record(
        request,
        audit.Action.UPDATE,
        opportunity.supervisee,
        reason=note[:255],
        detail={"opportunity": opportunity.key, "action": action, "reason": reason},
    )
    return decision
