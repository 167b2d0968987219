"""Openings ranked for one person, each with the reasons for its place in plain words.

The score is a weighted sum people can follow: distance from the home township (40), skills the
opening asks for that the person has (25), whether the kind of opening meets the person's needs
(20) and places left (15). Listings nobody has verified for RESOURCES_STALE_DAYS days count
half. Openings the person's age rules out are not offered.

Matching reads the database, not the search index: places left must be exact at the moment a
caseworker refers someone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from portal.models import Supervisee
from portal.models.people import Need
from search.geo import bounding_box, distance_km

from .models import OPEN_STATUSES, Opening, Referral

WEIGHTS = {"distance": 40, "skills": 25, "need": 20, "places": 15}
STALE_FACTOR = 0.5
# The kinds of opening that meet each need.
NEED_KINDS = {Need.EMPLOYMENT: Opening.Kind.JOB, Need.EDUCATION: Opening.Kind.TRAINING}


@dataclass(frozen=True)
class Reason:
    text: str
    good: bool = True


@dataclass
class Match:
    opening: Opening
    score: int
    distance_km: float | None
    reasons: list[Reason] = field(default_factory=list)
    referred: bool = False


def home_of(supervisee: Supervisee) -> tuple[float, float] | None:
    """Where the person lives, to the township (the platform stores nothing finer)."""
    for region in (supervisee.home_township, supervisee.judicial_office.region):
        if region.latitude is not None and region.longitude is not None:
            return region.latitude, region.longitude
    return None


def rank(supervisee: Supervisee, *, radius_km: float | None = None, limit: int = 20) -> list[Match]:
    radius = radius_km or settings.RESOURCES_MATCH_RADIUS_KM
    home = home_of(supervisee)
    openings = (
        Opening.objects.listed()
        .filter(slots_available__gt=0)
        .select_related("base__region")
        .prefetch_related("skills")
    )
    if home is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(home, radius)
        openings = openings.filter(
            base__latitude__range=(min_lat, max_lat), base__longitude__range=(min_lon, max_lon)
        )
    age = supervisee.age()
    skills = {skill.name for skill in supervisee.skills.all()}
    referred = set(
        Referral.objects.filter(supervisee=supervisee, status__in=OPEN_STATUSES).values_list(
            "opening_id", flat=True
        )
    )
    matches = []
    for opening in openings:
        if not opening.base.admits_age(age):
            continue
        distance = (
            distance_km(home, (opening.base.latitude, opening.base.longitude)) if home else None
        )
        if distance is not None and distance > radius:
            continue
        match = _score(opening, supervisee, distance, radius, skills, age)
        match.referred = opening.pk in referred
        matches.append(match)
    matches.sort(key=lambda m: (-m.score, m.distance_km or 0, m.opening.pk))
    return matches[:limit]


def _score(opening, supervisee, distance, radius, skills, age) -> Match:
    parts: dict[str, float] = {}
    reasons: list[Reason] = []

    if distance is None:
        parts["distance"] = 0.5
        reasons.append(Reason(_("Distance unknown"), good=False))
    else:
        parts["distance"] = max(0.0, 1 - distance / radius)
        reasons.append(
            Reason(
                _("%(km).1f km from home") % {"km": distance},
                good=distance <= radius / 2,
            )
        )

    wanted = [skill.name for skill in opening.skills.all()]
    if wanted:
        have = [name for name in wanted if name in skills]
        parts["skills"] = len(have) / len(wanted)
        if have:
            reasons.append(Reason(_("Has the skills: %(skills)s") % {"skills": "、".join(have)}))
        missing = [name for name in wanted if name not in skills]
        if missing:
            reasons.append(
                Reason(_("Skills to learn: %(skills)s") % {"skills": "、".join(missing)}, False)
            )
    else:
        parts["skills"] = 0.5
        reasons.append(Reason(_("No particular skills needed")))

    needs = set(supervisee.needs or [])
    fitting = [need for need in needs if NEED_KINDS.get(need) == opening.kind]
    if fitting:
        parts["need"] = 1.0
        labels = dict(Need.choices)
        reasons.append(
            Reason(
                _("Meets a need: %(needs)s")
                % {"needs": "、".join(str(labels[n]) for n in sorted(fitting))}
            )
        )
    elif opening.kind == Opening.Kind.SERVICE:
        parts["need"] = 0.6
        reasons.append(Reason(_("Counts towards monthly community-service hours")))
    else:
        parts["need"] = 0.0

    parts["places"] = min(opening.slots_available, 5) / 5
    reasons.append(
        Reason(
            _("%(n)d place(s) left") % {"n": opening.slots_available},
            good=opening.slots_available > 1,
        )
    )

    base = opening.base
    if base.minimum_age is not None or base.maximum_age is not None:
        reasons.append(
            Reason(
                _("Age %(age)d fits (%(range)s)") % {"age": age, "range": base.age_range_display()}
            )
        )

    score = sum(WEIGHTS[name] * value for name, value in parts.items())
    if base.is_stale():
        score *= STALE_FACTOR
        reasons.append(
            Reason(
                _("Listing not verified for over %(days)d days")
                % {"days": settings.RESOURCES_STALE_DAYS},
                good=False,
            )
        )
    return Match(opening=opening, score=round(score), distance_km=distance, reasons=reasons)
