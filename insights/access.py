"""Who may see which dashboard and which opportunities."""

from django.http import Http404

from portal.access import memberships_with_role, region_scope
from portal.models import Region, Role


def official_roots(user) -> list[Region]:
    """The regions of the organisations where `user` is an official, widest first."""
    regions = {m.organisation.region for m in memberships_with_role(user, Role.OFFICIAL)}
    return sorted(regions, key=lambda r: (r.path.count("/"), r.path))


def access_dashboard_region(user, code: str | None) -> Region:
    """The region an official asked for, if it lies in one of their regions; else 404."""
    roots = official_roots(user)
    if not roots:
        raise Http404
    if not code:
        return roots[0]
    region = Region.objects.filter(region_scope(user, "path", Role.OFFICIAL), code=code).first()
    if region is None:
        raise Http404
    return region


def trail(user, region: Region) -> list[Region]:
    """The way down from the official's own region to `region`, for the breadcrumb."""
    roots = official_roots(user)
    return [r for r in region.ancestors(include_self=True) if any(x.contains(r) for x in roots)]
