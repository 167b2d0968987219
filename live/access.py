"""Who may join a live class, present it, moderate it and see its attendance."""

from __future__ import annotations

import datetime

from django.http import Http404
from django.utils import timezone

from portal.access import has_role, is_supervisee, memberships_with_role
from portal.models import Role, Supervisee

from .models import LiveClass


def audience_paths(live_class: LiveClass) -> list[str]:
    paths = [region.path for region in live_class.regions.all()]
    return paths or [live_class.organiser.region.path]


def in_audience(supervisee: Supervisee, live_class: LiveClass) -> bool:
    """Under supervision, of the class's age group, region and level."""
    if supervisee.status != Supervisee.Status.ACTIVE:
        return False
    if supervisee.is_minor != (live_class.audience == LiveClass.Audience.MINORS):
        return False
    if live_class.levels and supervisee.supervision_level not in live_class.levels:
        return False
    path = supervisee.judicial_office.region.path
    return any(path.startswith(prefix) for prefix in audience_paths(live_class))


def manages(user, live_class: LiveClass) -> bool:
    """Officials and caseworkers of the organiser's region, and the presenters, run the class."""
    if live_class.presenters.filter(pk=user.pk).exists():
        return True
    return LiveClass.objects.organised_in_scope_of(user).filter(pk=live_class.pk).exists()


def staff_sees(user, live_class: LiveClass) -> bool:
    """Officials and caseworkers whose region overlaps the class's audience: above it (they
    oversee it) or inside it (their people attend it)."""
    mine = [
        m.organisation.region.path
        for role in (Role.OFFICIAL, Role.CASEWORKER)
        for m in memberships_with_role(user, role)
    ]
    return any(
        audience.startswith(path) or path.startswith(audience)
        for path in mine
        for audience in audience_paths(live_class)
    )


def participant(user, live_class: LiveClass) -> Supervisee | None:
    """The user's supervisee record if it is in the class's audience."""
    if not is_supervisee(user):
        return None
    supervisee = (
        Supervisee.objects.select_related("judicial_office__region").filter(user=user).first()
    )
    return supervisee if supervisee and in_audience(supervisee, live_class) else None


def access_live_class(user, key) -> LiveClass:
    """The class for its audience and those who run it; 404 for everyone else."""
    live_class = LiveClass.objects.select_related("organiser__region").filter(key=key).first()
    if live_class is None:
        raise Http404
    if not (
        participant(user, live_class) or staff_sees(user, live_class) or manages(user, live_class)
    ):
        raise Http404
    return live_class


def classes_for(user) -> list[LiveClass]:
    """Classes of the last 60 days and to come that the user may join, oversee or runs."""
    since = timezone.now() - datetime.timedelta(days=60)
    candidates = (
        LiveClass.objects.filter(ends_at__gte=since)
        .select_related("organiser__region")
        .prefetch_related("regions")
        .order_by("starts_at")
    )
    if has_role(user, Role.OFFICIAL, Role.CASEWORKER):
        return [c for c in candidates if staff_sees(user, c)]
    supervisee = (
        Supervisee.objects.select_related("judicial_office__region").filter(user=user).first()
    )
    if supervisee is None:
        return []
    return [c for c in candidates if in_audience(supervisee, c)]
