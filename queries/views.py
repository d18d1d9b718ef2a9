"""The ten views: one function each, SQL in queries/sql/, protected tables out.

Each count arrives from SQL as its cell's distinct units n and record-key sum; Database.perturb
applies the ptable and threshold (one vectorised definition) and derived.protect_money rounds
money. This module derives rates, shares and intervals from those published values, attaches a
status to every value and writes the metadata each chart must show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from queries.cells import CITY_CODE, WHOLE_RANGE, area_list, grid_columns
from queries.database import Database, column_array, plain_frame
from queries.derived import (
    Z95,
    Z998,
    byar_bounds,
    count_status,
    count_statuses,
    protect_money,
    rates_per_1000,
    shares,
    wilson_bounds,
)
from queries.filters import FilterError, Filters
from queries.result import (
    Column,
    ProtectedResult,
)
from queries.result_cache import get_or_compute
from queries.sqlparts import (
    DIMENSION_COLUMNS,
    TYPE_COST_COLUMNS,
    agreement_sums,
    area_cells_query,
    build_query,
    element_mask,
    element_periods_query,
    element_spans_query,
    people_total,
    provision_city_types,
    reads_area_cells,
    reads_element_periods,
)

#: Runs a view's second, independent query beside its first (area_compare's city cell).
_SIDE_QUERIES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="care-atlas-side-query")

#: Bumped when a view's output changes, so cached results of older code are not served.
RESULT_VERSION = "4"

MEASURE_DEFINITIONS: dict[str, tuple[str, str]] = {
    "people": (
        "People: distinct persons with at least one agreement active in the period(s).",
        "none (a count)",
    ),
    "agreements_active": (
        "Agreements active: start on or before the period end and no end, or end on or after "
        "the period start.",
        "none (a count)",
    ),
    "agreements_started": ("Agreements started in the period(s).", "none (a count)"),
    "cost": (
        "Cost in period: weekly cost x weeks the agreement is active inside the period "
        "(DHSC CLD method), rounded to 3 significant figures.",
        "none (a sum of money)",
    ),
    "rate_per_1000": (
        "People per 1,000 residents: published people / population x 1,000.",
        "residents of the area (and age bands chosen); ward: ONS mid-2020 estimates, other "
        "levels apportioned by postcode count (an estimate)",
    ),
    "internal_share": (
        "Internal share: people with internal (council-run) provision / (people with internal "
        "+ people with external provision), from published counts.",
        "published people with internal provision + published people with external provision",
    ),
}
RULE = (
    "Counts: cell key perturbation (ONS method, {ptable}); published counts under {threshold} "
    "are suppressed [c]. Money only where the cell's people count is published, rounded to 3 "
    "significant figures. Rates and shares from published counts; [u] where the published "
    "numerator is under 20."
)
TOTALS_NOTE = (
    "Totals and 'all' rows are perturbed on their own: they need not equal the sum of the "
    "published parts."
)
ACTIVITY_NOTE = "Hotspots show service activity, not need."
STATUS_LEGEND = {
    "": "published",
    "[c]": "confidential: suppressed (fewer than 10, or derived from a suppressed count)",
    "[u]": "low reliability (published numerator under 20)",
    "[z]": "not applicable",
    "[x]": "not available",
}


class UnknownView(KeyError):
    """No view of that name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown view {self.name!r}; views: {', '.join(VIEWS)}"


# --- shared pieces -------------------------------------------------------------------------


def _meta(db: Database, view: str, f: Filters, title: str, **extra: Any) -> dict[str, Any]:
    definition, denominator = MEASURE_DEFINITIONS[extra.pop("measure", f.measure)]
    meta: dict[str, Any] = {
        "view": view,
        "title": title,
        "definition": definition,
        "denominator": denominator,
        "rule": RULE.format(ptable=db.ptable_name, threshold=db.threshold),
        "data_date": db.meta.get("data_date"),
        "build_id": db.meta.get("build_id"),
        "synthetic": db.synthetic,
        "filters": f.to_params(),
        "statuses": STATUS_LEGEND,
        "notes": [TOTALS_NOTE, ACTIVITY_NOTE],
        "ptable_id": db.ptable_id,
    }
    meta.update(extra)
    return meta


def _run(
    db: Database,
    sql_file: str,
    f: Filters,
    *,
    only: tuple[str, ...] | None = None,
    presummed: Any = None,
    grid: bool = False,
    **kwargs: Any,
) -> Any:
    """Run a view's SQL: a frame, or with `grid` a dict of columns. `only` restricts its people
    counts to those elements.

    `grid`: the SQL returns cells with data (area, period_dim, ...); lay them on every area
    (x period) cell, with names and populations, as columns (queries.cells.grid_columns).

    `presummed(per_period)` -> (extra placeholders, people_sums), or None: the view can read
    person_periods' pre-summed agreements and cost instead of facts, which it does when the
    database has them and no element-attribute filter applies (pre-sums cover all elements).
    """
    mask = element_mask(
        f, db.reference.elements, db.element_bits, skip=kwargs.get("skip", ()), only=only
    )
    from_ordinal = db.period_ordinals[(f.period_kind, f.period_from)]
    if presummed is not None:
        per_period = kwargs["by_period"] or f.period_from == f.period_to
        extra, sums = presummed(per_period, db.presummed and mask is None)
        kwargs["extra"] = {**kwargs.get("extra", {}), **extra}
        kwargs["people_sums"] = sums
    q = build_query(
        sql_file, f, mask=mask, from_ordinal=from_ordinal, presummed=db.presummed, **kwargs
    )
    found = db.query_arrays(q.sql, q.params)
    if grid:
        return grid_columns(db, f, found, by_period=kwargs["by_period"])
    return found


def _count(db: Database, df: pd.DataFrame | dict[str, Any], n: str, keysum: str) -> pd.Series:
    """Published counts (Int64, NA = suppressed) of the cells whose n / keysum columns these are."""
    return db.perturb(np.asarray(df[n]), np.asarray(df[keysum]))


def _region_order(f: Filters) -> dict[str, int]:
    """Regions are listed in the order the user named them, not by name."""
    return {r.name: i for i, r in enumerate(f.regions)}


def _area_order(columns: dict[str, Any], f: Filters) -> np.ndarray:
    """Row order of a table of areas: by area code, or regions as the user named them."""
    codes = np.asarray(columns["area_code"], dtype=object)
    if f.level == "region":
        regions = _region_order(f)
        key = np.fromiter((regions[a] for a in codes), dtype=np.int64, count=len(codes))
        return np.argsort(key, kind="stable")
    return np.argsort(codes, kind="stable")


def _cell_order(db: Database, columns: dict[str, Any], f: Filters) -> np.ndarray:
    """Row order of area x period cells: area order, then time order (one lexsort)."""
    periods = {p: i for i, p in enumerate(db.reference.periods[f.period_kind])}
    labels = np.asarray(columns["period"], dtype=object)
    period_key = np.fromiter((periods[p] for p in labels), dtype=np.int64, count=len(labels))
    codes = np.asarray(columns["area_code"], dtype=object)
    if f.level == "region":
        regions = _region_order(f)
        area_key = np.fromiter((regions[a] for a in codes), dtype=np.int64, count=len(codes))
    else:
        area_key = codes
    return np.lexsort((period_key, area_key))


def _table(columns: dict[str, Any], cols: list[Column], order: np.ndarray) -> pd.DataFrame:
    """A view's table, framed once from its columns: the declared ones only, in their order,
    rows taken in `order` (framing, selecting and renumbering a frame of every working column
    cost as much again as a small view's arithmetic)."""
    return plain_frame({c.name: _take(columns[c.name], order) for c in cols})


def _take(values: Any, rows: np.ndarray) -> Any:
    """values (a numpy array, pandas extension array or Series) at positions `rows`."""
    return column_array(values).take(rows)


#: The columns of the grid of cells (queries.cells.grid_columns) a view's table starts from.
GRID_COLUMNS = ("area_code", "area_name", "population", "period")
#: A view's cells: its people counts with a facts CTE's measures joined on (when the measures
#: cannot come from person_periods' pre-sums in the people counts' own pass).
JOINED_CELLS = (
    "cells AS (SELECT p.*, {columns} FROM {people} p\n"
    "    LEFT JOIN {cte} k ON k.area = p.area AND k.period_dim = p.period_dim)"
)


def _cells_people_parts(per_period: bool, use: bool) -> tuple[dict, dict]:
    if use:
        return {"cells": "cells AS (SELECT * FROM people)"}, {"people": {"cost": "cost"}}
    cost = (
        "cost AS (SELECT area, period_dim, sum(cost_in_period) AS cost FROM base "
        "GROUP BY area, period_dim)"
    )
    cells = JOINED_CELLS.format(people="people", columns="k.cost", cte="cost")
    return {"cells": f"{cost},\n{cells}"}, {}


def _cells_agreements_parts(started_only: bool) -> Any:
    def parts(per_period: bool, use: bool) -> tuple[dict, dict]:
        if use:
            sums = agreement_sums(per_period, started_only)
            return {"cells": "cells AS (SELECT * FROM people)"}, {"people": sums}
        unit = "started" if started_only else "true"
        first = "true" if per_period else "(started OR period = $period_from)"
        cte = (
            "agreements AS (SELECT area, period_dim, count(*) AS agreements_n, "
            "sum(agreement_key) AS agreements_keysum"
            f" FROM base WHERE {unit} AND {first} GROUP BY area, period_dim)"
        )
        columns = "k.agreements_n, k.agreements_keysum"
        cells = JOINED_CELLS.format(people="people", columns=columns, cte="agreements")
        return {"cells": f"{cte},\n{cells}"}, {}

    return parts


def _area_cells(
    db: Database,
    f: Filters,
    *,
    by_period: bool,
    with_city: bool = False,
    costs: bool = True,
    agreements: bool = False,
) -> pd.DataFrame | None:
    """The cells with data of `f` from the build's pre-counted area cells (people in all and by
    provision type, agreements, costs; provision_cells.sql / provision_spans.sql), or None
    when they do not hold them: a filter they were not counted under (a provision type when
    the state counts `agreements`, an age band over a range), a region, or a range on a build
    without provision_spans."""
    per_period = by_period or f.period_from == f.period_to
    if not (
        db.provision_cells and reads_area_cells(f, agreements=agreements, per_period=per_period)
    ):
        return None
    if not (per_period or db.provision_spans):
        return None
    q = area_cells_query(
        f, by_period=by_period, with_city=with_city, costs=costs, ordinals=_ordinals(db, f)
    )
    return db.query_arrays(q.sql, q.params)


def _ordinals(db: Database, f: Filters) -> tuple[int, int]:
    """The ordinals of the first and last periods of f's range (the pre-counted spans' keys)."""
    return (
        db.period_ordinals[(f.period_kind, f.period_from)],
        db.period_ordinals[(f.period_kind, f.period_to)],
    )


def _people_columns(found: pd.DataFrame, *, agreements: tuple[str, str]) -> pd.DataFrame:
    """cells_people.sql's / cells_agreements.sql's columns from area cells: people (n, keysum),
    cost, and agreements_n / agreements_keysum from the `agreements` pair (active or started)."""
    n, keysum = agreements
    return plain_frame(
        {
            "area": found["area"],
            "period_dim": found["period_dim"],
            "n": found["n_all"],
            "keysum": found["k_all"],
            "cost": found["cost"],
            "agreements_n": found[n],
            "agreements_keysum": found[keysum],
        }
    )


def _measure_found(db: Database, f: Filters, *, by_period: bool) -> pd.DataFrame:
    """The cells with data of a people, cost, rate or agreements measure."""
    agreements = f.measure in ("agreements_active", "agreements_started")
    found = _area_cells(
        db, f, by_period=by_period, costs=f.measure == "cost", agreements=agreements
    )
    if found is not None:
        if f.measure == "agreements_started":
            return _people_columns(found, agreements=("started", "started_keys"))
        return _people_columns(found, agreements=("agreements", "agreement_keys"))
    return _run(
        db,
        "cells_agreements.sql" if agreements else "cells_people.sql",
        f,
        by_period=by_period,
        presummed=(
            _cells_agreements_parts(f.measure == "agreements_started")
            if agreements
            else _cells_people_parts
        ),
    )


def _measure_columns(
    db: Database, f: Filters, *, by_period: bool, found: pd.DataFrame | None = None
) -> tuple[dict[str, Any], str]:
    """area (x period) cells of the chosen measure: the grid's columns, value, value_status,
    people, people_status (and agreements), gathered as columns to frame once; from `found`
    (_measure_found's cells) or a query of its own.

    Returns the columns and the value's column kind.
    """
    m = f.measure
    if m in ("people", "cost", "rate_per_1000", "agreements_active", "agreements_started"):
        agreements = m in ("agreements_active", "agreements_started")
        if found is None:
            found = _measure_found(db, f, by_period=by_period)
        cells = grid_columns(db, f, found, by_period=by_period)
        columns = {k: cells[k] for k in GRID_COLUMNS}
        columns["people"] = people = _count(db, cells, "n", "keysum")
        if agreements:
            columns["agreements"] = counted = _count(db, cells, "agreements_n", "agreements_keysum")
            value, status, kind = counted.astype("float64"), count_statuses(counted), "count"
        elif m == "people":
            value, status, kind = people.astype("float64"), count_statuses(people), "count"
        elif m == "cost":
            (value, status), kind = protect_money(cells["cost"], people), "money"
        else:
            (value, status), kind = rates_per_1000(people, cells["population"]), "rate"
    else:  # internal_share
        columns = _provision_columns(db, f, by_period=by_period, costs=False)
        value, status, kind = columns["internal_share"], columns["internal_share_status"], "share"
    columns["value"], columns["value_status"] = value, status
    columns["people_status"] = count_statuses(columns["people"])
    return columns, kind


TYPE_COSTS = tuple(TYPE_COST_COLUMNS.values())
PROVISION_TYPES = (("internal", "Internal"), ("external", "External"), ("direct", "Direct payment"))
NO_COSTS = (
    "cells AS (SELECT *, "
    + ", ".join(f"CAST(NULL AS DOUBLE) AS {c}" for c in TYPE_COSTS)
    + " FROM counts)"
)


def provision_type_masks(db: Database) -> dict[str, int]:
    """Each provision type's bits in person_periods.element_mask: cells_provision.sql's
    $internal_mask, $external_mask and $direct_mask."""
    masks = {f"{prefix}_mask": 0 for prefix, _ in PROVISION_TYPES}
    for element in db.reference.elements.values():
        bit = db.element_bits.get(element.code)
        for prefix, name in PROVISION_TYPES:
            if bit is not None and element.provision_type == name:
                masks[f"{prefix}_mask"] |= 1 << bit
    return masks


def _provision_parts(
    costs: bool, with_city: bool = False
) -> Callable[[bool, bool], tuple[dict, dict]]:
    """cells_provision.sql's cost placeholders: pre-summed, from facts, or none at all; with
    `with_city` (no costs), the whole city's cell as one more row."""

    def parts(per_period: bool, use: bool) -> tuple[dict, dict]:
        if not costs:
            city = provision_city_types(CITY_CODE) if with_city else ""
            return {"cost_sums": "", "cost_totals": "", "cells": NO_COSTS, "city_types": city}, {}
        if use:
            return {
                "cost_sums": "".join(f",\n           sum({c}) AS {c}" for c in TYPE_COSTS),
                "cost_totals": "".join(f",\n           sum({c}) AS {c}" for c in TYPE_COSTS),
                "cells": "cells AS (SELECT * FROM counts)",
                "city_types": "",
            }, {}
        sums = ", ".join(
            f"sum(cost_in_period) FILTER (WHERE provision_type = '{t}') AS {p}_cost"
            for p, t in PROVISION_TYPES
        )
        cost = f"cost AS (SELECT area, period_dim, {sums} FROM base GROUP BY area, period_dim)"
        columns = ", ".join(f"k.{c}" for c in TYPE_COSTS)
        cells = JOINED_CELLS.format(people="counts", columns=columns, cte="cost")
        return {
            "cost_sums": "",
            "cost_totals": "",
            "cells": f"{cost},\n{cells}",
            "city_types": "",
        }, {}

    return parts


def _provision_found(
    db: Database, f: Filters, *, by_period: bool, costs: bool = True, with_city: bool = False
) -> pd.DataFrame:
    """cells_provision.sql's cells with data (and with `with_city` the city's, area 'city'):
    read from the build's area cells where they hold them."""
    found = _area_cells(db, f, by_period=by_period, with_city=with_city, costs=costs)
    if found is not None:
        return found
    return _run(
        db,
        "cells_provision.sql",
        f,
        by_period=by_period,
        presummed=_provision_parts(costs, with_city),
        extra_params=provision_type_masks(db),
    )


def _provision_columns(
    db: Database,
    f: Filters,
    *,
    by_period: bool,
    costs: bool = True,
    found: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """People (and, with `costs`, cost) by provision type per cell, and the internal share:
    from `found` (the query's cells with data) or a query of its own."""
    if found is None:
        found = _provision_found(db, f, by_period=by_period, costs=costs)
    wide = grid_columns(db, f, found, by_period=by_period)
    # Columns gathered first and framed once: inserting 16 columns one at a time into a pandas
    # frame cost more than a small cell's query.
    columns: dict[str, Any] = {k: wide[k] for k in GRID_COLUMNS}
    columns["people"] = _count(db, wide, "n_all", "k_all")
    for prefix, code in (("internal", "i"), ("external", "e"), ("direct", "d")):
        people = _count(db, wide, f"n_{code}", f"k_{code}")
        columns[f"{prefix}_people"] = people
        columns[f"{prefix}_people_status"] = count_statuses(people)
        if costs:
            columns[f"{prefix}_cost"], columns[f"{prefix}_cost_status"] = protect_money(
                wide[f"{prefix}_cost"], people
            )
    columns["internal_share"], columns["internal_share_status"] = shares(
        columns["internal_people"], columns["internal_people"] + columns["external_people"]
    )
    return columns


# --- views ---------------------------------------------------------------------------------


def area_map(db: Database, f: Filters) -> ProtectedResult:
    """One row per area at the chosen level: the chosen measure and the people count."""
    columns, kind = _measure_columns(db, f, by_period=False)
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("value", kind),
        Column("value_status", "status"),
        Column("people", "count"),
        Column("people_status", "status"),
    ]
    meta = _meta(db, "area_map", f, f"{f.measure} by {f.level}", value_kind=kind)
    return ProtectedResult(cols, _table(columns, cols, _area_order(columns, f)), meta)


def matrix(db: Database, f: Filters) -> ProtectedResult:
    """Areas x periods of the chosen measure (the postcode/year matrix)."""
    columns, kind = _measure_columns(db, f, by_period=True)
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("period", "period"),
        Column("value", kind),
        Column("value_status", "status"),
    ]
    meta = _meta(db, "matrix", f, f"{f.measure} by {f.level} and {f.period_kind}", value_kind=kind)
    return ProtectedResult(cols, _table(columns, cols, _cell_order(db, columns, f)), meta)


def _with_interval(df: dict[str, Any], f: Filters) -> dict[str, np.ndarray]:
    """value, value_status and 95% / 99.8% intervals from published counts, as columns."""
    if f.measure == "internal_share":
        internal = df["internal_people"]
        total = internal + df["external_people"]
        x = internal.to_numpy(dtype="float64", na_value=np.nan)
        n = total.to_numpy(dtype="float64", na_value=np.nan)
        value, status = shares(internal, total)
        bounds = [wilson_bounds(x, n, z) for z in (Z95, Z998)]
    else:
        count = df["value_count"].to_numpy(dtype="float64", na_value=np.nan)
        value, status = rates_per_1000(df["value_count"], df["population"])
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = 1000.0 / np.asarray(df["population"], dtype="float64")
        bounds = [tuple(np.round(b * scale, 2) for b in byar_bounds(count, z)) for z in (Z95, Z998)]
    shown = ~np.isnan(value)
    columns = {"value": value, "value_status": status}
    for (lo, hi), suffix in zip(bounds, ("95", "998"), strict=True):
        columns[f"lower{suffix}"] = np.where(shown, np.round(lo, 4), np.nan)
        columns[f"upper{suffix}"] = np.where(shown, np.round(hi, 4), np.nan)
    return columns


def _areas_make_up_city(f: Filters) -> bool:
    """Whether the level's cells together are the whole city's selection (no chosen areas,
    drill-down or regions), so the city's cell can be counted from them."""
    return f.level != "region" and not f.areas and not f.within


CompareCells = Callable[[Database, Filters], dict[str, Any]]
#: (db, f, city_f, counted): the cells of f's grid and the city's, from one query run with
#: `counted` (f without chosen areas: every area of the level, which together are the city).
#: grid_columns keeps from the query's rows those of its own grid, so each side takes its own.
CompareBoth = Callable[[Database, Filters, Filters, Filters], tuple[dict[str, Any], dict[str, Any]]]


def _areas_and_city(
    db: Database, f: Filters, city_f: Filters, cells: CompareCells, both: CompareBoth
) -> tuple[dict[str, Any], dict[str, Any]]:
    """area_compare's cells for the areas and for the city: at level city they are the same
    cells; when the areas make up the city, `both` counts the two in one query; for chosen
    areas, `both` counts every area of the level and the city, and the chosen areas are kept
    (the city's cell is most of the work either way, and one query costs less than two side
    by side on two cores); otherwise (regions, a drill-down) `cells` runs twice, the city's
    query beside the areas' (DuckDB releases the GIL while it executes; each query has a
    cursor of its own)."""
    if f.level == CITY_CODE:
        city = cells(db, city_f)
        return city, city
    counted = dataclasses.replace(f, areas=())
    if _areas_make_up_city(counted):
        return both(db, f, city_f, counted)
    city_future = _SIDE_QUERIES.submit(cells, db, city_f)
    return cells(db, f), city_future.result()


def _agreements_cells(
    db: Database, f: Filters, found: pd.DataFrame | None = None
) -> dict[str, Any]:
    """area_compare's cells of an agreements measure (value_count: the agreements)."""
    columns, _ = _measure_columns(db, f, by_period=False, found=found)
    columns["value_count"] = columns["value"]
    return columns


def _agreements_both(
    db: Database, f: Filters, city_f: Filters, counted: Filters
) -> tuple[dict, dict]:
    """Agreements add up: each is counted in one cell (per period every row, over a range at
    its first period in it), so the city's count and key sum are the sums of the areas'."""
    found = _measure_found(db, counted, by_period=False)
    counted = db.perturb(
        [np.nansum(found["agreements_n"].to_numpy(dtype="float64"))],
        [np.nansum(found["agreements_keysum"].to_numpy(dtype="float64"))],
    )
    _, _, residents = area_list(db, city_f)
    city = {"value_count": counted.astype("float64"), "population": residents}
    return _agreements_cells(db, f, found), city


def _compare_people_parts(with_city: bool) -> Callable[[bool, bool], tuple[dict, dict]]:
    """cells_people.sql's cells for area_compare: people only (it compares rates, so no cost:
    not even with an element filter does it read facts), and with `with_city` the city's own
    cell counted from the same first level (people_total.sql) as one more row."""

    def parts(per_period: bool, use: bool) -> tuple[dict, dict]:
        cells = "SELECT area, period_dim, n, keysum, CAST(NULL AS DOUBLE) AS cost FROM people"
        if not with_city:
            return {"cells": f"cells AS ({cells})"}, {}
        city = (
            f"SELECT '{CITY_CODE}', '{WHOLE_RANGE}', n, keysum, CAST(NULL AS DOUBLE) "
            "FROM city_people"
        )
        total = people_total("city_people", "people_units")
        return {"cells": f"{total},\ncells AS ({cells}\n    UNION ALL {city})"}, {}

    return parts


def _people_found(db: Database, f: Filters, *, with_city: bool = False) -> pd.DataFrame:
    """area_compare's people cells with data (and with `with_city` the city's, area 'city')."""
    found = _area_cells(db, f, by_period=False, with_city=with_city, costs=False)
    if found is not None:
        return _people_columns(found, agreements=("agreements", "agreement_keys"))
    return _run(
        db, "cells_people.sql", f, by_period=False, presummed=_compare_people_parts(with_city)
    )


def _people_cells(db: Database, f: Filters, found: pd.DataFrame | None = None) -> dict[str, Any]:
    """Grid columns, published people and value_count (the people) of area_compare's cells."""
    cells = grid_columns(db, f, _people_found(db, f) if found is None else found, by_period=False)
    columns = {k: cells[k] for k in GRID_COLUMNS}
    columns["people"] = columns["value_count"] = _count(db, cells, "n", "keysum")
    return columns


def _people_both(db: Database, f: Filters, city_f: Filters, counted: Filters) -> tuple[dict, dict]:
    """The city's people from the areas' own first level (people_total.sql)."""
    found = _people_found(db, counted, with_city=True)
    return _people_cells(db, f, found), _people_cells(db, city_f, found)


def _share_cells(db: Database, f: Filters) -> dict[str, Any]:
    """area_compare's people by provision type and internal share."""
    return _provision_columns(db, f, by_period=False, costs=False)


def _shares_both(db: Database, f: Filters, city_f: Filters, counted: Filters) -> tuple[dict, dict]:
    """The city's people by provision type from the areas' own first level
    (provision_city_types.sql)."""
    found = _provision_found(db, counted, by_period=False, costs=False, with_city=True)
    return (
        _provision_columns(db, f, by_period=False, costs=False, found=found),
        _provision_columns(db, city_f, by_period=False, costs=False, found=found),
    )


def area_compare(db: Database, f: Filters) -> ProtectedResult:
    """Each area's rate (or internal share) against the city's, with 95% and 99.8% intervals."""
    if f.measure == "cost":
        raise FilterError(
            "measure",
            "area_compare compares rates or shares, not money",
            [
                "people",
                "agreements_active",
                "agreements_started",
                "rate_per_1000",
                "internal_share",
            ],
        )
    city_f = dataclasses.replace(f, level="city", areas=(), within=None, regions=())
    if f.measure in ("people", "rate_per_1000"):
        cells, city_cells = _areas_and_city(db, f, city_f, _people_cells, _people_both)
    elif f.measure == "internal_share":
        cells, city_cells = _areas_and_city(db, f, city_f, _share_cells, _shares_both)
    else:
        cells, city_cells = _areas_and_city(db, f, city_f, _agreements_cells, _agreements_both)
    columns = {"area_code": cells["area_code"], "area_name": cells["area_name"]}
    columns.update(_with_interval(cells, f))
    city = _with_interval(city_cells, city_f)
    city_value = float(city["value"][0])
    rows = len(cells["area_code"])
    columns["city_value"] = np.full(rows, city_value)
    columns["city_status"] = np.full(rows, city["value_status"][0], dtype=object)
    values = columns["value"]
    for col, lo, hi in (
        ("comparison", "lower95", "upper95"),
        ("comparison_998", "lower998", "upper998"),
    ):
        lower, upper = columns[lo], columns[hi]
        columns[col] = np.where(
            np.isnan(values) | np.isnan(city_value),
            "",
            np.where(
                city_value > upper, "lower", np.where(city_value < lower, "higher", "similar")
            ),
        ).astype(object)
    kind = "share" if f.measure == "internal_share" else "rate"
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("value", kind),
        Column("value_status", "status"),
        Column("lower95", kind),
        Column("upper95", kind),
        Column("lower998", kind),
        Column("upper998", kind),
        Column("city_value", kind),
        Column("city_status", "status"),
        Column("comparison", "category"),
        Column("comparison_998", "category"),
    ]
    measure = "internal_share" if f.measure == "internal_share" else "rate_per_1000"
    meta = _meta(
        db,
        "area_compare",
        f,
        f"{f.level} compared with the city",
        measure=measure,
        value_kind=kind,
        method=(
            "Wilson score intervals" if kind == "share" else "Byar's approximation to exact Poisson"
        )
        + " at 95% and 99.8%, from published counts. higher / lower: the city's value lies "
        "outside the area's interval; similar: inside.",
    )
    return ProtectedResult(cols, _table(columns, cols, _area_order(columns, f)), meta)


def _elements_found(db: Database, f: Filters) -> pd.DataFrame:
    """Per element with people in the selection: people (n, keysum), agreements and cost.

    For the whole city with no filter but the period range, both come from the build's
    element_spans and element_periods, a few hundred rows each. Otherwise two queries side by
    side (people from person_periods; agreements and cost from facts, or from element_periods
    when no filter but the period range applies): each plans and scans on a core of its own,
    about a sixth less time than one query."""
    whole_city = reads_element_periods(f)
    if db.element_spans and whole_city:
        q = element_spans_query(f, _ordinals(db, f))
        people_future = _SIDE_QUERIES.submit(db.query_arrays, q.sql, q.params)
    else:
        people_future = _SIDE_QUERIES.submit(
            _run,
            db,
            "elements_people.sql",
            f,
            by_period=False,
            by_area=False,
            element_people={"by_element": "period_dim"},
        )
    if db.element_periods and whole_city:
        q = element_periods_query(f)
        facts = db.query_arrays(q.sql, q.params)
    else:
        facts = _run(db, "elements_agreements.sql", f, by_period=False, by_area=False)
    people = people_future.result()
    # Inner join on element code, as the two counts always name the same elements.
    row = {code: i for i, code in enumerate(facts["element_code"])}
    codes = people["element_code"].to_numpy(dtype=object)
    keep = np.fromiter((c in row for c in codes), bool, count=len(codes))
    at = np.fromiter((row[c] for c in codes[keep]), np.int64)
    columns = {k: people[k].to_numpy()[keep] for k in ("element_code", "n", "keysum")}
    for k in ("agreements_n", "agreements_keysum", "cost"):
        columns[k] = facts[k].to_numpy()[at]
    return plain_frame(columns)


def elements(db: Database, f: Filters) -> ProtectedResult:
    """Top N elements by published people, for the city or the chosen areas."""
    df = _elements_found(db, f)
    people = _count(db, df, "n", "keysum")
    agreements = _count(db, df, "agreements_n", "agreements_keysum")
    # Ranked by published people (never true counts), suppressed last, then element code.
    published = people.to_numpy(dtype="float64", na_value=np.nan)
    codes = df["element_code"].to_numpy(dtype=object)
    suppressed = np.isnan(published)
    top = np.lexsort((codes, -np.where(suppressed, 0, published), suppressed))[: f.top_n]
    top_codes = codes[top]
    columns: dict[str, Any] = {
        "element_code": top_codes,
        "element_description": np.array(
            [db.reference.elements[c].description for c in top_codes], dtype=object
        ),
        "provision_type": np.array(
            [db.reference.elements[c].provision_type for c in top_codes], dtype=object
        ),
    }
    columns["people"] = people = pd.Series(people.array[top])
    columns["people_status"] = count_statuses(people)
    columns["agreements"] = agreements = pd.Series(agreements.array[top])
    columns["agreements_status"] = count_statuses(agreements)
    columns["cost"], columns["cost_status"] = protect_money(df["cost"].to_numpy()[top], people)
    cols = [
        Column("element_code", "category"),
        Column("element_description", "category"),
        Column("provision_type", "category"),
        Column("people", "count"),
        Column("people_status", "status"),
        Column("agreements", "count"),
        Column("agreements_status", "status"),
        Column("cost", "money"),
        Column("cost_status", "status"),
    ]
    meta = _meta(db, "elements", f, f"Top {f.top_n} elements", measure="people")
    meta["notes"].append("Ranked by published people count; suppressed elements rank last.")
    return ProtectedResult(cols, plain_frame(columns), meta)


def element_compare(db: Database, f: Filters) -> ProtectedResult:
    """People using element A and element B in each area, and the difference."""
    for name in ("element_a", "element_b"):
        if getattr(f, name) is None:
            raise FilterError(
                name, "element_compare needs element_a and element_b", list(db.reference.elements)
            )
    if f.element_a == f.element_b:
        raise FilterError("element_b", "must differ from element_a")
    pair = (f.element_a, f.element_b)
    mask = element_mask(f, db.reference.elements, db.element_bits, skip=("elements",), only=pair)
    a_mask, b_mask = (mask & (1 << db.element_bits[e]) for e in pair)
    cells = _run(
        db,
        "element_compare.sql",
        f,
        by_period=False,
        skip=("elements",),
        only=pair,
        extra_params={"a_mask": a_mask, "b_mask": b_mask},
        people={"ab_people": ("area, period_dim, element", "pab", True)},
        grid=True,
    )
    columns: dict[str, Any] = {k: cells[k] for k in ("area_code", "area_name")}
    columns["a_people"] = a_people = _count(db, cells, "a_n", "a_keysum")
    columns["a_status"] = count_statuses(a_people)
    columns["b_people"] = b_people = _count(db, cells, "b_n", "b_keysum")
    columns["b_status"] = count_statuses(b_people)
    columns["difference"] = difference = (a_people - b_people).astype("Int64")
    columns["difference_status"] = count_statuses(difference)
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("a_people", "count"),
        Column("a_status", "status"),
        Column("b_people", "count"),
        Column("b_status", "status"),
        Column("difference", "count"),
        Column("difference_status", "status"),
    ]
    meta = _meta(db, "element_compare", f, f"{f.element_a} vs {f.element_b}", measure="people")
    meta["notes"].append("The elements filter is not applied: element_a and element_b choose.")
    return ProtectedResult(cols, _table(columns, cols, _area_order(columns, f)), meta)


def _trend_parts(per_period: bool, use: bool) -> tuple[dict, dict]:
    if use:
        sums = {**agreement_sums(True, False), "cost": "cost"}
        cte = (
            "facts_cells AS (SELECT period_dim, agreements_n AS n, agreements_keysum AS keysum,"
            " cost FROM by_period)"
        )
        return {"facts_cells": cte}, {"by_period": sums}
    cte = (
        "facts_cells AS (SELECT period_dim, count(*) AS n, sum(agreement_key) AS keysum, "
        "sum(cost_in_period) AS cost FROM base GROUP BY period_dim)"
    )
    return {"facts_cells": cte}, {}


def trend(db: Database, f: Filters) -> ProtectedResult:
    """Per period: agreements active (records), people and cost in period."""
    df = _run(
        db,
        "trend.sql",
        f,
        by_period=True,
        by_area=False,
        people={"by_period": ("period_dim", "pbase", False)},
        presummed=_trend_parts,
    )
    df["agreements"] = _count(db, df, "agreements_n", "agreements_keysum")
    df["people"] = _count(db, df, "n", "keysum")
    df["agreements_status"] = count_statuses(df["agreements"])
    df["people_status"] = count_statuses(df["people"])
    df["cost"], df["cost_status"] = protect_money(df["cost"], df["people"])
    cols = [
        Column("period", "period"),
        Column("agreements", "count"),
        Column("agreements_status", "status"),
        Column("people", "count"),
        Column("people_status", "status"),
        Column("cost", "money"),
        Column("cost_status", "status"),
    ]
    meta = _meta(db, "trend", f, f"Records, people and cost per {f.period_kind}", measure="people")
    if f.themes:
        targets = db.query(
            "SELECT * FROM mia_targets WHERE theme IN (SELECT unnest($themes)) "
            "ORDER BY theme, financial_year",
            {"themes": list(f.themes)},
        )
        meta["savings_targets"] = targets.to_dict(orient="records")
        meta["notes"].append(
            "Savings targets are budget targets, not sums of agreement costs: they do not "
            "reconcile."
        )
    return ProtectedResult(cols, df, meta)


def provision(db: Database, f: Filters) -> ProtectedResult:
    """People and cost by provision type per area and period, and the internal share."""
    columns = _provision_columns(db, f, by_period=True)
    cols = [Column("area_code", "area"), Column("area_name", "area"), Column("period", "period")]
    for prefix in ("internal", "external", "direct"):
        cols += [Column(f"{prefix}_people", "count"), Column(f"{prefix}_people_status", "status")]
    cols += [Column("internal_share", "share"), Column("internal_share_status", "status")]
    for prefix in ("internal", "external", "direct"):
        cols += [Column(f"{prefix}_cost", "money"), Column(f"{prefix}_cost_status", "status")]
    meta = _meta(db, "provision", f, "Internal vs external provision", measure="internal_share")
    return ProtectedResult(cols, _table(columns, cols, _cell_order(db, columns, f)), meta)


def enablement(db: Database, f: Filters) -> ProtectedResult:
    """MIA17 enablement by area: share of people beyond 6 weeks and the cost beyond day 42."""
    cells = _run(db, "enablement.sql", f, by_period=False, grid=True)
    columns: dict[str, Any] = {k: cells[k] for k in ("area_code", "area_name")}
    columns["people"] = people = _count(db, cells, "n", "keysum")
    columns["people_over_6w"] = over = _count(db, cells, "over_n", "over_keysum")
    columns["people_status"] = count_statuses(people)
    columns["over_6w_status"] = count_statuses(over)
    columns["share_over_6w"], columns["share_status"] = shares(over, people)
    columns["cost_beyond_42"], columns["cost_status"] = protect_money(cells["cost"], over)
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("people", "count"),
        Column("people_status", "status"),
        Column("people_over_6w", "count"),
        Column("over_6w_status", "status"),
        Column("share_over_6w", "share"),
        Column("share_status", "status"),
        Column("cost_beyond_42", "money"),
        Column("cost_status", "status"),
    ]
    meta = _meta(db, "enablement", f, "Enablement beyond 6 weeks (MIA17)", measure="people")
    meta["definition"] = (
        "MIA17 enablement: people with an enablement agreement (OAIHSENB, LDIHSENB, PDIHSENB...) "
        "active in the period(s); over 6 weeks: the agreement lasts more than 42 days; cost "
        "beyond 42: weekly cost x days past the 42nd / 7. Share: published people over 6 weeks "
        "/ published people."
    )
    meta["denominator"] = "published people with an MIA17 enablement agreement"
    return ProtectedResult(cols, _table(columns, cols, _area_order(columns, f)), meta)


def _quarter_filters(db: Database, f: Filters) -> Filters:
    """The quarters covering the chosen period range (any period kind)."""
    dates = db.reference.period_dates
    start = dates[(f.period_kind, f.period_from)][0]
    end = dates[(f.period_kind, f.period_to)][1]
    quarters = [
        q
        for q in db.reference.periods.get("quarter", ())
        if dates[("quarter", q)][0] >= start and dates[("quarter", q)][1] <= end
    ]
    if not quarters:
        raise FilterError("from", "no whole quarter lies inside the chosen period range")
    return dataclasses.replace(
        f, period_kind="quarter", period_from=quarters[0], period_to=quarters[-1]
    )


def quarterly_users(db: Database, f: Filters) -> ProtectedResult:
    """Distinct people per quarter using one element (e.g. CHIRDRT, about 100 a quarter)."""
    if f.element is None:
        raise FilterError(
            "element", "quarterly_users needs an element", list(db.reference.elements)
        )
    g = _quarter_filters(db, f)
    df = _run(
        db,
        "quarterly_users.sql",
        g,
        by_period=True,
        by_area=False,
        skip=("elements",),
        only=(f.element,),
        people={"by_period": ("period_dim", "pbase", False)},
    )
    df["people"] = _count(db, df, "n", "keysum")
    df["people_status"] = count_statuses(df["people"])
    cols = [
        Column("period", "period"),
        Column("people", "count"),
        Column("people_status", "status"),
    ]
    meta = _meta(db, "quarterly_users", f, f"Quarterly users of {f.element}", measure="people")
    meta["notes"].append("The elements filter is not applied: the element parameter chooses.")
    return ProtectedResult(cols, df, meta)


def demographics(db: Database, f: Filters) -> ProtectedResult:
    """People by age band, gender or ethnic group over the selection, and each one's share."""
    ref = db.reference
    categories = {
        "age_band": ref.age_bands,
        "gender": ref.genders,
        "ethnic_group": ref.ethnic_groups,
    }[f.dimension]
    df = _run(
        db,
        "demographics.sql",
        f,
        by_period=False,
        by_area=False,
        people={"by_category": ("category", "categorised", False)},
        extra={
            "dimension_col": DIMENSION_COLUMNS[f.dimension],
            "total": people_total("total", "by_category_units"),
        },
        extra_params={
            "categories": list(categories),
            "category_order": list(range(len(categories))),
        },
    )
    rows = len(df)
    columns: dict[str, Any] = {
        "dimension": np.full(rows, f.dimension, dtype=object),
        "category": df["category"],
    }
    columns["people"] = people = _count(db, df, "n", "keysum")
    columns["people_status"] = count_statuses(people)
    total_published = _count(db, df.head(1), "total_n", "total_keysum") if rows else None
    total = None
    if total_published is not None and not pd.isna(total_published.iloc[0]):
        total = int(total_published.iloc[0])
    denominator = pd.Series(pd.array([total] * rows, dtype="Int64"))
    columns["share"], columns["share_status"] = shares(people, denominator)
    cols = [
        Column("dimension", "category"),
        Column("category", "category"),
        Column("people", "count"),
        Column("people_status", "status"),
        Column("share", "share"),
        Column("share_status", "status"),
    ]
    meta = _meta(db, "demographics", f, f"People by {f.dimension}", measure="people")
    meta["total_people"] = total
    meta["total_status"] = count_status(total)
    meta["denominator"] = "the selection's published total people (a cell of its own)"
    return ProtectedResult(cols, plain_frame(columns), meta)


ViewFunction = Callable[[Database, Filters], ProtectedResult]
VIEWS: dict[str, ViewFunction] = {
    "area_map": area_map,
    "matrix": matrix,
    "elements": elements,
    "element_compare": element_compare,
    "trend": trend,
    "provision": provision,
    "enablement": enablement,
    "area_compare": area_compare,
    "quarterly_users": quarterly_users,
    "demographics": demographics,
}


def run_view(db: Database, name: str, filters: Filters) -> ProtectedResult:
    """Run a view by name, through the shared result cache when the database has one."""
    view = VIEWS.get(name)
    if view is None:
        raise UnknownView(name)
    if db.cache is None:
        return view(db, filters)
    key = (
        RESULT_VERSION,
        db.meta.get("build_id"),
        str(db.path),
        db.ptable_id,
        db.threshold,
        name,
        filters.cache_key(),
    )
    return get_or_compute(db.cache, key, lambda: view(db, filters))
