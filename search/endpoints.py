"""The autocomplete endpoint of the JSON API; open to anonymous visitors, who get public titles."""

from ninja import Router, Schema

from . import api
from .types import SearchUnavailable

router = Router(tags=["search"])


class SuggestionsOut(Schema):
    suggestions: list[str]
    available: bool


@router.get("/search/suggest", response=SuggestionsOut, auth=None, url_name="search_suggest")
def suggest(request, q: str = ""):
    """Titles and tags that start with `q`, among what the caller may find."""
    try:
        return {"suggestions": api.suggest(q, request.user), "available": True}
    except SearchUnavailable:
        return {"suggestions": [], "available": False}
