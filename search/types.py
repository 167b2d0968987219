"""The values that cross the search layer's boundary: documents in, results out.

Nothing here imports a search client or a model, so apps and both backends share one vocabulary.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

ANY = "*"

SITE = "site"
DIRECTORY = "directory"
INDEXES = (SITE, DIRECTORY)

# Who a document is for. A viewer holds a set of these; a document lists the ones it admits.
PUBLIC = "public"
SUPERVISEE = "supervisee"
STAFF = "staff"
OPERATOR = "operator"
MENTOR = "mentor"
AUDIENCES = (PUBLIC, SUPERVISEE, STAFF, OPERATOR, MENTOR)

# Access dimensions stored on every document (ANY when the document does not restrict it).
ACCESS_FIELDS = ("audience", "levels", "sentences", "offences", "ages", "regions", "scope")


class SearchUnavailable(Exception):
    """The configured search engine cannot answer; callers show a message, never other results."""


@dataclass(frozen=True)
class Audience:
    """Who may find a document.

    `audience` names the kinds of viewer admitted. The supervisee dimensions (levels, sentence
    types, offence categories, age group, regions) narrow what supervisees find, like a course's
    audience rules; staff are not narrowed by them. `scope`, for staff-only documents, holds the
    codes of the document's region and of every region above it: staff find the document when
    the region of their organisation is one of them, that is, when it lies in their scope.
    """

    audience: frozenset[str] = frozenset({PUBLIC})
    levels: frozenset[str] = frozenset()
    sentences: frozenset[str] = frozenset()
    offences: frozenset[str] = frozenset()
    ages: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    scope: frozenset[str] = frozenset()

    def tokens(self) -> dict[str, list[str]]:
        """Every access field with its values, ANY where unrestricted."""
        return {name: sorted(getattr(self, name)) or [ANY] for name in ACCESS_FIELDS}


@dataclass(frozen=True)
class Document:
    """One searchable thing, as an app describes it. Never a person."""

    key: str
    index: str
    kind: str
    title: str
    body: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    region_code: str = ""
    region_path: str = ""
    location: tuple[float, float] | None = None
    open_slots: int | None = None
    rank: float = 1.0
    published: datetime.datetime | None = None
    access: Audience = field(default_factory=Audience)
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if not self.access.audience <= set(AUDIENCES):
            raise ValueError(f"unknown audience in {sorted(self.access.audience)!r}")
        if self.index not in INDEXES:
            raise ValueError(f"unknown index {self.index!r}")
        if self.location is not None:
            lat, lon = self.location
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"location out of range: {self.location!r}")

    @property
    def suggestions(self) -> list[str]:
        """Beginnings the autocomplete offers this document's title for: the title, each later
        word of it, and each tag."""
        return [self.title, *self.title.split()[1:], *self.tags]


@dataclass(frozen=True)
class Viewer:
    """What one user may find: for each access field, the values that admit them.

    A field missing from `allowed` is not checked for this viewer. A document passes a field
    when it lists ANY or shares a value with the viewer.
    """

    allowed: dict[str, frozenset[str]]

    def admits(self, tokens: dict[str, list[str]]) -> bool:
        return all(
            ANY in tokens.get(name, [ANY]) or not values.isdisjoint(tokens.get(name, ()))
            for name, values in self.allowed.items()
        )


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Hit:
    key: str
    kind: str
    title: str
    url: str
    score: float
    title_html: str
    snippet_html: str
    tags: tuple[str, ...] = ()
    region_code: str = ""
    distance_km: float | None = None
    open_slots: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]]
    did_you_mean: str = ""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass(frozen=True)
class Query:
    """A search as both backends receive it, already normalised and scoped."""

    index: str
    terms: tuple[str, ...]
    viewer: Viewer
    kinds: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    open_only: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page
