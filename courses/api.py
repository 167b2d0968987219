"""JSON API for the player's coverage reports, group-class check-in and compliance rows."""

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from portal import audit
from portal.access import require_role
from portal.models import Supervisee

from . import actions, compliance, qr
from .access import COMPLIANCE_ROLES, access_compliance_row, learner
from .models import GroupSession
from .progress import Rejected, Report, read_token
from .views import checkin_device, remember_device

router = Router(tags=["courses"])


class ProgressIn(Schema):
    token: str = Field(description="The watch token from the lesson page.")
    seq: int = Field(ge=1, description="Rises by one with each report of this page view.")
    ranges: list[tuple[float, float]] = Field(
        max_length=64, description="Stretches played since the last acknowledged report, seconds."
    )
    position: float = Field(ge=0, description="Where playback is now (the resume point).")


class ProgressOut(Schema):
    status: str = Field(description="accepted, duplicate or rejected")
    reason: str = Field(description="Why a report was rejected, else empty.")
    covered_seconds: float
    position: float
    completed: bool


@router.post("/lessons/{lesson_id}/progress", response=ProgressOut, url_name="lesson_progress")
def report_progress(request: HttpRequest, lesson_id: int, report: ProgressIn):
    """One coverage report. Rejections answer 200 with a reason; a bad token answers 403."""
    now = timezone.now()
    try:
        token = read_token(report.token, now)
        outcome = actions.record_progress(
            request.user,
            lesson_id,
            token,
            Report(seq=report.seq, ranges=report.ranges, position=report.position),
            now,
        )
    except Rejected as exc:
        raise HttpError(403, exc.code) from exc
    return outcome


class CheckInIn(Schema):
    token: str


class CheckInOut(Schema):
    session: str
    status: str
    checked_in_at: str


@router.post("/group-classes/check-in", response=CheckInOut, url_name="group_check_in")
def group_check_in(request: HttpRequest, body: CheckInIn, response: HttpResponse):
    """Check in with the token from the projector's QR code (one person per device)."""
    supervisee = learner(request.user)
    if supervisee is None:
        raise HttpError(403, "not a supervisee")
    try:
        session = get_object_or_404(GroupSession, pk=qr.read_token(body.token))
    except (signing.BadSignature, ValueError) as exc:
        raise HttpError(400, "expired code") from exc
    device = checkin_device(request)
    remember_device(request, response, device)
    try:
        attendance = actions.check_in(
            session, supervisee, device=device, ip=audit.client_ip(request)
        )
    except actions.CheckInRefused as exc:
        raise HttpError(409, exc.message) from exc
    return {
        "session": session.title,
        "status": attendance.status,
        "checked_in_at": attendance.checked_in_at.isoformat(),
    }


class MeasureOut(Schema):
    done: int
    required: int
    projected: int
    projected_shortfall: int


class ComplianceOut(Schema):
    id: int
    name: str
    masked: bool
    judicial_office: str
    supervision_level: str
    study_minutes: MeasureOut
    service_minutes: MeasureOut
    orientation_overdue: bool
    unreviewed_reflections: int


def _row_out(row) -> dict:
    return {
        "id": row.supervisee.pk,
        "name": row.person.name,
        "masked": row.person.masked,
        "judicial_office": row.supervisee.judicial_office.name,
        "supervision_level": row.supervisee.supervision_level,
        "study_minutes": row.study,
        "service_minutes": row.service,
        "orientation_overdue": row.orientation_overdue,
        "unreviewed_reflections": row.unreviewed_reflections,
    }


@router.get("/compliance", response=list[ComplianceOut], url_name="compliance")
def compliance_rows(request: HttpRequest):
    """This month's hours against the requirement for everyone in the caller's scope."""
    require_role(request.user, *COMPLIANCE_ROLES)
    rows = compliance.rows_for(request.user, compliance.scope(request.user))
    audit.record_many(
        request, audit.Action.LIST, [r.supervisee for r in rows], detail={"via": "api"}
    )
    return [_row_out(r) for r in rows]


@router.get("/compliance/{supervisee_id}", response=ComplianceOut, url_name="compliance_row")
def compliance_row(request: HttpRequest, supervisee_id: int):
    supervisee = access_compliance_row(request.user, supervisee_id)
    audit.record(request, audit.Action.VIEW, supervisee, detail={"via": "api"})
    row = compliance.rows_for(request.user, Supervisee.objects.filter(pk=supervisee.pk))[0]
    return _row_out(row)
