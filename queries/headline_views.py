"""The landing page's headline figures: people, agreements and cost in the latest period of
the selection, each beside the period before it.

Both periods are published cells of the catalogue (the trend's cells), and the change is
their difference, so it is derived from published values only (PRIVACY.md §5): where either
cell is [c], so is the change.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from queries.cells import grid, lookup_for
from queries.database import Database, plain_frame
from queries.filters import Filters, check
from queries.result import NOT_APPLICABLE, PUBLISHED, SUPPRESSED, Column, ProtectedResult
from queries.viewkit import meta, part_periods

#: The headline measures, in the order the page shows them: (column, cell measure, words).
HEADLINES: tuple[tuple[str, str, str], ...] = (
    ("people", "people", "People using services"),
    ("agreements", "agreements_active", "Active agreements"),
    ("cost", "cost", "Cost in the period"),
)


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _one(value: object, dtype: str = "object") -> np.ndarray | ExtensionArray:
    """A one-row column: text as it is, or an Int64 / Float64 number (NA when None), made
    directly (pd.array infers the type of each of the 27 and took a fifth of the view)."""
    if dtype == "object":
        return np.array([value], dtype=object)
    missing = np.array([value is None])
    number = 0 if value is None else value
    if dtype == "Int64":
        return pd.arrays.IntegerArray(np.array([number], dtype=np.int64), missing)
    return pd.arrays.FloatingArray(np.array([number], dtype=np.float64), missing)


def change_between(latest: float | None, previous: float | None) -> tuple[float | None, str]:
    """(latest - previous, direction in words) of two published values; (None, "") when
    either is withheld, so a change is never shown for a suppressed cell."""
    if latest is None or previous is None:
        return None, ""
    change = latest - previous
    return change, "up" if change > 0 else "down" if change < 0 else "no change"


def _place(db: Database, f: Filters) -> tuple[str, str]:
    if f.area is not None:
        return f.level, f.area
    if f.within is not None:
        parent = db.reference.areas.get("ward", {})
        return ("ward" if f.within in parent else "district"), f.within
    return "city", db.reference.city_code()


def _periods(db: Database, f: Filters) -> tuple[str, str | None, str, bool]:
    """(latest, the one before it, a note, whether the two compare): the latest whole period
    of the chosen range (a part period is not comparable with whole ones), else its end; the
    note says why a part period is left out, or that one shown is one."""
    labels = db.reference.periods[f.period_kind]
    chosen = labels[labels.index(f.period_from) : labels.index(f.period_to) + 1]
    covered = part_periods(db, f.period_kind, labels[0], labels[-1])
    whole = [p for p in chosen if p not in covered]
    latest = whole[-1] if whole else chosen[-1]
    index = labels.index(latest)
    previous = labels[index - 1] if index > 0 else None
    if latest in covered:
        note = f"{latest} is a part period (data for {covered[latest]} only): no change shown"
    elif chosen[-1] != latest:
        note = f"{chosen[-1]} is left out: a part period (data for {covered[chosen[-1]]} only)"
    elif previous in covered:
        note = f"No change shown: {previous} is a part period (data for {covered[previous]} only)"
    else:
        note = ""
    comparable = previous is not None and latest not in covered and previous not in covered
    return latest, previous, note, comparable


def headlines(db: Database, f: Filters) -> ProtectedResult:
    """One row: for each headline measure, the latest whole period of the chosen range, the
    one before it and the change between them (a ratio of the earlier figure too)."""
    level, area = _place(db, f)
    latest, previous, note, comparable = _periods(db, f)
    periods = (latest,) if previous is None else (previous, latest)
    g = Filters(**{**f.__dict__, "period_from": latest, "period_to": latest, "level": level})
    check(g, level=level, single_periods=True)
    lookup = lookup_for(g, level=level, periods=periods, areas=(area,))
    cells = grid(db, lookup, ("period",))
    at = {period: i for i, period in enumerate(cells["period"])}
    columns: dict[str, object] = {
        "period": _one(latest),
        "previous_period": _one(previous or ""),
        "period_note": _one(note),
    }
    cols = [
        Column("period", "period"),
        Column("previous_period", "period"),
        Column("period_note", "category"),
    ]
    for column, measure, _words in HEADLINES:
        kind = "money" if measure == "cost" else "count"
        now = _number(cells[measure][at[latest]])
        before = _number(cells[measure][at[previous]]) if previous is not None else None
        change, direction = change_between(now, before) if comparable else (None, "")
        ratio = None if change is None or not before else round(change / before, 4)
        dtype = "Float64" if kind == "money" else "Int64"
        for suffix, value in (("", now), ("_previous", before), ("_change", change)):
            columns[f"{column}{suffix}"] = _one(value, dtype)
            status = PUBLISHED if value is not None else SUPPRESSED
            if suffix == "_change" and not comparable or suffix and previous is None:
                status = NOT_APPLICABLE  # none before it, or a part period on either side
            columns[f"{column}{suffix}_status"] = _one(status)
            value_kind = "change" if suffix == "_change" else kind
            cols += [
                Column(f"{column}{suffix}", value_kind),
                Column(f"{column}{suffix}_status", "status"),
            ]
        columns[f"{column}_change_ratio"] = _one(ratio, "Float64")
        columns[f"{column}_direction"] = _one(direction)
        cols += [
            Column(f"{column}_change_ratio", "share"),
            Column(f"{column}_direction", "category"),
        ]
    m = meta(db, "headlines", f, "Headline figures, latest period against the one before")
    m["definition"] = (
        "People using services, agreements active and their cost in the latest period of the "
        "chosen range, each against the period before it; the change is the difference of the "
        "two published figures."
    )
    m["denominator"] = "none (counts and a sum of money)"
    m["place"] = {"level": level, "area": area}
    return ProtectedResult(cols, plain_frame(columns), m)
