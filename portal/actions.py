"""Use cases that change people data. Each one writes its audit entry in the same transaction."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from . import audit
from .forms import SuperviseeForm
from .models import Membership, Supervisee, SupervisionLevelChange, Violation

User = get_user_model()

# Initial passwords avoid look-alike characters so they can be read out or written down.
_READABLE_CHARS = "abcdefghjkmnpqrstuvwxyz23456789"


def _initial_password() -> str:
    return "".join(secrets.choice(_READABLE_CHARS) for _ in range(12))


@transaction.atomic
def register_supervisee(request: HttpRequest, form: SuperviseeForm) -> Supervisee:
    supervisee = form.save()
    SupervisionLevelChange.objects.create(
        supervisee=supervisee,
        from_level="",
        to_level=supervisee.supervision_level,
        changed_by=request.user,
        reason=gettext("Level set at registration"),
    )
    audit.record(request, audit.Action.CREATE, supervisee)
    return supervisee


@transaction.atomic
def update_supervisee(request: HttpRequest, form: SuperviseeForm) -> Supervisee:
    supervisee = form.save()
    audit.record(request, audit.Action.UPDATE, supervisee, detail={"fields": form.changed_data})
    return supervisee


@transaction.atomic
def change_supervision_level(
    request: HttpRequest, supervisee: Supervisee, level: str, reason: str
) -> SupervisionLevelChange:
    supervisee = Supervisee.objects.select_for_update().get(pk=supervisee.pk)
    change = SupervisionLevelChange.objects.create(
        supervisee=supervisee,
        from_level=supervisee.supervision_level,
        to_level=level,
        changed_by=request.user,
        reason=reason,
    )
    supervisee.supervision_level = level
    supervisee.save(update_fields=["supervision_level", "updated_at"])
    audit.record(
        request,
        audit.Action.UPDATE,
        supervisee,
        reason=reason,
        detail={"fields": ["supervision_level"], "from": change.from_level, "to": level},
    )
    return change


@transaction.atomic
def record_violation(request: HttpRequest, supervisee: Supervisee, form) -> Violation:
    violation = form.save(commit=False)
    violation.supervisee = supervisee
    violation.recorded_by = request.user
    violation.save()
    audit.record(
        request,
        audit.Action.CREATE,
        supervisee,
        detail={"violation": violation.pk, "measure": violation.measure},
    )
    return violation


@transaction.atomic
def create_supervisee_account(request: HttpRequest, supervisee: Supervisee) -> tuple:
    """Open (or reset) the person's sign-in; returns the user and a one-time initial password.

    The person must choose a new password at first sign-in.
    """
    password = _initial_password()
    user = supervisee.user
    if user is None:
        username = f"jz{supervisee.pk:06d}"
        user = User(username=username, full_name=supervisee.name)
        if supervisee.phone and not User.objects.filter(phone=supervisee.phone).exists():
            user.phone = supervisee.phone
            user.phone_verified = True
    user.set_password(password)
    user.must_change_password = True
    user.is_active = True
    user.save()
    user.end_all_sessions()
    if supervisee.user_id != user.pk:
        supervisee.user = user
        supervisee.save(update_fields=["user", "updated_at"])
    audit.record(request, audit.Action.UPDATE, supervisee, detail={"account": user.username})
    return user, password


@transaction.atomic
def deactivate_user(request: HttpRequest, user) -> None:
    """Block sign-in and end every session the user holds."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.end_all_sessions()
    audit.record(request, audit.Action.UPDATE, user, detail={"fields": ["is_active"]})


@transaction.atomic
def decide_volunteer_application(
    request: HttpRequest, membership: Membership, approve: bool, note: str = ""
) -> Membership:
    membership.status = Membership.Status.ACTIVE if approve else Membership.Status.REJECTED
    membership.decided_by = request.user
    membership.decided_at = timezone.now()
    if note:
        membership.note = f"{membership.note}\n{note}".strip()
    membership.save()
    audit.record(
        request,
        audit.Action.APPROVE,
        membership,
        detail={"decision": "approve" if approve else "reject"},
    )
    return membership
