"""Who may see and change mentors' pairings, sessions, assistance logs and volunteer hours.
Out of scope answers 404."""

from django.db.models import Exists, OuterRef
from django.http import Http404

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


def access_assistance_log(user, pk) -> AssistanceLog:
    """The author's own log, or one about a person in the staff member's scope."""
    log = (
        AssistanceLog.objects.select_related("author", "supervisee__judicial_office")
        .filter(pk=pk)
        .first()
        if str(pk).isdigit()
        else None
    )
    if log is None:
        raise Http404
    if log.author_id != user.pk:
        if not has_role(user, *STAFF):
            raise Http404
        access_supervisee(user, log.supervisee_id)
    return log


def access_attachment(user, pk) -> Attachment:
    """An attachment of a log the user may open; a minor's files only for those who see the
    minor in full (or the author who uploaded them)."""
    attachment = (
        Attachment.objects.select_related("log").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if attachment is None:
        raise Http404
    log = access_assistance_log(user, attachment.log_id)
    if log.author_id != user.pk and not sees_full_identity(user, log.supervisee, in_scope=True):
        raise Http404
    return attachment


def hours_in_scope(user) -> tuple:
    """Sessions and assistance logs an official may approve: about people in the region."""
    if not has_role(user, Role.OFFICIAL):
        return MentoringSession.objects.none(), AssistanceLog.objects.none()
    people = Supervisee.objects.in_scope_of(user).values("pk")
    return (
        MentoringSession.objects.filter(pairing__supervisee__in=people),
        AssistanceLog.objects.filter(supervisee__in=people),
    )
