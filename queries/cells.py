"""Every cell a view shows: the areas of its level (x the periods of its range).

A view's SQL returns only the cells that have data; `grid_columns` lays them on this grid, so a
cell with no row is a true zero (n NaN, published 0) and every area shows, with the residents
a rate divides by. The grid is reference data the Database holds in memory; building it in
SQL (areas joined to populations, crossed with periods, left-joined to the counts) cost each
query several milliseconds of planning and joining: about a third of an area map's query.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from queries.database import Database
from queries.filters import Filters

CITY_CODE = "city"
CITY_NAME = "Whole city"
#: The period label of a view's cells when they span the whole range.
WHOLE_RANGE = "all"
#: Levels whose areas a user-defined region names as members.
REGION_MEMBER_LEVELS: tuple[str, ...] = ("district", "ward")


def _sum_known(values: Iterable[float | None]) -> float:
    """SQL's sum: NULLs ignored, NULL (NaN here) when nothing is known."""
    known = [v for v in values if v is not None and not math.isnan(v)]
    return math.fsum(known) if known else math.nan


def population(db: Database, f: Filters, level: str, code: str) -> float:
    """Residents of one area in the chosen age bands (all ages when none); NaN if unknown."""
    if not f.age_bands:
        area = db.reference.areas[level].get(code)
        return math.nan if area is None or area.population is None else area.population
    bands = db.band_populations.get((level, code), {})
    return _sum_known(bands[b] for b in f.age_bands if b in bands)


def area_list(db: Database, f: Filters) -> tuple[list[str], list[str], np.ndarray]:
    """(codes, names, populations) of the areas the view shows.

    The city is one area (its residents: the sum over wards). Regions come in the order the
    user named them, each with the residents of its member districts and wards. Other levels
    list every area (or the chosen ones); drilled into a ward or district (`within`), the
    areas inside it plus any other area with data there in any period (a sector can straddle
    wards), so the list does not change with the other filters.
    """
    if f.level == CITY_CODE:
        residents = _sum_known(
            population(db, f, "ward", code) for code in db.reference.areas["ward"]
        )
        return [CITY_CODE], [CITY_NAME], np.array([residents])
    if f.level == "region":
        names = [r.name for r in f.regions]
        pops = [
            _sum_known(
                population(db, f, level, member)
                for member in r.members
                for level in REGION_MEMBER_LEVELS
                if member in db.reference.areas[level]
            )
            for r in f.regions
        ]
        return names, list(names), np.array(pops, dtype="float64")
    areas = db.reference.areas[f.level]
    chosen = areas.values()
    if f.areas:
        allowed = set(f.areas)
        chosen = [a for a in chosen if a.code in allowed]
    if f.within:
        with_data = db.areas_inside.get(f.within, {}).get(f.level, frozenset())
        chosen = [
            a for a in chosen if f.within in (a.parent_ward_code, a.district) or a.code in with_data
        ]
    codes = [a.code for a in chosen]
    names = [a.name for a in chosen]
    pops = np.array([population(db, f, f.level, c) for c in codes], dtype="float64")
    return codes, names, pops


def period_list(db: Database, f: Filters) -> list[str]:
    """The periods of the chosen range, in time order."""
    labels = db.reference.periods[f.period_kind]
    return [p for p in labels if f.period_from <= p <= f.period_to]


def grid_columns(
    db: Database, f: Filters, found: pd.DataFrame, *, by_period: bool
) -> dict[str, np.ndarray]:
    """The view's cells (`found`: columns area, period_dim and its measures) on the full grid.

    Columns area_code, area_name, population, period, then each measure: NaN (None for text)
    where the SQL returned no row, as a LEFT JOIN from the grid would; rows of areas outside
    the grid (other areas of the level, or the city's own cell) are left out, so one query's
    rows can serve a grid of chosen areas and the city's grid alike. As arrays: a view reads
    tens of them, and each read of a frame's column costs about 25 us.
    """
    area_values = found["area"].to_numpy(dtype=object)
    codes, names, pops = area_list(db, f)
    periods = period_list(db, f) if by_period else [WHOLE_RANGE]
    per_area = len(periods)
    area_at = {code: i for i, code in enumerate(codes)}
    period_at = {p: j for j, p in enumerate(periods)}
    slots = np.fromiter(
        (
            area_at[a] * per_area + period_at[p] if a in area_at and p in period_at else -1
            for a, p in zip(area_values, found["period_dim"].to_numpy(dtype=object), strict=True)
        ),
        dtype=np.int64,
        count=len(found),
    )
    kept = slots >= 0
    slots = slots[kept]
    size = len(codes) * per_area
    columns: dict[str, np.ndarray] = {
        "area_code": np.repeat(np.array(codes, dtype=object), per_area),
        "area_name": np.repeat(np.array(names, dtype=object), per_area),
        "population": np.repeat(pops, per_area),
        "period": np.tile(np.array(periods, dtype=object), len(codes)),
    }
    for name in found.columns:
        if name in ("area", "period_dim"):
            continue
        values = found[name].to_numpy()[kept]
        if values.dtype.kind in "iufb":
            column = np.full(size, np.nan)
        else:
            column = np.full(size, None, dtype=object)
        column[slots] = values
        columns[name] = column
    return columns
