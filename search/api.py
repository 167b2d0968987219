"""The search layer's whole interface for the rest of the platform."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _

from portal.access import has_role, is_supervisee, memberships_with_role
from portal.models import Region, Role, Supervisee

from .backends import get_backend
from .text import closest, terms
from .types import (
    DIRECTORY,
    MENTOR,
    OPERATOR,
    PUBLIC,
    SITE,
    STAFF,
    SUPERVISEE,
    FacetValue,
    Query,
    Results,
    Viewer,
)

STAFF_ROLES = (Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER, Role.EDITOR)
MAX_PER_PAGE = 50
MAX_PAGE = 200
SUGGESTIONS = 8


def viewer_for(user) -> Viewer:
    """What `user` may find, from their roles (anonymous visitors find public documents)."""
    audience = {PUBLIC}
    allowed: dict[str, frozenset[str]] = {}
    if getattr(user, "is_authenticated", False) and user.is_active:
        if user.is_superuser or has_role(user, *STAFF_ROLES):
            audience |= {SUPERVISEE, STAFF}
            if not user.is_superuser:
                allowed["scope"] = frozenset(
                    m.organisation.region.code
                    for role in STAFF_ROLES
                    for m in memberships_with_role(user, role)
                )
        elif is_supervisee(user) and user.supervisee.status == Supervisee.Status.ACTIVE:
            person = user.supervisee
            audience.add(SUPERVISEE)
            allowed.update(
                levels=frozenset({person.supervision_level}),
                sentences=frozenset({person.sentence_type}),
                offences=frozenset({person.offence_category}),
                ages=frozenset({"minor" if person.is_minor else "adult"}),
                regions=frozenset(
                    code for code in person.judicial_office.region.path.split("/") if code
                ),
            )
        if has_role(user, Role.BASE_OPERATOR):
            audience.add(OPERATOR)
        if has_role(user, Role.MENTOR):
            audience.add(MENTOR)
    allowed["audience"] = frozenset(audience)
    return Viewer(allowed)


def _page(page) -> int:
    try:
        return min(MAX_PAGE, max(1, int(page)))
    except (TypeError, ValueError):
        return 1


def _run(query: Query, text: str) -> Results:
    backend = get_backend()
    results = backend.search(query)
    did_you_mean = ""
    if results.total == 0 and query.terms:
        candidates = backend.suggest(query.index, text.strip()[:1], query.viewer, 50)
        did_you_mean = closest(text.strip(), candidates)
    return replace(results, facets=_labelled(results.facets, query), did_you_mean=did_you_mean)


def _labelled(facets: dict[str, list[FacetValue]], query: Query) -> dict[str, list[FacetValue]]:
    """Facet values with names people read, and the current selections marked."""
    names = dict(
        Region.objects.filter(code__in=[f.value for f in facets.get("region", [])]).values_list(
            "code", "name"
        )
    )
    selected = {"kind": query.kinds, "region": query.regions, "skill": query.skills}
    labels = {"kind": kind_labels(), "region": names, "skill": {}}
    return {
        name: [
            FacetValue(
                value=f.value,
                label=str(labels[name].get(f.value, f.value)),
                count=f.count,
                selected=f.value in selected[name],
            )
            for f in values
        ]
        for name, values in facets.items()
    }


def kind_labels() -> dict[str, str]:
    from .registry import definitions

    labels: dict[str, str] = {}
    for definition in definitions():
        labels.update(getattr(definition, "kind_labels", {}))
    return labels


def site(
    query: str,
    user,
    *,
    kinds: list[str] | tuple[str, ...] = (),
    regions: list[str] | tuple[str, ...] = (),
    page: int = 1,
    per_page: int = 20,
) -> Results:
    """Courses, lessons and published content `user` may see, matching `query`."""
    return _run(
        Query(
            index=SITE,
            terms=terms(query),
            viewer=viewer_for(user),
            kinds=tuple(kinds),
            regions=tuple(regions),
            page=_page(page),
            per_page=min(MAX_PER_PAGE, per_page),
        ),
        query,
    )


def directory(
    query: str,
    user,
    *,
    near: tuple[float, float] | None = None,
    radius_km: float | None = None,
    kinds: list[str] | tuple[str, ...] = (),
    skills: list[str] | tuple[str, ...] = (),
    regions: list[str] | tuple[str, ...] = (),
    open_only: bool = False,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
) -> Results:
    """Bases and openings near a place, ranked by text, distance and open places."""
    if radius_km is not None and not 0 < radius_km <= 1000:
        raise ValueError(_("The distance must be between 0 and 1,000 km."))
    return _run(
        Query(
            index=DIRECTORY,
            terms=terms(query),
            viewer=viewer_for(user),
            kinds=tuple(kinds),
            skills=tuple(skills),
            regions=tuple(regions),
            near=near,
            radius_km=radius_km if near is not None else None,
            open_only=open_only,
            sort="distance" if sort == "distance" and near is not None else "relevance",
            page=_page(page),
            per_page=min(MAX_PER_PAGE, per_page),
        ),
        query,
    )


def suggest(prefix: str, user, *, index: str | None = None, limit: int = SUGGESTIONS) -> list[str]:
    """Titles and tags that start with `prefix`, for the search box."""
    prefix = prefix.strip()[:40]
    if not prefix:
        return []
    return get_backend().suggest(index, prefix, viewer_for(user), limit)
