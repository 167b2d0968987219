"""Unique seconds watched: intervals merged so that replaying a part never counts twice."""

from collections.abc import Iterable

Interval = tuple[float, float]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same points; touching ones are joined."""
    merged: list[list[float]] = []
    for start, end in sorted((s, e) for s, e in intervals if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def covered(intervals: Iterable[Interval]) -> float:
    """Seconds covered by already merged intervals."""
    return sum(end - start for start, end in intervals)


def extend(existing: list[Interval], new: Iterable[Interval]) -> tuple[list[Interval], float]:
    """`existing` merged with `new`, and how many seconds that adds to the coverage."""
    merged = merge([*existing, *new])
    return merged, covered(merged) - covered(existing)
