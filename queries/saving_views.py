"""What a savings target means in people: the thesis's MIA3 reasoning, as a view.

The thesis reads a 16% saving on MIA3 as "almost 1,000 fewer service users" (T:1879): cut the
people in the same proportion as the spend. Budget figures (Table 14) do not reconcile with
agreement costs, so only the saving's SHARE of the budget carries over to the agreements:

1. share = saving £ / net spend 2015/16 £ (both budget figures);
2. average cost per person = published cost / published people (one whole financial year);
3. the same proportional cut of agreement cost = share x published cost;
4. people implied = that cut / average cost per person (= share x published people).

Only published (protected) people and cost enter; a withheld input withholds the result. It is
a view (not page arithmetic) so the budget page's card and the API give the same rows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from queries.budget_views import NOT_RECONCILED_NOTE, targets_in_pounds, targets_theme
from queries.catalogue import LOW_RELIABILITY_BELOW
from queries.cells import grid, lookup_for, place, single_periods
from queries.database import Database, plain_frame
from queries.filters import FilterError, Filters, check
from queries.result import (
    LOW_RELIABILITY,
    NOT_AVAILABLE,
    PUBLISHED,
    SUPPRESSED,
    Column,
    ProtectedResult,
)
from queries.viewkit import meta

BUDGET_PERIOD_KIND = "fy"
TEXT_KINDS = ("category", "period", "status")
AVERAGE_LABEL = "Average of the four years"
ILLUSTRATION = (
    "An illustration, not a forecast: it assumes the saving falls on people in proportion to "
    "spend and that the average cost per person stays as it is. Budget figures and agreement "
    "costs do not reconcile, so only the saving's share of the budget is carried over."
)
COLUMNS: tuple[Column, ...] = (
    Column("theme", "category"),
    Column("saving_year", "category"),
    Column("saving", "budget"),
    Column("net_spend_2015_16", "budget"),
    Column("saving_share_of_net_spend", "share"),
    Column("basis_year", "period"),
    Column("basis_people", "count"),
    Column("basis_people_status", "status"),
    Column("basis_cost", "money"),
    Column("basis_cost_status", "status"),
    Column("average_cost_per_person", "money"),
    Column("proportional_cut", "money"),
    Column("people_fewer", "change"),  # share x published people: derived, not a count
    Column("people_fewer_status", "status"),
)


@dataclass(frozen=True)
class Basis:
    """'Today': one whole financial year's published people and cost, or why there is none."""

    period: str | None
    people: float | None
    cost: float | None
    reason: str = ""

    @property
    def usable(self) -> bool:
        return (
            self.period is not None
            and self.people is not None
            and self.cost is not None
            and self.people > 0
            and self.cost > 0
        )


def choose_basis(cells: Mapping[str, Any], part_periods: Collection[str]) -> Basis:
    """The latest period of ``cells`` (grid columns period, people, cost: published values,
    missing when [c]) that is not a part period (a part year would misstate the cost per
    person)."""
    whole = [i for i, p in enumerate(cells["period"]) if str(p) not in part_periods]
    if not whole:
        return Basis(None, None, None, "no whole financial year in the range chosen")
    period = str(cells["period"][whole[-1]])
    people, cost = (cells[measure][whole[-1]] for measure in ("people", "cost"))
    people = None if pd.isna(people) else float(people)
    cost = None if pd.isna(cost) else float(cost)
    reason = ""
    if people is None or cost is None:
        withheld = [n for n, v in (("people", people), ("cost", cost)) if v is None]
        reason = f"{' and '.join(withheld)} in {period} withheld ([c])"
    elif people <= 0 or cost <= 0:
        reason = f"no people or no cost in {period}"
    return Basis(period, people, cost, reason)


def _savings(targets: pd.DataFrame) -> list[tuple[str, float]]:
    """(label, saving £) for each target year and for their average (Table 14's 'cost saving
    %' is the average annual saving over the 2015/16 net spend)."""
    pairs = [
        (str(y), float(s))
        for y, s in zip(targets["financial_year"], targets["saving"], strict=True)
    ]
    if pairs:
        pairs.append((AVERAGE_LABEL, sum(s for _, s in pairs) / len(pairs)))
    return pairs


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The records as the view's columns: nullable integer counts (NA where withheld), float
    money and shares, plain object text."""
    columns: dict[str, Any] = {}
    for column in COLUMNS:
        values = [record[column.name] for record in records]
        if column.kind in TEXT_KINDS:
            columns[column.name] = np.array(values, dtype=object)
            continue
        numbers = np.array([np.nan if v is None else v for v in values], dtype="float64")
        if column.kind in ("count", "change"):
            columns[column.name] = pd.array(numbers, dtype="Float64").astype("Int64")
        else:
            columns[column.name] = numbers
    return plain_frame(columns)


def saving_table(targets: pd.DataFrame, basis: Basis) -> tuple[pd.DataFrame, str]:
    """(one row per saving and their average, why the people implied are withheld or "")."""
    if targets.empty:
        return _frame([]), "this theme has no savings targets"
    theme = str(targets["theme"].iloc[0])
    net = float(targets["net_spend_2015_16"].iloc[0])
    low = basis.usable and (basis.people or 0) < LOW_RELIABILITY_BELOW
    records = []
    for label, saving in _savings(targets):
        share = saving / net
        record: dict[str, Any] = {
            "theme": theme,
            "saving_year": label,
            "saving": round(saving),
            "net_spend_2015_16": round(net),
            "saving_share_of_net_spend": round(share, 4),
            "basis_year": basis.period,
            "basis_people": basis.people,
            "basis_people_status": PUBLISHED if basis.people is not None else SUPPRESSED,
            "basis_cost": basis.cost,
            "basis_cost_status": PUBLISHED if basis.cost is not None else SUPPRESSED,
            "average_cost_per_person": None,
            "proportional_cut": None,
            "people_fewer": None,
            "people_fewer_status": SUPPRESSED if basis.period else NOT_AVAILABLE,
        }
        if basis.usable:
            average = basis.cost / basis.people  # type: ignore[operator]
            cut = share * basis.cost  # type: ignore[operator]
            record["average_cost_per_person"] = round(average)
            record["proportional_cut"] = round(cut)
            record["people_fewer"] = round(cut / average)
            record["people_fewer_status"] = LOW_RELIABILITY if low else PUBLISHED
        records.append(record)
    table = _frame(records)
    if not basis.usable:
        return (
            table,
            f"The people implied are withheld: {basis.reason or 'its inputs are withheld'}.",
        )
    return table, ""


def mia_saving(db: Database, f: Filters) -> ProtectedResult:
    """What each of an MIA theme's savings targets means in people: its share of the net
    spend, applied to the published people and cost of the latest whole financial year."""
    if f.period_kind != BUDGET_PERIOD_KIND:
        raise FilterError(
            "period_kind", "savings targets are per financial year", [BUDGET_PERIOD_KIND]
        )
    theme = targets_theme(f)
    if theme is None:
        raise FilterError(
            "themes", "choose the MIA theme whose saving to read", db.reference.themes
        )
    level, area = place(db, f)
    check(f, level=level, single_periods=True)
    lookup = lookup_for(f, level=level, periods=single_periods(db, f), areas=(area,))
    cells = grid(db, lookup, ("period",))
    parts = db.reference.parts_of(f.period_kind, f.period_from, f.period_to)
    basis = choose_basis(cells, parts)
    table, withheld = saving_table(targets_in_pounds(db, theme), basis)
    notes = (ILLUSTRATION, NOT_RECONCILED_NOTE, *([withheld] if withheld else []))
    title = "What the saving means in people (an illustration, not a forecast)"
    m = meta(db, "mia_saving", f, title, notes=notes)
    m["definition"] = (
        "share = saving / net spend 2015/16 (Table 14); average cost per person = published "
        "cost / published people in the basis year; proportional cut = share x published cost; "
        "people fewer = proportional cut / average cost per person."
    )
    m["denominator"] = "published people and cost of the latest whole financial year in range"
    m["withheld"] = withheld
    return ProtectedResult(list(COLUMNS), table, m)
