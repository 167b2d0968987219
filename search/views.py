"""The site search page."""

from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import api
from .types import SearchUnavailable


def site_search(request):
    text = request.GET.get("q", "").strip()[:100]
    kinds = request.GET.getlist("kind")[:10]
    regions = request.GET.getlist("region")[:10]
    context = {"q": text, "kinds": kinds, "regions": regions}
    status = 200
    if text:
        try:
            results = api.site(
                text, request.user, kinds=kinds, regions=regions, page=request.GET.get("page")
            )
        except SearchUnavailable:
            context["error"] = _("Search is unavailable at the moment. Please try again later.")
            status = 503
        else:
            context["results"] = results
            context["facet_links"] = facet_links(
                [("q", text)], {"kind": kinds, "region": regions}, results
            )
            context["page_query"] = urlencode(
                [("q", text), *(("kind", k) for k in kinds), *(("region", r) for r in regions)]
            )
    return render(request, "search/site_search.html", context, status=status)


def facet_links(params, chosen: dict[str, list[str]], results) -> dict[str, list[tuple]]:
    """For each facet in `chosen`: (value, link that selects or clears it, keeping `params` and
    the other choices)."""
    links = {}
    for name, current in chosen.items():
        links[name] = []
        for value in results.facets.get(name, []):
            toggled = (
                [v for v in current if v != value.value]
                if value.value in current
                else [*current, value.value]
            )
            query = list(params)
            for facet, values in chosen.items():
                query += [(facet, v) for v in (toggled if facet == name else values)]
            links[name].append((value, "?" + urlencode(query)))
    return links
