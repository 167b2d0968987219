"""Ranked, explained mentor candidates for a person: nearby, able to help with the person's
needs, sharing skills, with room to spare. A minor is offered screened mentors only."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from portal.models import Membership, Organisation, Role, Supervisee

from .models import MentorProfile, Pairing

# Points for each factor; the total is out of 100.
PLACE, NEEDS, SKILLS, ROOM = 40, 25, 15, 20


@dataclass
class Candidate:
    profile: MentorProfile
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def user(self):
        return self.profile.user


def _prefix(path: str, depth: int) -> str:
    codes = [code for code in path.split("/") if code]
    return "/" + "/".join(codes[:depth]) + "/"


def candidates(supervisee: Supervisee) -> list[Candidate]:
    """Approved mentors of the person's city with room, best first, each with its reasons."""
    place = supervisee.home_township or supervisee.judicial_office.region
    city, county = _prefix(place.path, 2), _prefix(place.path, 3)
    current = (Pairing.Status.PROPOSED, Pairing.Status.ACTIVE)
    groups = Membership.objects.active().filter(
        role=Role.MENTOR, organisation__kind=Organisation.Kind.VOLUNTEER_GROUP
    )
    # An approved member of a volunteer group of the person's city: the agency that screened
    # the volunteer is the one responsible for the person. Areas served only rank candidates.
    profiles = (
        MentorProfile.objects.filter(
            Exists(
                groups.filter(user=OuterRef("user"), organisation__region__path__startswith=city)
            ),
            user__is_active=True,
        )
        .exclude(
            Exists(Pairing.objects.current().filter(mentor=OuterRef("user"), supervisee=supervisee))
        )
        .annotate(
            taken=Count("user__pairings", filter=Q(user__pairings__status__in=current)),
        )
        .select_related("user")
        .prefetch_related("skills", "regions")
    )
    group_paths = dict(
        groups.filter(user__in=profiles.values("user")).values_list(
            "user", "organisation__region__path"
        )
    )
    person_skills = {skill.name for skill in supervisee.skills.all()}
    needs = dict(zip(supervisee.needs, supervisee.get_needs_display(), strict=False))
    found = []
    for profile in profiles:
        room = profile.capacity - profile.taken
        if room <= 0 or (supervisee.is_minor and not profile.is_screened):
            continue
        found.append(_score(profile, room, place, county, group_paths, needs, person_skills))
        if supervisee.is_minor:
            found[-1].reasons.append(_("screened; the agency approves the pairing"))
    return sorted(found, key=lambda c: (-c.score, c.user.full_name))


def _score(profile, room, place, county, group_paths, needs, person_skills) -> Candidate:
    candidate = Candidate(profile)
    served = {region.path: region for region in profile.regions.all()}
    if place.path in served:
        candidate.score += PLACE
        candidate.reasons.append(_("serves %(place)s") % {"place": place.name})
    elif county in served:
        candidate.score += PLACE * 3 // 4
        candidate.reasons.append(_("serves %(place)s") % {"place": served[county].name})
    elif any(p.startswith(county) for p in [*served, group_paths.get(profile.user_id, "")]):
        candidate.score += PLACE // 2
        candidate.reasons.append(_("in the same county"))
    else:
        candidate.score += PLACE // 4
        candidate.reasons.append(_("in the same city"))
    shared_needs = [label for need, label in needs.items() if need in profile.helps_with]
    if shared_needs:
        candidate.score += round(NEEDS * len(shared_needs) / len(needs))
        candidate.reasons.append(_("can help with %(needs)s") % {"needs": "、".join(shared_needs)})
    shared_skills = sorted(person_skills & {skill.name for skill in profile.skills.all()})
    if shared_skills:
        candidate.score += SKILLS
        candidate.reasons.append(
            _("shares skills: %(skills)s") % {"skills": "、".join(shared_skills)}
        )
    candidate.score += round(ROOM * room / profile.capacity)
    candidate.reasons.append(
        _("room for %(room)d of %(capacity)d mentees")
        % {"room": room, "capacity": profile.capacity}
    )
    if profile.availability:
        candidate.reasons.append(_("available: %(when)s") % {"when": profile.availability})
    return candidate
