"""Who may see and change mentors' pairings, sessions, assistance logs and volunteer hours.
Out of scope answers 404."""

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

from portal.access import (
    access_supervisee,
    can_manage_supervisee,
    has_role,
    region_scope,
    sees_full_identity,
)
from portal.models import Membership, Organisation, Role, Supervisee

from .models import AssistanceLog, Attachment, MentoringSession, MentorProfile, Pairing

STAFF = (Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER)


def paired_with(user) -> Exists:
    """Supervisees `user` mentors in an active pairing (the mentor's scope)."""
    return Exists(
        Pairing.objects.active().filter(
            supervisee=OuterRef("pk"), mentor=user, supervisee__status=Supervisee.Status.ACTIVE
        )
    )


def mentors_minor_with_approval(user, supervisee: Supervisee) -> bool:
    """A screened mentor whose active pairing with the minor the agency approved."""
    if not has_role(user, Role.MENTOR):
        return False
    profile = MentorProfile.objects.filter(user=user).first()
    return bool(
        profile
        and profile.is_screened
        and Pairing.objects.active()
        .filter(
            mentor=user,
            supervisee=supervisee,
            approved_at__isnull=False,
            supervisee__status=Supervisee.Status.ACTIVE,
        )
        .exists()
    )


def is_approved_mentor(user) -> bool:
    """The volunteer's membership of a volunteer group was approved by the agency."""
    return (
        Membership.objects.active()
        .filter(user=user, role=Role.MENTOR, organisation__kind=Organisation.Kind.VOLUNTEER_GROUP)
        .exists()
    )


def approves_for(user, supervisee: Supervisee) -> bool:
    """Officials of the person's responsible agency approve a minor's pairing."""
    return any(
        m.organisation_id == supervisee.judicial_office.parent_id
        for m in Membership.objects.active().filter(user=user, role=Role.OFFICIAL)
    )


def access_pairing(user, pk) -> Pairing:
    """The mentor's own pairing, or one of a person in the staff member's scope."""
    pairing = (
        Pairing.objects.select_related(
            "mentor", "supervisee__judicial_office__parent", "supervisee__home_township"
        )
        .filter(pk=pk)
        .first()
        if str(pk).isdigit()
        else None
    )
    if pairing is None:
        raise Http404
    if pairing.mentor_id == user.pk and pairing.status == Pairing.Status.ACTIVE:
        return pairing
    # Anyone else must be staff with the person in scope: another mentor of the same person
    # never reaches this pairing.
    if not has_role(user, *STAFF):
        raise Http404
    access_supervisee(user, pairing.supervisee_id)  # 404 outside the staff member's scope
    return pairing


def manages_pairing(user, pairing: Pairing) -> bool:
    return can_manage_supervisee(user, pairing.supervisee)


def mentors_for(user):
    """Mentor profiles of volunteers in groups of the official's region."""
    scope = region_scope(user, "user__memberships__organisation__region__path", Role.OFFICIAL)
    if scope is None:
        return MentorProfile.objects.none()
    return (
        MentorProfile.objects.filter(
            scope,
            user__memberships__role=Role.MENTOR,
            user__memberships__organisation__kind=Organisation.Kind.VOLUNTEER_GROUP,
        )
        .select_related("user")
        .distinct()
        .order_by("user__full_name")
    )


def access_mentor_profile(user, pk) -> MentorProfile:
    profile = mentors_for(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if profile is None:
        raise Http404
    return profile


def may_log_assistance(user, supervisee: Supervisee) -> bool:
    """The caseworker, a social worker with the person on the caseload, or the mentor of an
    active pairing records help given to a person under supervision."""
    if supervisee.status != Supervisee.Status.ACTIVE:
        return False
    if can_manage_supervisee(user, supervisee):
        return True
    people = Supervisee.objects.filter(pk=supervisee.pk)
    return (has_role(user, Role.SOCIAL_WORKER) and people.on_caseload_of(user).exists()) or (
        has_role(user, Role.MENTOR) and people.filter(paired_with(user)).exists()
    )


def counts_as_volunteer_time(user, supervisee: Supervisee) -> bool:
    """Social workers' and mentors' time is counted; a caseworker's is their job."""
    return has_role(user, Role.SOCIAL_WORKER, Role.MENTOR) and not can_manage_supervisee(
        user, supervisee
    )


def assisting_since(user, supervisee: Supervisee):
    """The first day `user` may record help for the person: the start of supervision for the
    caseworker, of the caseload assignment for a social worker, of the pairing for a mentor.
    None when the user may not record help at all."""
    if not may_log_assistance(user, supervisee):
        return None
    if can_manage_supervisee(user, supervisee):
        return supervisee.supervision_start
    days = [supervisee.supervision_start]
    assignment = supervisee.caseload_assignments.current().filter(social_worker=user).first()
    if assignment is not None:
        days.append(timezone.localdate(assignment.assigned_at))
    pairing = Pairing.objects.active().filter(mentor=user, supervisee=supervisee).first()
    if pairing is not None and pairing.starts_on:
        days.append(pairing.starts_on)
    # With both a caseload and a pairing, the earlier of the two; never before supervision.
    return max(days[0], min(days[1:])) if len(days) > 1 else days[0]


def access_assistance_log(user, pk) -> AssistanceLog:
    """A log about a person in the user's current scope: staff see every log of the person, a
    mentor only their own. Authors lose their logs with the case, like everyone else."""
    log = (
        AssistanceLog.objects.select_related(
            "author", "supervisee__judicial_office__parent", "supervisee__home_township"
        )
        .filter(pk=pk)
        .first()
    )
    if log is None or not has_role(user, *STAFF, Role.MENTOR):
        raise Http404
    access_supervisee(user, log.supervisee_id)
    if log.author_id != user.pk and not has_role(user, *STAFF):
        raise Http404
    return log


def access_attachment(user, pk) -> Attachment:
    """An attachment of a log the user may open; a minor's files only for those who see the
    minor in full, or the one who uploaded them while the case is still theirs."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    log = access_assistance_log(user, attachment.log_id)
    if log.author_id != user.pk and not sees_full_identity(user, log.supervisee, in_scope=True):
        raise Http404
    return attachment


def hours_in_scope(user) -> tuple:
    """Sessions and assistance logs an official may approve: about people of the official's
    region (official memberships only), never the official's own."""
    scope = region_scope(user, "judicial_office__region__path", Role.OFFICIAL)
    if scope is None:
        return MentoringSession.objects.none(), AssistanceLog.objects.none()
    people = Supervisee.objects.filter(scope).values("pk")
    return (
        MentoringSession.objects.filter(pairing__supervisee__in=people).exclude(logged_by=user),
        AssistanceLog.objects.filter(supervisee__in=people).exclude(author=user),
    )
