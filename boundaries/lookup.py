"""Place a unit postcode: its sector, district, ward, centroid and H3 cells.

A care record carries only a postcode; everything on the map follows from the postcode's unit
centroid (OS Code-Point Open). Some postcodes have no residential location: PO boxes and
large users sit at a shared delivery-office or mail-centre point (``shared_multi_sector == 1``)
and district B99 is non-geographic. Counting those at the mail centre would invent a cluster of
clients in one inner-city ward, so they are kept but marked ``placeable = False`` and carry no
ward, centroid or cell: they count in city totals only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from boundaries import sources
from boundaries.geography import districts, sectors
from boundaries.hexagons import H3_RESOLUTIONS, cells_for
from boundaries.postcodes import InvalidPostcode, normalise_postcodes, parse_postcode
from boundaries.sources import GeographyError
from care_atlas.config import Settings

#: Districts whose postcodes have no geographic location at all.
NON_GEOGRAPHIC_DISTRICTS: frozenset[str] = frozenset({"B99"})

LOOKUP_COLUMNS: tuple[str, ...] = (
    "postcode",
    "sector",
    "district",
    "ward_code",
    "lat",
    "lon",
    *(f"h3r{r}" for r in H3_RESOLUTIONS),
    "placeable",
)


@dataclass(frozen=True)
class PostcodePlace:
    """Where one unit postcode of the area is. Location fields are None unless placeable."""

    unit: str
    sector: str
    district: str
    ward_code: str | None
    lat: float | None
    lon: float | None
    h3r7: str | None
    h3r8: str | None
    placeable: bool


def _placeable(
    raw: pd.DataFrame,
    parsed: pd.DataFrame,
    sectors_with_polygon: set[str],
    districts_with_polygon: set[str],
) -> np.ndarray:
    shared = pd.to_numeric(raw["shared_multi_sector"], errors="coerce").fillna(0).to_numpy() == 1
    non_geographic = parsed["district"].isin(NON_GEOGRAPHIC_DISTRICTS).to_numpy()
    # In the shipped data every postcode of the 23 sectors without a polygon is already shared
    # or B99, so this only matters for a council's own files: a postcode whose sector (or
    # district) has no polygon cannot be drawn at that level, and a lookup that placed it in a
    # ward but not in a sector would make the levels' totals disagree.
    has_polygon = (
        parsed["sector"].isin(sectors_with_polygon)
        & parsed["district"].isin(districts_with_polygon)
    ).to_numpy()
    located = np.isfinite(pd.to_numeric(raw["lat"], errors="coerce").to_numpy(dtype=float)) & (
        np.isfinite(pd.to_numeric(raw["lon"], errors="coerce").to_numpy(dtype=float))
    )
    ward = raw["ward_code"].astype("str").str.strip()
    has_ward = (raw["ward_code"].notna() & (ward != "")).to_numpy()
    return ~shared & ~non_geographic & has_polygon & located & has_ward


def geography_key(settings: Settings) -> Settings:
    """The part of the settings the geography depends on (folder and authority), so caches are
    shared by settings that differ only in where build outputs go."""
    return replace(settings, var_dir=settings.geography_dir)


def postcode_lookup(settings: Settings) -> pd.DataFrame:
    """One row per unit postcode of the area (columns :data:`LOOKUP_COLUMNS`).

    Cached per geography folder for the life of the process (restart after changing the
    folder's files) and shared between callers: treat the frame as read-only (copy before
    changing it). Rows whose postcode is malformed are dropped, duplicates keep the first row.
    """
    return _postcode_lookup(geography_key(settings))


@lru_cache(maxsize=8)
def _postcode_lookup(settings: Settings) -> pd.DataFrame:
    raw = sources.read_postcodes(settings)
    parsed = normalise_postcodes(raw["postcode"])
    keep = (parsed["status"] == "ok").to_numpy() & ~parsed["postcode"].duplicated().to_numpy()
    if not keep.any():
        raise GeographyError(
            f"{settings.geography_dir / sources.POSTCODES.name} holds no valid unit postcode"
        )
    raw = raw[keep].reset_index(drop=True)
    parsed = parsed[keep].reset_index(drop=True)
    placeable = _placeable(
        raw, parsed, set(sectors(settings)["area_code"]), set(districts(settings)["area_code"])
    )

    lat = pd.to_numeric(raw["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(raw["lon"], errors="coerce").to_numpy(dtype=float)
    lat = np.where(placeable, lat, np.nan)
    lon = np.where(placeable, lon, np.nan)
    frame = pd.DataFrame(
        {
            "postcode": parsed["postcode"],
            "sector": parsed["sector"],
            "district": parsed["district"],
            "ward_code": raw["ward_code"].astype("str").str.strip().where(placeable),
            "lat": lat,
            "lon": lon,
        }
    )
    for res in H3_RESOLUTIONS:
        frame[f"h3r{res}"] = pd.Series(cells_for(lat, lon, res), dtype="str")
    frame["placeable"] = placeable
    return frame.sort_values("postcode", kind="stable").reset_index(drop=True)


def main_ward_by(rows: pd.DataFrame, column: str) -> pd.Series:
    """For each value of ``column``, the ward holding most of ``rows`` (ties: lowest ward code).

    Used for an area's ``parent_ward_code``: sectors, districts and cells cross ward lines.
    """
    counted = (
        rows.dropna(subset=[column, "ward_code"])
        .groupby([column, "ward_code"], observed=True)
        .size()
        .rename("n")
        .reset_index()
        .sort_values([column, "n", "ward_code"], ascending=[True, False, True], kind="stable")
        .drop_duplicates(column)
    )
    return counted.set_index(column)["ward_code"]


def _optional(value: object) -> object:
    return None if pd.isna(value) else value


def place_postcode(raw: object, lookup: pd.DataFrame) -> PostcodePlace | InvalidPostcode:
    """Place one raw postcode with ``lookup`` (from :func:`postcode_lookup`). Never raises.

    A well-formed postcode missing from the lookup is ``InvalidPostcode(reason="outside_area")``.
    """
    parsed = parse_postcode(raw)
    if isinstance(parsed, InvalidPostcode):
        return parsed
    hits = np.flatnonzero((lookup["postcode"] == parsed.unit).to_numpy())
    if hits.size == 0:
        return InvalidPostcode(
            raw=raw,
            reason="outside_area",
            message=f"{parsed.unit} is not a postcode of this area",
        )
    row = lookup.iloc[int(hits[0])]
    lat, lon = _optional(row["lat"]), _optional(row["lon"])
    return PostcodePlace(
        unit=parsed.unit,
        sector=parsed.sector,
        district=parsed.district,
        ward_code=_optional(row["ward_code"]),
        lat=None if lat is None else float(lat),
        lon=None if lon is None else float(lon),
        h3r7=_optional(row["h3r7"]),
        h3r8=_optional(row["h3r8"]),
        placeable=bool(row["placeable"]),
    )
