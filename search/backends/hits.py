"""Results as both backends return them: the same highlights and distances from the same code."""

from .. import geo
from ..text import highlight
from ..types import Document, Hit, Query


def hit(document: Document, query: Query, score: float) -> Hit:
    distance = None
    if query.near is not None and document.location is not None:
        distance = round(geo.distance_km(query.near, document.location), 2)
    return Hit(
        key=document.key,
        kind=document.kind,
        title=document.title,
        url=document.url,
        score=float(score or 0.0),
        title_html=highlight(document.title, query.terms),
        snippet_html=highlight(document.body, query.terms, snippet=True),
        tags=document.tags,
        region_code=document.region_code,
        distance_km=distance,
        open_slots=document.open_slots,
        payload=document.payload,
    )
