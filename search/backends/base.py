"""What every search backend provides."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Protocol

from ..types import Document, Query, Results, Viewer

# How a distance lowers a directory result: half the score at this share of the radius.
DECAY_SHARE_OF_RADIUS = 0.5
DEFAULT_DECAY_KM = 10.0
TITLE_WEIGHT, TAG_WEIGHT, BODY_WEIGHT = 3, 2, 1
FACET_SIZES = {"kind": 20, "region": 50, "skill": 30}


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def decay_scale_km(query: Query) -> float:
    return query.radius_km * DECAY_SHARE_OF_RADIUS if query.radius_km else DEFAULT_DECAY_KM


class Backend(Protocol):
    def search(self, query: Query) -> Results: ...

    def suggest(self, index: str | None, prefix: str, viewer: Viewer, limit: int) -> list[str]:
        """Titles and tags starting with `prefix` that `viewer` may find."""

    def upsert(self, documents: list[Document]) -> None: ...

    def delete(self, keys: list[str]) -> None: ...

    def rebuild(
        self, index: str, documents: Iterable[Document], progress: Callable[[int], None]
    ) -> None:
        """Replace the whole index; queries keep getting answers while it runs."""

    def count(self, index: str) -> int: ...
