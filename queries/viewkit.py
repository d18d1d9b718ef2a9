"""What every view shares: its metadata, the value of its measure, and status columns.

Values come only from published cells (queries.cells); rates, shares and intervals are
derived from them here (PRIVACY.md §5), never from true values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np

from care_atlas.vocab import SUPPRESSED_MEANING
from queries.catalogue import (
    ALL,
    COUNT_THRESHOLD,
    DOMINANCE_SHARE,
    MEASURES,
    SUPPRESSED_BAND_SHARES,
    what_kind,
)
from queries.database import Database
from queries.derived import count_statuses, rates_per_1000, shares
from queries.filters import FilterError, Filters, check
from queries.result import PUBLISHED, SUPPRESSED, Column

#: Measures a view can show -> (definition, denominator).
MEASURE_DEFINITIONS: dict[str, tuple[str, str]] = {
    **{name: (m.definition, "none (a count)" if m.kind == "count" else "none (a sum of money)")
       for name, m in MEASURES.items()},
    "rate_per_1000": (
        "People per 1,000 residents: published people / population x 1,000.",
        "residents of the area (and age band chosen); ward: ONS mid-2020 estimates, other "
        "levels apportioned by postcode count (an estimate)",
    ),
    "internal_share": (
        "Internal share: people with internal (council-run) provision / (people with internal "
        "+ people with external provision), from published counts.",
        "published people with internal provision + published people with external provision",
    ),
}  # fmt: skip
RULE = (
    "Every number is a published cell of the catalogue, protected at build time on its true "
    "values: counts of 0 to {t_minus} are suppressed [c]; larger counts carry cell key noise "
    "({ptable}; maximum noise D = {d}, variance V = {v}), a multiple of 5, never under {t}, "
    "and {band} are [c] for a share of cells (a soft edge, so [c] is not certainly under {t}). "
    "Money only where the cell's people count is published and the two largest people's costs are "
    "under {dominance:.0%} of it, with noise scaled to the largest single person's cost, "
    "rounded to 3 significant figures. Rates and shares from published values; [u] where the "
    "published numerator is under 20."
)
TOTALS_NOTE = (
    "Totals and 'all' rows are cells of their own, protected on their own: they need not equal "
    "the sum of the published parts."
)
ACTIVITY_NOTE = "Hotspots show service activity, not need."
STATUS_LEGEND = {
    "": "published",
    "[c]": f"suppressed: {SUPPRESSED_MEANING}, an amount dominated by one or two people, or "
    "derived from such a cell",
    "[u]": "low reliability (published numerator under 20)",
    "[z]": "not applicable",
    "[x]": "not available",
}
PROVISION_TYPES: tuple[str, ...] = ("Internal", "External", "Direct payment")
#: A period kind in a note: "not comparable with whole {financial years}".
KIND_PLURALS = {"year": "calendar years", "fy": "financial years", "quarter": "quarters"}


def day_text(iso: str) -> str:
    """'2015-12-31' -> '31 Dec 2015'."""
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"


def part_periods(db: Database, kind: str, first: str, last: str) -> dict[str, str]:
    """Each part period from first to last -> the days the data covers, in words."""
    parts = db.reference.parts_of(kind, first, last)
    return {p: f"{day_text(a)} to {day_text(b)}" for p, (a, b) in parts.items()}


def part_period_note(kind: str, period: str, covered: str) -> str:
    return (
        f"{period} is a part period: the data covers {covered} only, so its counts and costs "
        f"are not comparable with whole {KIND_PLURALS.get(kind, 'periods')}."
    )


def rule_text(db: Database) -> str:
    return RULE.format(
        t=COUNT_THRESHOLD,
        t_minus=COUNT_THRESHOLD - 1,
        band=f"{min(SUPPRESSED_BAND_SHARES)} to {max(SUPPRESSED_BAND_SHARES)}",
        ptable=db.meta.get("ptable", "the noise ptable"),
        d=db.meta.get("ptable_D", "?"),
        v=db.meta.get("ptable_V", "?"),
        dominance=DOMINANCE_SHARE,
    )


def meta(
    db: Database,
    view: str,
    f: Filters,
    title: str,
    *,
    shown: tuple[str, str, str] | None = None,
    notes: tuple[str, ...] = (TOTALS_NOTE, ACTIVITY_NOTE),
    **extra: Any,
) -> dict[str, Any]:
    """A view's metadata: definition, denominator, rule, data date, build, synthetic flag, and
    the part periods among those it shows (`shown`: kind, first, last; default f's range),
    each said in a note after the view's `notes`, so no chart or export passes one off as a
    whole period."""
    definition, denominator = MEASURE_DEFINITIONS[extra.pop("measure", f.measure)]
    kind, first, last = shown or (f.period_kind, f.period_from, f.period_to)
    parts = part_periods(db, kind, first, last)
    out: dict[str, Any] = {
        "view": view,
        "title": title,
        "definition": definition,
        "denominator": denominator,
        "rule": rule_text(db),
        "data_date": db.meta.get("data_date"),
        "build_id": db.meta.get("build_id"),
        "catalogue_version": db.meta.get("catalogue_version"),
        "synthetic": db.synthetic,
        "filters": f.to_params(),
        "statuses": STATUS_LEGEND,
        "part_periods": parts,
        "notes": [
            *notes,
            *(part_period_note(kind, p, covered) for p, covered in parts.items()),
        ],
    }
    out.update(extra)
    return out


def money_statuses(values: np.ndarray) -> np.ndarray:
    """[c] where a published amount is missing (suppressed)."""
    return np.where(np.isnan(np.asarray(values, dtype="float64")), SUPPRESSED, PUBLISHED).astype(
        object
    )


def provision_whats(f: Filters) -> dict[str, str]:
    """Provision type -> the what member of that type within f's selection: the provision
    types of all services, or of the chosen MIA theme (its theme x provision cells)."""
    kind = what_kind(f.what)
    if kind == "all":
        return {p: f"provision:{p}" for p in PROVISION_TYPES}
    if kind == "theme":
        return {p: f"{f.what}:{p}" for p in PROVISION_TYPES}
    raise FilterError(
        "measure",
        "the internal share is published for all services or one MIA theme (theme x provision "
        "cells), not for a single service, element or provision type",
    )


def measure_whats(f: Filters) -> tuple[str, ...]:
    """The what members a measure reads: the selection, or its provision types for shares."""
    if f.measure == "internal_share":
        whats = provision_whats(f)
        return (whats["Internal"], whats["External"])
    return (f.what,)


def check_measure(f: Filters, level: str, *, single_periods: bool = False) -> None:
    """FilterError unless the catalogue has the cells f's measure reads at `level`."""
    for what in measure_whats(f):
        check(f, level=level, what=what, single_periods=single_periods)


def measure_value(
    f: Filters, cells: Mapping[str, Any], population: np.ndarray
) -> tuple[Any, np.ndarray, str]:
    """(values, statuses, column kind) of f's measure over the columns of grid rows keyed
    without what (the share's two provision cells are pivoted by the caller into
    internal/external)."""
    if f.measure == "rate_per_1000":
        values, status = rates_per_1000(cells["people"], population)
        return values, status, "rate"
    if f.measure == "internal_share":
        internal, external = cells["internal_people"], cells["external_people"]
        values, status = shares(internal, internal + external)
        return values, status, "share"
    column = cells[f.measure]
    if MEASURES[f.measure].kind == "money":
        values = np.asarray(column, dtype="float64")
        return values, money_statuses(values), "money"
    return column, count_statuses(column), "count"


def pivot_provision(
    cells: dict[str, Any], whats: dict[str, str], keys: list[str]
) -> dict[str, Any]:
    """Grid columns (queries.cells.grid) keyed (*keys, "what") with `whats`' members,
    in order, as the what axis (it varies fastest) -> columns of one row per key with each
    type's published people and cost as <type>_people / <type>_cost."""
    n = len(whats)
    if list(cells["what"][:n]) != list(whats.values()):
        raise ValueError("the grid's last axis is not the provision types' what members")
    columns: dict[str, Any] = {key: cells[key][::n] for key in keys}
    for j, provision in enumerate(whats):
        prefix = provision.split()[0].lower()
        columns[f"{prefix}_people"] = cells["people"][j::n]
        columns[f"{prefix}_cost"] = cells["cost"][j::n]
    return columns


#: The enablement columns every MIA17 view shows, with their kinds.
ENABLEMENT_COLUMNS: tuple[Column, ...] = (
    Column("people", "count"),
    Column("people_status", "status"),
    Column("people_over_6w", "count"),
    Column("over_6w_status", "status"),
    Column("share_over_6w", "share"),
    Column("share_status", "status"),
    Column("cost_beyond_42", "money"),
    Column("cost_status", "status"),
)
ENABLEMENT_DENOMINATOR = "published people with an MIA17 enablement agreement (the same cell)"


def enablement_values(cells: Mapping[str, Any]) -> dict[str, Any]:
    """ENABLEMENT_COLUMNS of grid columns: the published people and people beyond 6 weeks, the
    share of the two (from published values only) and the published cost beyond day 42."""
    people, over = cells["people"], cells["people_over_6w"]
    share, share_status = shares(over, people)
    cost = np.asarray(cells["cost_beyond_42"], dtype="float64")
    return {
        "people": people,
        "people_status": count_statuses(people),
        "people_over_6w": over,
        "over_6w_status": count_statuses(over),
        "share_over_6w": share,
        "share_status": share_status,
        "cost_beyond_42": cost,
        "cost_status": money_statuses(cost),
    }


def all_breakdowns(f: Filters) -> bool:
    return f.what == ALL and all(v == ALL for v in f.breakdowns.values())
