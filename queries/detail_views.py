"""Views of one place: top elements, two elements compared by area, the trend over periods,
quarterly users of one element and the demographic profile. Each looks up its cells
(queries.cells), derives what it shows from published values and frames it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from queries.budget_views import target_records
from queries.catalogue import ALL, what_kind, what_member
from queries.cells import area_names, grid, lookup_for, place, shown_areas, single_periods
from queries.database import Database, plain_frame
from queries.derived import count_status, count_statuses, profile_columns
from queries.filters import FilterError, Filters, check, check_member
from queries.result import Column, ProtectedResult
from queries.viewkit import meta, money_statuses


def _elements_in(db: Database, f: Filters) -> list[str]:
    """The elements of the selection: all, or those of the chosen service, theme or type."""
    kind, values = what_kind(f.what), f.what.split(":")[1:]
    out = []
    for code, e in db.reference.elements.items():
        keep = {
            "all": True,
            "element": code == (values[0] if values else None),
            "service": e.service_code == (values[0] if values else None),
            "theme": e.mia_theme == (values[0] if values else None),
            "provision": e.provision_type == (values[0] if values else None),
            "theme_provision": values == [e.mia_theme, e.provision_type],
        }[kind]
        if keep:
            out.append(code)
    return out


def elements(db: Database, f: Filters) -> ProtectedResult:
    """Top N elements by published people, for the city or the chosen area."""
    check_member(f, db.reference)
    level, area = place(db, f)
    codes = _elements_in(db, f)
    whats = tuple(what_member("element", c) for c in codes)
    if whats:
        check(f, level=level, what=whats[0])
    cells = grid(db, lookup_for(f, level=level, whats=whats, areas=(area,)), ("what",))
    people = cells["people"]
    published = people.to_numpy(dtype="float64", na_value=np.nan)
    codes_arr = np.array([w.split(":", 1)[1] for w in cells["what"]], dtype=object)
    suppressed = np.isnan(published)
    # Ranked by published people (never true counts), suppressed last, then element code.
    top = np.lexsort((codes_arr, -np.where(suppressed, 0, published), suppressed))[: f.top_n]
    top = top[np.where(suppressed[top], True, published[top] > 0)]
    chosen = codes_arr[top]
    ref = db.reference.elements
    cost = cells["cost"][top]
    agreements = cells["agreements_active"][top]
    columns = {
        "element_code": chosen,
        "element_description": np.array([ref[c].description for c in chosen], dtype=object),
        "provision_type": np.array([ref[c].provision_type for c in chosen], dtype=object),
        "people": people[top],
        "people_status": count_statuses(people[top]),
        "agreements": agreements,
        "agreements_status": count_statuses(agreements),
        "cost": cost,
        "cost_status": money_statuses(cost),
    }
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
    m = meta(db, "elements", f, f"Top {f.top_n} elements", measure="people")
    m["notes"].append("Ranked by published people count; suppressed elements rank last.")
    return ProtectedResult(cols, plain_frame(columns), m)


def element_compare(db: Database, f: Filters) -> ProtectedResult:
    """People using element A and element B in each area, and the difference."""
    for name in ("element_a", "element_b"):
        if getattr(f, name) is None:
            raise FilterError(name, "choose two elements to compare", list(db.reference.elements))
    if f.element_a == f.element_b:
        raise FilterError("element_b", "must differ from element_a")
    check_member(f, db.reference)
    pair = (what_member("element", f.element_a), what_member("element", f.element_b))
    check(f, what=pair[0])
    areas = shown_areas(db, f)
    cells = grid(db, lookup_for(f, whats=pair, areas=tuple(areas)), ("area_code", "what"))
    # The what axis varies fastest: each area's A, then its B.
    codes, a, b = cells["area_code"][0::2], cells["people"][0::2], cells["people"][1::2]
    difference = a - b
    columns = {
        "area_code": codes,
        "area_name": area_names(db, f.level, codes),
        "a_people": a,
        "a_status": count_statuses(a),
        "b_people": b,
        "b_status": count_statuses(b),
        "difference": difference,
        "difference_status": count_statuses(difference),
    }
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
    m = meta(db, "element_compare", f, f"{f.element_a} vs {f.element_b}", measure="people")
    m["notes"].append("The difference is of two published counts, each protected on its own.")
    return ProtectedResult(cols, plain_frame(columns), m)


def trend(db: Database, f: Filters) -> ProtectedResult:
    """Per single period: agreements active (records), people and cost in period."""
    level, area = place(db, f)
    check(f, level=level, single_periods=True)
    lookup = lookup_for(f, level=level, periods=single_periods(db, f), areas=(area,))
    cells = grid(db, lookup, ("period",))
    cost = cells["cost"]
    columns = {
        "period": cells["period"],
        "agreements": cells["agreements_active"],
        "agreements_status": count_statuses(cells["agreements_active"]),
        "people": cells["people"],
        "people_status": count_statuses(cells["people"]),
        "cost": cost,
        "cost_status": money_statuses(cost),
    }
    cols = [
        Column("period", "period"),
        Column("agreements", "count"),
        Column("agreements_status", "status"),
        Column("people", "count"),
        Column("people_status", "status"),
        Column("cost", "money"),
        Column("cost_status", "status"),
    ]
    m = meta(
        db, "trend", f, f"Active agreements, people and cost per {f.period_kind}", measure="people"
    )
    if what_kind(f.what) in ("theme", "theme_provision"):
        theme = f.what.split(":")[1]
        m["savings_targets"] = target_records(db, theme)
        m["notes"].append(
            "Savings targets are budget targets, not sums of agreement costs: they do not "
            "reconcile."
        )
    return ProtectedResult(cols, plain_frame(columns), m)


def _quarters(db: Database, f: Filters) -> tuple[str, ...]:
    """The quarters covering the chosen period range (any period kind)."""
    dates = db.reference.period_dates
    start = dates[(f.period_kind, f.period_from)][0]
    end = dates[(f.period_kind, f.period_to)][1]
    quarters = tuple(
        q
        for q in db.reference.periods.get("quarter", ())
        if dates[("quarter", q)][0] >= start and dates[("quarter", q)][1] <= end
    )
    if not quarters:
        raise FilterError("from", "no whole quarter lies inside the chosen period range")
    return quarters


def quarterly_users(db: Database, f: Filters) -> ProtectedResult:
    """Distinct people per quarter using one element (e.g. CHIRDRT, about 100 a quarter)."""
    if f.element is None:
        raise FilterError("element", "choose an element", list(db.reference.elements))
    level, area = place(db, f)
    g = replace(f, period_kind="quarter", what=what_member("element", f.element))
    check(g, level=level, single_periods=True)
    quarters = _quarters(db, f)
    lookup = lookup_for(g, level=level, periods=quarters, areas=(area,))
    cells = grid(db, lookup, ("period",))
    columns = {
        "period": cells["period"],
        "people": cells["people"],
        "people_status": count_statuses(cells["people"]),
    }
    cols = [
        Column("period", "period"),
        Column("people", "count"),
        Column("people_status", "status"),
    ]
    title = f"Quarterly users of {f.element}"
    shown = ("quarter", quarters[0], quarters[-1])
    m = meta(db, "quarterly_users", f, title, measure="people", shown=shown)
    m["notes"].append("The element parameter chooses the element; other what filters do not apply.")
    return ProtectedResult(cols, plain_frame(columns), m)


#: A profile's columns: each category's people and share, with the share's denominator.
DEMOGRAPHIC_COLUMNS: tuple[Column, ...] = (
    Column("dimension", "category"),
    Column("category", "category"),
    Column("people", "count"),
    Column("people_status", "status"),
    Column("share", "share"),
    Column("share_status", "status"),
    Column("total_people", "count"),
    Column("total_people_status", "status"),
)


def demographics(db: Database, f: Filters) -> ProtectedResult:
    """People by age band, gender or ethnic group over the selection, and each one's share."""
    check_member(f, db.reference)
    level, area = place(db, f)
    ref = db.reference
    categories = {
        "age_band": ref.age_bands,
        "gender": ref.genders,
        "ethnic_group": ref.ethnic_groups,
    }[f.dimension]
    field = {"age_band": "age_bands", "gender": "genders", "ethnic_group": "ethnic_groups"}
    if getattr(f, f.dimension) != ALL:
        raise FilterError(
            field[f.dimension], "is the profile's own dimension: leave it at all (no value)"
        )
    check(f, level=level, **{f.dimension: categories[0]})
    # One lookup: the selection's own total (the dimension at all) first, then each category.
    members = {field[f.dimension]: (ALL, *categories)}
    both = grid(db, lookup_for(f, level=level, areas=(area,), **members), (f.dimension,))
    total = both["people"][0]
    total = None if pd.isna(total) else int(total)
    people = both["people"][1:]
    denominator = pd.array([total] * len(people), dtype="Int64")
    columns = profile_columns(f.dimension, both[f.dimension][1:], people, denominator)
    cols = list(DEMOGRAPHIC_COLUMNS)
    m = meta(db, "demographics", f, f"People by {f.dimension}", measure="people")
    m["total_people"] = total
    m["total_status"] = count_status(total)
    m["denominator"] = "the selection's published total people (a cell of its own)"
    return ProtectedResult(cols, plain_frame(columns), m)
