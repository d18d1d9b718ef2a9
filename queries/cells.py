"""Reading published cells: the one lookup every view makes, laid on the grid it shows.

A view names the cells it shows (a level, a period kind, lists of periods, what members and
breakdown members, all built here from the validated request and the catalogue's members) and
gets back every cell of that grid. A cell the served file has no row for has nothing published
(a true count of 0..9 in every measure, docs/PRIVACY.md §3), so it is [c], never left out.
Nothing is computed from anything but published values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from queries.catalogue import ALL, COUNT_MEASURES, MONEY_MEASURES
from queries.database import Database
from queries.filters import Filters
from queries.sqlfiles import sql_text

MEASURE_COLUMNS: tuple[str, ...] = (*COUNT_MEASURES, *MONEY_MEASURES)
KEY_COLUMNS: tuple[str, ...] = (
    "area_code",
    "period",
    "what",
    "age_band",
    "client_group",
    "gender",
    "ethnic_group",
)
_SQL = sql_text("cells.sql")


@dataclass(frozen=True)
class Lookup:
    """The cells a view shows: every combination of the listed members is one cell."""

    level: str
    period_kind: str
    periods: tuple[str, ...]
    whats: tuple[str, ...] = (ALL,)
    age_bands: tuple[str, ...] = (ALL,)
    client_groups: tuple[str, ...] = (ALL,)
    genders: tuple[str, ...] = (ALL,)
    ethnic_groups: tuple[str, ...] = (ALL,)
    #: None: every area of the level
    areas: tuple[str, ...] | None = None
    #: the city's own cell is the last of the areas (a view comparing areas with the city
    #: reads both in one lookup)
    city: bool = False


def lookup_for(f: Filters, *, level: str | None = None, **changes: object) -> Lookup:
    """The request's own cell at `level` (its period member, what and breakdowns), for the
    areas it shows; keyword arguments replace any field (e.g. periods=..., whats=...)."""
    level = level or f.level
    base = Lookup(
        level=level,
        period_kind=f.period_kind,
        periods=(f.period,),
        whats=(f.what,),
        age_bands=(f.age_band,),
        client_groups=(f.client_group,),
        genders=(f.gender,),
        ethnic_groups=(f.ethnic_group,),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def lookup_params(lookup: Lookup) -> dict[str, object]:
    """cells.sql's parameters for a lookup (also the bench's truth check's: one mapping)."""
    return {
        "levels": [lookup.level, "city"] if lookup.city else [lookup.level],
        "period_kind": lookup.period_kind,
        "periods": list(lookup.periods),
        "whats": list(lookup.whats),
        "age_bands": list(lookup.age_bands),
        "client_groups": list(lookup.client_groups),
        "genders": list(lookup.genders),
        "ethnic_groups": list(lookup.ethnic_groups),
        "areas": None if lookup.areas is None else list(lookup.areas),
    }


def read(db: Database, lookup: Lookup) -> dict[str, np.ndarray]:
    """The published rows of a lookup as arrays (cells with nothing published have no row):
    the bare DuckDB read, nothing laid out yet. A lookup of every area of its level reads
    them without an area filter (the same rows; at 1M, 25-35% less time for the largest)."""
    params = lookup_params(lookup)
    if lookup.areas is not None and set(lookup.areas) >= set(db.reference.areas[lookup.level]):
        params["areas"] = None
    return db.arrays(_SQL, params)


def shown_areas(db: Database, f: Filters, level: str | None = None) -> list[str]:
    """The areas a view's rows are: one chosen area, the parts of a drill-down parent, or
    every area of the level (a region set's regions at level region)."""
    level = level or f.level
    ref = db.reference
    if level == "city":
        return [ref.city_code()]
    if f.area is not None and level == f.level:
        return [f.area]
    if f.within is not None and level in ("sector", "h3r7", "h3r8"):
        return list(ref.area_parts.get(f.within, {}).get(level, ()))
    return list(ref.level_areas(level, f.region_set))


def place(db: Database, f: Filters) -> tuple[str, str]:
    """(level, area) a one-place view reads: the chosen area, else the whole city."""
    if f.area is not None:
        return f.level, f.area
    return "city", db.reference.city_code()


def single_periods(db: Database, f: Filters) -> tuple[str, ...]:
    """Each period from..to on its own (views over periods read every one as its own cell)."""
    labels = db.reference.periods[f.period_kind]
    return labels[labels.index(f.period_from) : labels.index(f.period_to) + 1]


def _positions(members: tuple[str, ...], values: np.ndarray, rows: int) -> np.ndarray:
    """Each value's position in the member list (every value is a member: the lookup read
    only those)."""
    if len(members) == 1:
        return np.zeros(rows, dtype=np.intp)
    position = {member: i for i, member in enumerate(members)}
    return np.fromiter(map(position.__getitem__, values), dtype=np.intp, count=rows)


def grid(db: Database, lookup: Lookup, keys: tuple[str, ...]) -> dict[str, Any]:
    """Every cell of the lookup keyed by `keys` (the dimensions the view varies), in the
    product order of their member lists as `keys` lists them (the first varies slowest), with
    the published measures; a cell with no row is [c] in every measure. Columns by name, not a
    frame: keys as object arrays, counts as IntegerArray (NA = [c]), money as float arrays
    (NaN = [c]); a view derives its own columns from them and frames them once."""
    if lookup.areas is None:
        raise ValueError("grid needs the areas it shows")
    members = {
        "area_code": lookup.areas,
        "period": lookup.periods,
        "what": lookup.whats,
        "age_band": lookup.age_bands,
        "client_group": lookup.client_groups,
        "gender": lookup.genders,
        "ethnic_group": lookup.ethnic_groups,
    }
    for key in KEY_COLUMNS:
        if key not in keys and len(members[key]) != 1:
            raise ValueError(f"{key} varies but is not a key of the grid")
    shape = tuple(len(members[k]) for k in KEY_COLUMNS)
    found = read(db, lookup)
    # Each published row's place in the grid, row-major over KEY_COLUMNS.
    rows = len(found["people"])
    place = np.ravel_multi_index(
        [_positions(members[k], found[k], rows) for k in KEY_COLUMNS], shape
    )
    # The grid in the order asked: the keys' axes first, in their order.
    axes = [KEY_COLUMNS.index(k) for k in keys]
    axes += [a for a in range(len(KEY_COLUMNS)) if a not in axes]
    order = np.arange(math.prod(shape)).reshape(shape).transpose(axes).ravel()
    at = np.unravel_index(order, shape)
    columns: dict[str, Any] = {
        k: np.asarray(members[k], dtype=object)[at[KEY_COLUMNS.index(k)]] for k in keys
    }
    for column in MEASURE_COLUMNS:
        published = found[column]
        missing = np.ones(len(order), dtype=bool)
        missing[place] = np.ma.getmaskarray(published)
        if column in COUNT_MEASURES:
            values = np.zeros(len(order), dtype=np.int64)
            values[place] = np.ma.getdata(published)
            columns[column] = pd.arrays.IntegerArray(values[order], missing[order])
        else:
            values = np.full(len(order), np.nan)
            values[place] = np.ma.getdata(published)
            values[missing] = np.nan
            columns[column] = values[order]
    return columns


def populations(db: Database, level: str, codes: list[str], age_band: str) -> np.ndarray:
    """Residents of each area in the age band (every age for "all"); NaN where unknown."""
    ref = db.reference
    out = np.full(len(codes), math.nan)
    for i, code in enumerate(codes):
        if age_band == ALL:
            area = ref.areas.get(level, {}).get(code)
            value = None if area is None else area.population
        else:
            value = ref.band_populations.get((level, code), {}).get(age_band)
        if value is not None:
            out[i] = float(value)
    return out


def area_names(db: Database, level: str, codes: list[str] | pd.Series) -> np.ndarray:
    """Names of areas (their code where unnamed), as an object array."""
    areas = db.reference.areas.get(level, {})
    return np.array([areas[c].name if c in areas else c for c in codes], dtype=object)
