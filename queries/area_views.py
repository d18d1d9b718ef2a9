"""Views with one row per area: the map, the postcode/year matrix, provision, enablement and
the comparison with the city. Each looks up its cells (queries.cells), derives what it shows
from published values and frames it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from queries.catalogue import what_kind
from queries.cells import (
    area_names,
    grid,
    lookup_for,
    populations,
    shown_areas,
    single_periods,
)
from queries.database import Database, plain_frame
from queries.derived import (
    Z95,
    Z998,
    byar_bounds,
    compare_with_benchmark,
    count_statuses,
    shares,
    wilson_bounds,
)
from queries.filters import FilterError, Filters, check, check_member
from queries.result import Column, ProtectedResult
from queries.viewkit import (
    ENABLEMENT_COLUMNS,
    ENABLEMENT_DENOMINATOR,
    PROVISION_TYPES,
    check_measure,
    enablement_values,
    measure_value,
    measure_whats,
    meta,
    money_statuses,
    pivot_provision,
    provision_whats,
)


def _measure_cells(
    db: Database, f: Filters, periods: tuple[str, ...], *, city: bool = False
) -> dict[str, Any]:
    """Columns of area (x period) rows of f's measure at f.level with names and residents;
    with `city`, the city's own cell of the same selection as a last row."""
    areas = shown_areas(db, f)
    names = area_names(db, f.level, areas)
    population = populations(db, f.level, areas, f.age_band)
    if city:
        code = db.reference.city_code()
        areas = [*areas, code]
        names = np.append(names, area_names(db, "city", [code]))
        population = np.append(population, populations(db, "city", [code], f.age_band))
    whats = measure_whats(f)
    lookup = lookup_for(f, periods=periods, whats=whats, areas=tuple(areas), city=city)
    if f.measure == "internal_share":
        types = dict(zip(("Internal", "External"), whats, strict=True))
        cells = grid(db, lookup, ("area_code", "period", "what"))
        columns = pivot_provision(cells, types, ["area_code", "period"])
    else:
        columns = grid(db, lookup, ("area_code", "period"))
    # Rows run area by area, each over the periods.
    columns["area_name"] = np.repeat(names, len(periods))
    columns["population"] = np.repeat(population, len(periods))
    return columns


def ratio_parts(measure: str, cells: Mapping[str, Any]) -> tuple[dict, list[Column]]:
    """The published numerator and denominator beside a rate or a share, so a reader (and a
    spreadsheet) can check the division: people and residents (ONS) for a rate per 1,000,
    internal people and internal + external people for the internal share; none otherwise."""
    if measure == "rate_per_1000":
        people = cells["people"]
        columns = {
            "people": people,
            "people_status": count_statuses(people),
            "population": cells["population"],
        }
        kinds = [("people", "count"), ("people_status", "status"), ("population", "population")]
    elif measure == "internal_share":
        internal = cells["internal_people"]
        total = internal + cells["external_people"]
        columns = {
            "internal_people": internal,
            "internal_people_status": count_statuses(internal),
            "people": total,
            "people_status": count_statuses(total),
        }
        kinds = [
            ("internal_people", "count"),
            ("internal_people_status", "status"),
            ("people", "count"),
            ("people_status", "status"),
        ]
    else:
        return {}, []
    return columns, [Column(name, kind) for name, kind in kinds]


def area_map(db: Database, f: Filters) -> ProtectedResult:
    """One row per area at the chosen level: the chosen measure and the people count."""
    check_member(f, db.reference)
    check_measure(f, f.level)
    cells = _measure_cells(db, f, (f.period,))
    values, status, kind = measure_value(f, cells, cells["population"])
    columns = {
        "area_code": cells["area_code"],
        "area_name": cells["area_name"],
        "value": values,
        "value_status": status,
    }
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("value", kind),
        Column("value_status", "status"),
    ]
    parts, part_cols = ratio_parts(f.measure, cells)
    if not parts:
        people = cells["people"]
        parts = {"people": people, "people_status": count_statuses(people)}
        part_cols = [Column("people", "count"), Column("people_status", "status")]
    columns.update(parts)
    cols += part_cols
    title = f"{f.measure} by {f.level}"
    return ProtectedResult(
        cols, plain_frame(columns), meta(db, "area_map", f, title, value_kind=kind)
    )


def matrix(db: Database, f: Filters) -> ProtectedResult:
    """Areas x single periods of the chosen measure (the postcode/year matrix)."""
    check_measure(f, f.level, single_periods=True)
    cells = _measure_cells(db, f, single_periods(db, f))
    values, status, kind = measure_value(f, cells, cells["population"])
    columns = {
        "area_code": cells["area_code"],
        "area_name": cells["area_name"],
        "period": cells["period"],
        "value": values,
        "value_status": status,
    }
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("period", "period"),
        Column("value", kind),
        Column("value_status", "status"),
    ]
    parts, part_cols = ratio_parts(f.measure, cells)
    columns.update(parts)
    cols += part_cols
    title = f"{f.measure} by {f.level} and {f.period_kind}"
    return ProtectedResult(
        cols, plain_frame(columns), meta(db, "matrix", f, title, value_kind=kind)
    )


def provision(db: Database, f: Filters) -> ProtectedResult:
    """People and cost by provision type per area and single period, and the internal share."""
    whats = provision_whats(f)
    for what in whats.values():
        check(f, what=what, single_periods=True)
    areas = shown_areas(db, f)
    lookup = lookup_for(
        f, periods=single_periods(db, f), whats=tuple(whats.values()), areas=tuple(areas)
    )
    cells = pivot_provision(
        grid(db, lookup, ("area_code", "period", "what")), whats, ["area_code", "period"]
    )
    columns: dict = {
        "area_code": cells["area_code"],
        "area_name": np.repeat(area_names(db, f.level, areas), len(lookup.periods)),
        "period": cells["period"],
    }
    prefixes = [p.split()[0].lower() for p in PROVISION_TYPES]
    for prefix in prefixes:
        columns[f"{prefix}_people"] = cells[f"{prefix}_people"]
        columns[f"{prefix}_people_status"] = count_statuses(cells[f"{prefix}_people"])
    internal = cells["internal_people"]
    columns["internal_share"], columns["internal_share_status"] = shares(
        internal, internal + cells["external_people"]
    )
    for prefix in prefixes:
        cost = cells[f"{prefix}_cost"]
        columns[f"{prefix}_cost"], columns[f"{prefix}_cost_status"] = cost, money_statuses(cost)
    cols = [Column("area_code", "area"), Column("area_name", "area"), Column("period", "period")]
    for prefix in prefixes:
        cols += [Column(f"{prefix}_people", "count"), Column(f"{prefix}_people_status", "status")]
    cols += [Column("internal_share", "share"), Column("internal_share_status", "status")]
    for prefix in prefixes:
        cols += [Column(f"{prefix}_cost", "money"), Column(f"{prefix}_cost_status", "status")]
    m = meta(db, "provision", f, "Internal vs external provision", measure="internal_share")
    return ProtectedResult(cols, plain_frame(columns), m)


def _enablement_what(f: Filters) -> str:
    """The MIA17 selection: the chosen MIA17 theme part or element, else theme MIA17."""
    kind = what_kind(f.what)
    if kind in ("theme", "theme_provision") and f.what.startswith("theme:MIA17"):
        return f.what
    if kind == "element":
        return f.what
    return "theme:MIA17"


def enablement(db: Database, f: Filters) -> ProtectedResult:
    """MIA17 enablement by area: share of people beyond 6 weeks and the cost beyond day 42."""
    check_member(f, db.reference)
    what = _enablement_what(f)
    check(f, what=what)
    areas = shown_areas(db, f)
    cells = grid(db, lookup_for(f, whats=(what,), areas=tuple(areas)), ("area_code",))
    columns = {
        "area_code": cells["area_code"],
        "area_name": area_names(db, f.level, cells["area_code"]),
        **enablement_values(cells),
    }
    cols = [Column("area_code", "area"), Column("area_name", "area"), *ENABLEMENT_COLUMNS]
    m = meta(db, "enablement", f, "Enablement beyond 6 weeks (MIA17)", measure="people_over_6w")
    m["denominator"] = ENABLEMENT_DENOMINATOR
    m["what"] = what
    return ProtectedResult(cols, plain_frame(columns), m)


def _with_interval(f: Filters, cells: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """value, value_status and 95% / 99.8% intervals from published counts, as columns."""
    if f.measure == "internal_share":
        internal = cells["internal_people"]
        total = internal + cells["external_people"]
        x = internal.to_numpy(dtype="float64", na_value=np.nan)
        n = total.to_numpy(dtype="float64", na_value=np.nan)
        value, status = shares(internal, total)
        bounds = [wilson_bounds(x, n, z) for z in (Z95, Z998)]
    else:
        population = cells["population"]
        count = cells["people"].to_numpy(dtype="float64", na_value=np.nan)
        value, status, _kind = measure_value(replace(f, measure="rate_per_1000"), cells, population)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = 1000.0 / population
        bounds = [tuple(np.round(b * scale, 2) for b in byar_bounds(count, z)) for z in (Z95, Z998)]
    shown = ~np.isnan(np.asarray(value, dtype="float64"))
    columns = {"value": np.asarray(value, dtype="float64"), "value_status": status}
    for (lo, hi), suffix in zip(bounds, ("95", "998"), strict=True):
        columns[f"lower{suffix}"] = np.where(shown, np.round(lo, 4), np.nan)
        columns[f"upper{suffix}"] = np.where(shown, np.round(hi, 4), np.nan)
    return columns


def area_compare(db: Database, f: Filters) -> ProtectedResult:
    """Each area's rate per 1,000 (or internal share) against the city's, with 95% and
    99.8% intervals: higher / similar / lower where the city's value lies outside / inside."""
    if f.measure not in ("people", "rate_per_1000", "internal_share"):
        raise FilterError(
            "measure", "area_compare compares rates or shares", ["rate_per_1000", "internal_share"]
        )
    check_member(f, db.reference)
    g = f if f.measure == "internal_share" else replace(f, measure="rate_per_1000")
    check_measure(g, f.level)
    check_measure(g, "city")
    # One lookup: the areas' cells and, last, the city's own cell of the same selection.
    compared = f.level != "city"  # the city compared with itself is its one row
    both = _measure_cells(db, g, (f.period,), city=compared)
    cells = {name: column[:-1] for name, column in both.items()} if compared else both
    city = _with_interval(g, {name: column[-1:] for name, column in both.items()})
    columns = {"area_code": cells["area_code"], "area_name": cells["area_name"]}
    columns.update(_with_interval(g, cells))
    parts, part_cols = ratio_parts(g.measure, cells)
    rows = len(cells["area_code"])
    city_value = float(city["value"][0])
    columns["city_value"] = np.full(rows, city_value)
    columns["city_status"] = np.full(rows, city["value_status"][0], dtype=object)
    for col, lo, hi in (
        ("comparison", "lower95", "upper95"),
        ("comparison_998", "lower998", "upper998"),
    ):
        columns[col] = compare_with_benchmark(columns[lo], columns[hi], city_value)
    kind = "share" if g.measure == "internal_share" else "rate"
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
        *part_cols,
    ]
    columns.update(parts)
    method = (
        "Wilson score intervals" if kind == "share" else "Byar's approximation to exact Poisson"
    ) + (
        " at 95% and 99.8%, from published counts. higher / lower: the city's value lies "
        "outside the area's interval; similar: inside."
    )
    m = meta(
        db, "area_compare", g, f"{f.level} compared with the city", value_kind=kind, method=method
    )
    return ProtectedResult(cols, plain_frame(columns), m)
