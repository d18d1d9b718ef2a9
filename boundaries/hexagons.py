"""H3 hexagon cells: an equal-area grid beside the administrative areas.

Wards and sectors differ tenfold in size and change over time; a hexagon grid does neither, so
maps of rates are comparable across the city and across years.
"""

from __future__ import annotations

import math

import geopandas as gpd
import h3
import numpy as np
from shapely.geometry import Polygon

from care_atlas.config import Settings

H3_RESOLUTIONS: tuple[int, ...] = (7, 8)
"""The two H3 resolutions Care Atlas aggregates to.

Measured on Birmingham's placeable postcode centroids (lat 52.4-52.6): a resolution 7 cell
covers 4.65 km² on average (79 cells hold postcodes), close to a postcode district (268 km² /
50 districts = 5.4 km²) or a ward (3.9 km²); a resolution 8 cell covers 0.66 km² (432 cells),
the sector scale of the inner city, where sectors are smallest (the city-wide mean sector is
2.0 km²). Resolution 9 (0.09 km², a few streets) would leave most cells with too few residents
for the disclosure rules to publish anything; resolution 6 (33 km²) is coarser than any ward.
"""


def _check_resolution(resolution: int) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, int | np.integer):
        raise ValueError(f"H3 resolution must be an integer, got {resolution!r}")
    if not 0 <= int(resolution) <= 15:
        raise ValueError(f"H3 resolution must be 0..15, got {resolution}")
    return int(resolution)


def cell_for(lat: float, lon: float, resolution: int) -> str:
    """The H3 cell id (hex string) holding one WGS84 point."""
    res = _check_resolution(resolution)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError(f"no H3 cell for a point without coordinates ({lat}, {lon})")
    return h3.latlng_to_cell(float(lat), float(lon), res)


def cells_for(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    """Vectorised :func:`cell_for`: an object array of cell ids, ``None`` where a point lacks
    coordinates. Each distinct point is indexed once (many postcodes share a centroid)."""
    res = _check_resolution(resolution)
    lat_arr = np.asarray(lat, dtype=float)
    lon_arr = np.asarray(lon, dtype=float)
    if lat_arr.shape != lon_arr.shape:
        raise ValueError(f"lat and lon differ in shape: {lat_arr.shape} vs {lon_arr.shape}")
    out = np.full(lat_arr.shape, None, dtype=object)
    finite = np.isfinite(lat_arr) & np.isfinite(lon_arr)
    if not finite.any():
        return out
    points = np.column_stack([lat_arr[finite], lon_arr[finite]])
    unique, inverse = np.unique(points, axis=0, return_inverse=True)
    cells = np.array([h3.latlng_to_cell(a, b, res) for a, b in unique], dtype=object)
    out[finite] = cells[inverse.reshape(-1)]
    return out


def cell_polygon(cell: str) -> Polygon:
    """The cell's hexagon (or pentagon) as a lon-lat shapely polygon."""
    return Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])


def hexagons(settings: Settings, resolution: int) -> gpd.GeoDataFrame:
    """Every cell at ``resolution`` that holds at least one placeable postcode of the area:
    ``area_code`` = cell id, ``area_name`` = "<main ward name> hexagon <id>" (a bare id means
    nothing to a reader), ``main_ward_code``, geometry = the cell polygon."""
    from boundaries.geography import wards  # imported here: lookup and geography use this module
    from boundaries.lookup import main_ward_by, postcode_lookup

    res = _check_resolution(resolution)
    placed = postcode_lookup(settings)
    placed = placed[placed["placeable"]].copy()
    column = f"h3r{res}"
    if column not in placed.columns:
        placed[column] = cells_for(placed["lat"].to_numpy(), placed["lon"].to_numpy(), res)
    main_ward = main_ward_by(placed, column)
    ward_names = wards(settings).set_index("area_code")["area_name"]
    codes = sorted(main_ward.index)
    names = [f"{ward_names.get(main_ward[c], main_ward[c])} hexagon {c}" for c in codes]
    return gpd.GeoDataFrame(
        {
            "area_code": codes,
            "area_name": names,
            "main_ward_code": [main_ward[c] for c in codes],
        },
        geometry=[cell_polygon(c) for c in codes],
        crs=4326,
    )
