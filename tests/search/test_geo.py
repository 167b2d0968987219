"""Distances and the place grid: what the database backend's bounding box relies on."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search import geo


@given(
    lat=st.floats(-60, 60),
    lon=st.floats(-170, 170),
    radius=st.floats(0.5, 300),
    bearing=st.floats(0, 2 * math.pi),
    share=st.floats(0, 1),
)
def test_every_point_within_the_radius_lies_in_the_box_and_its_cells(
    lat, lon, radius, bearing, share
):
    # A point `share` of the radius away in direction `bearing` (destination formula).
    d = share * radius / geo.EARTH_RADIUS_KM
    lat1, lon1 = math.radians(lat), math.radians(lon)
    lat2 = math.asin(
        math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(bearing)
    )
    lon2 = lon1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(lat1),
        math.cos(d) - math.sin(lat1) * math.sin(lat2),
    )
    point = (math.degrees(lat2), math.degrees(lon2))
    assert geo.distance_km((lat, lon), point) <= radius * (1 + 1e-9) + 1e-6
    box = geo.bounding_box((lat, lon), radius)
    assert box[0] - 1e-9 <= point[0] <= box[1] + 1e-9
    assert box[2] - 1e-9 <= point[1] <= box[3] + 1e-9
    cells = geo.cells_covering(box)
    if cells is not None:
        inside = (min(max(point[0], box[0]), box[1]), min(max(point[1], box[2]), box[3]))
        assert geo.cell_of(*inside) in cells


def test_known_distance():
    jinan, qingdao = (36.6512, 117.1201), (36.0671, 120.3826)
    assert geo.distance_km(jinan, qingdao) == pytest.approx(298, abs=3)


def test_a_huge_box_is_not_listed_cell_by_cell():
    assert geo.cells_covering(geo.bounding_box((35, 117), 1000)) is None
    assert len(geo.cells_covering(geo.bounding_box((35, 117), 20))) <= 12
