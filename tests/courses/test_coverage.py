"""Interval merging and coverage: properties that must hold for any report sequence."""

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from courses.coverage import covered, extend, merge

# Whole-second end points keep float arithmetic exact, so the brute-force count is exact too.
points = st.integers(min_value=0, max_value=200)
intervals = st.lists(st.tuples(points, points).map(sorted).map(tuple), max_size=30)


def seconds_in(raw) -> set[int]:
    """Brute force: each whole second [i, i+1) covered by some interval."""
    return {i for start, end in raw for i in range(start, end)}


@given(intervals)
def test_merged_intervals_are_sorted_disjoint_and_cover_the_same_seconds(raw):
    merged = merge(raw)
    assert all(start < end for start, end in merged)
    assert all(a[1] < b[0] for a, b in pairwise(merged))
    assert seconds_in(merged) == seconds_in(raw)
    assert covered(merged) == len(seconds_in(raw))


@given(intervals, intervals)
def test_extending_counts_only_new_seconds(old, new):
    existing = merge(old)
    merged, gained = extend(existing, new)
    assert gained == len(seconds_in(old) | seconds_in(new)) - len(seconds_in(old))
    assert gained >= 0
    assert merged == merge([*old, *new])


@given(intervals)
def test_replaying_a_report_adds_nothing(raw):
    merged = merge(raw)
    again, gained = extend(merged, raw)
    assert gained == 0
    assert again == merged


@given(st.lists(intervals, max_size=6))
def test_the_order_of_reports_does_not_matter(reports):
    forward, backward = [], []
    for report in reports:
        forward, _ = extend(forward, report)
    for report in reversed(reports):
        backward, _ = extend(backward, report)
    assert forward == backward
    assert covered(forward) <= 200
