"""The one search layer. Apps call these functions and register what they index; only the
backends in this package talk to a search engine."""

from .types import Audience, Document, Results, SearchUnavailable

__all__ = [
    "Audience",
    "Document",
    "Results",
    "SearchUnavailable",
    "directory",
    "site",
    "suggest",
]


def site(*args, **kwargs) -> Results:
    from .api import site

    return site(*args, **kwargs)


def directory(*args, **kwargs) -> Results:
    from .api import directory

    return directory(*args, **kwargs)


def suggest(*args, **kwargs) -> list[str]:
    from .api import suggest

    return suggest(*args, **kwargs)
