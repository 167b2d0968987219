"""JSON API for referrals: the same scope and masking as the pages."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from portal import audit
from portal.access import require_role
from portal.models import Role

from . import actions
from .access import DIRECTORY_STAFF, access_referral
from .models import Referral
from .privacy import PERSON_RELATED, ReferredPerson, referred_person, with_people

router = Router(tags=["directory"])
ROLES = (*DIRECTORY_STAFF, Role.BASE_OPERATOR)


class PersonOut(Schema):
    name: str
    gender: str
    age: int | None
    skills: list[str]


class ReferralOut(Schema):
    id: int
    status: str
    status_label: str
    person: PersonOut
    opening_id: int
    opening: str
    base: str
    sent_at: datetime | None
    respond_by: datetime | None
    overdue: bool
    reason: str
    outcome: str
    steps: list[str] = Field(description="Steps the caller may take now.")


def _out(request: HttpRequest, referral: Referral, person: ReferredPerson) -> dict:
    return {
        "id": referral.pk,
        "status": referral.status,
        "status_label": referral.get_status_display(),
        "person": {
            "name": person.name,
            "gender": person.gender,
            "age": person.age,
            "skills": list(person.skills),
        },
        "opening_id": referral.opening_id,
        "opening": referral.opening.title,
        "base": referral.opening.base.name,
        "sent_at": referral.sent_at,
        "respond_by": referral.respond_by,
        "overdue": referral.is_overdue,
        "reason": referral.reason,
        "outcome": referral.outcome,
        "steps": [step.name for step in actions.available_steps(request.user, referral)],
    }


@router.get("/referrals", response=list[ReferralOut], url_name="referral_list")
def list_referrals(request: HttpRequest, status: str | None = None):
    """Referrals in the caller's scope (a base sees its own), newest change first."""
    require_role(request.user, *ROLES)
    queryset = (
        Referral.objects.in_scope_of(request.user)
        .select_related(*PERSON_RELATED, "opening__base")
        .prefetch_related("supervisee__skills")
    )
    if status:
        queryset = queryset.filter(status=status)
    referrals = list(queryset[:200])
    audit.record_many(
        request, audit.Action.LIST, [r.supervisee for r in referrals], detail={"via": "api"}
    )
    return [_out(request, r, person) for r, person in with_people(request.user, referrals)]


@router.get("/referrals/{referral_id}", response=ReferralOut, url_name="referral_detail")
def get_referral(request: HttpRequest, referral_id: int):
    require_role(request.user, *ROLES)
    referral = access_referral(request.user, referral_id)
    audit.record(request, audit.Action.VIEW, referral.supervisee, detail={"referral": referral_id})
    return _out(request, referral, referred_person(request.user, referral.supervisee))


class StepIn(Schema):
    step: str = Field(description=", ".join(actions.TRANSITIONS))
    reason: str = Field("", max_length=1000)


@router.post(
    "/referrals/{referral_id}/steps",
    response=ReferralOut,
    url_name="referral_step",
    openapi_extra={"responses": {409: {"description": "The step cannot be taken now."}}},
)
def take_step(request: HttpRequest, referral_id: int, body: StepIn):
    """Move a referral on. A full opening or an illegal step answers 409 with the reason."""
    require_role(request.user, *ROLES, Role.SUPERVISEE)
    referral = access_referral(request.user, referral_id)
    try:
        referral = actions.perform(request, referral, body.step, body.reason)
    except actions.ReferralError as error:
        raise HttpError(409, str(error)) from error
    return _out(request, referral, referred_person(request.user, referral.supervisee))
