"""Distances on the earth's surface, the same for both backends."""

import math

EARTH_RADIUS_KM = 6371.0088


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(
    centre: tuple[float, float], radius_km: float
) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) that contains every point within the radius.

    The box is not split at the 180° meridian, which no place the platform serves is near."""
    lat, lon = centre
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = math.cos(math.radians(lat))
    if cos_lat < 1e-6 or lat + dlat >= 90 or lat - dlat <= -90:
        return max(-90.0, lat - dlat), min(90.0, lat + dlat), -180.0, 180.0
    dlon = math.degrees(math.asin(min(1.0, math.sin(radius_km / EARTH_RADIUS_KM) / cos_lat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


# A grid over the earth for the database backend's place index: cells of CELL_DEGREES square,
# numbered row by row. A query reads only the cells under its bounding box.
CELL_DEGREES = 0.2
CELLS_PER_DEGREE = round(1 / CELL_DEGREES)
CELL_ROW = 360 * CELLS_PER_DEGREE + 1
MAX_CELLS = 400


def cell_of(lat: float, lon: float) -> int:
    row = math.floor((lat + 90) * CELLS_PER_DEGREE)
    column = math.floor((lon + 180) * CELLS_PER_DEGREE)
    return row * CELL_ROW + column


def cells_covering(box: tuple[float, float, float, float]) -> list[int] | None:
    """The cells a bounding box touches; None when there are too many to list (a huge box)."""
    min_lat, max_lat, min_lon, max_lon = box
    first, last = cell_of(min_lat, min_lon), cell_of(max_lat, max_lon)
    rows = range(first // CELL_ROW, last // CELL_ROW + 1)
    columns = range(first % CELL_ROW, last % CELL_ROW + 1)
    if len(rows) * len(columns) > MAX_CELLS:
        return None
    return [row * CELL_ROW + column for row in rows for column in columns]
