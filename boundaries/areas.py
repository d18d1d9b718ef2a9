"""The areas of every map level in one table: the ``areas`` table of the serving database.

Only areas that exist in the geography are listed: wards, districts and sectors with a polygon,
and H3 cells that hold at least one placeable postcode. The 23 postcode sectors of the postcode
file that have no polygon (PO boxes, delivery offices, B99) are not areas; their postcodes are
not placeable (see :mod:`boundaries.lookup`), so nothing is ever counted in them.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from boundaries.geography import districts, local_authority, sectors, wards
from boundaries.hexagons import H3_RESOLUTIONS, hexagons
from boundaries.lookup import geography_key, main_ward_by, postcode_lookup
from boundaries.population import ALL_AGES, LEVELS, area_population
from care_atlas.config import Settings

AREA_COLUMNS: tuple[str, ...] = (
    "level",
    "area_code",
    "area_name",
    "parent_ward_code",
    "district",
    "population",
)


def _level(level: str, frame: pd.DataFrame, parent: pd.Series | None) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "level": level,
            "area_code": frame["area_code"].to_numpy(),
            "area_name": frame["area_name"].to_numpy(),
        }
    )
    if parent is None:
        out["parent_ward_code"] = pd.NA
    else:
        out["parent_ward_code"] = out["area_code"].map(parent)
    out["district"] = frame["district"].to_numpy() if "district" in frame.columns else pd.NA
    return out


@lru_cache(maxsize=8)
def _area_table(settings: Settings) -> pd.DataFrame:
    lookup = postcode_lookup(settings)
    placed = lookup[lookup["placeable"]]
    ward_frame = wards(settings)
    sector_frame = sectors(settings)
    sector_parent = main_ward_by(placed, "sector")
    # A sector with a polygon but no placeable postcode keeps the file's main ward.
    fallback = sector_frame.set_index("area_code")["main_ward_code"]
    sector_parent = sector_parent.combine_first(fallback)
    parts = [
        _level("city", local_authority(settings), None),
        _level("ward", ward_frame, ward_frame.set_index("area_code", drop=False)["area_code"]),
        _level("district", districts(settings), main_ward_by(placed, "district")),
        _level("sector", sector_frame, sector_parent),
    ]
    for res in H3_RESOLUTIONS:
        level = f"h3r{res}"
        parts.append(_level(level, hexagons(settings, res), main_ward_by(placed, level)))
    table = pd.concat(parts, ignore_index=True)
    population = area_population(settings)
    everyone = population[population["age_band"] == ALL_AGES].set_index(["level", "area_code"])
    keys = pd.MultiIndex.from_frame(table[["level", "area_code"]])
    table["population"] = everyone["population"].reindex(keys).fillna(0.0).to_numpy()
    table["level"] = pd.Categorical(table["level"], categories=LEVELS, ordered=True)
    table = table.sort_values(["level", "area_code"], kind="stable")
    table["level"] = table["level"].astype("str")
    for column in ("area_code", "area_name", "parent_ward_code", "district"):
        table[column] = table[column].astype("str")
    return table[list(AREA_COLUMNS)].reset_index(drop=True)


def area_table(settings: Settings) -> pd.DataFrame:
    """Columns :data:`AREA_COLUMNS` for levels city, ward, district, sector, h3r7 and h3r8.

    ``parent_ward_code`` is the ward holding most of the area's placeable postcodes (the ward
    itself for wards, NA for the city); ``district`` is set for sectors only; ``population`` is
    all ages, an estimate below ward level (:mod:`boundaries.population`).
    """
    return _area_table(geography_key(settings)).copy()
