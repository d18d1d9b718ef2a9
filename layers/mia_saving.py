"""What a savings target means in people: the thesis's MIA3 reasoning, with the arithmetic shown.

The thesis reads a 16% saving on MIA3 as "almost 1,000 fewer service users" (T:1879): cut the
people in the same proportion as the spend. Budget figures (Table 14) do not reconcile with
agreement costs, so only the saving's SHARE of the budget carries over to the agreements:

1. share = saving £ / net spend 2015/16 £ (both budget figures);
2. average cost per person = published cost / published people (one whole financial year);
3. the same proportional cut of agreement cost = share x published cost;
4. people implied = that cut / average cost per person (= share x published people).

Only published (protected) people and cost enter; a withheld input withholds the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from layers.style import format_value, is_missing

AVERAGE_LABEL = "Average of the four years"
ILLUSTRATION = (
    "An illustration, not a forecast: it assumes the saving falls on people in proportion to "
    "spend and that the average cost per person stays as it is. Budget figures and agreement "
    "costs do not reconcile, so only the saving's share of the budget is carried over."
)
#: The columns of the exported table, with their query-layer column kinds.
SAVING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("theme", "category"),
    ("saving_year", "category"),
    ("saving", "money"),
    ("net_spend_2015_16", "money"),
    ("saving_share_of_net_spend", "share"),
    ("basis_year", "period"),
    ("basis_people", "count"),
    ("basis_people_status", "status"),
    ("basis_cost", "money"),
    ("basis_cost_status", "status"),
    ("average_cost_per_person", "money"),
    ("proportional_cut", "money"),
    ("people_fewer", "count"),
    ("people_fewer_status", "status"),
)
#: Published people under this are low reliability ([u]), as the query layer flags shares.
LOW_RELIABILITY_UNDER = 20


@dataclass(frozen=True)
class Basis:
    """'Today': one whole financial year's published people and cost, or why there is none."""

    period: str | None
    people: float | None
    people_status: str
    cost: float | None
    cost_status: str
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


@dataclass(frozen=True)
class SavingMeaning:
    table: pd.DataFrame
    steps: list[str] = field(default_factory=list)
    withheld: str = ""


def _status(value: object) -> str:
    return value if isinstance(value, str) else ""


def choose_basis(
    rows: pd.DataFrame,
    period_ends: Mapping[str, str],
    data_date: str | None,
) -> Basis:
    """The latest financial year in the trend rows that the data covers whole (a part year
    would understate the cost per person), with its published people and cost."""
    whole = [
        str(p)
        for p in rows["period"]
        if data_date is None or str(period_ends.get(str(p), "9999")) <= str(data_date)
    ]
    if not whole:
        return Basis(None, None, "", None, "", "no whole financial year in the range chosen")
    period = whole[-1]
    row = rows[rows["period"].astype(str) == period].iloc[0]
    people_status = _status(row["people_status"])
    cost_status = _status(row["cost_status"])
    people = None if is_missing(row["people"]) or people_status == "[c]" else float(row["people"])
    cost = None if is_missing(row["cost"]) or cost_status == "[c]" else float(row["cost"])
    reason = ""
    if people is None or cost is None:
        withheld = [n for n, v in (("people", people), ("cost", cost)) if v is None]
        reason = f"{' and '.join(withheld)} in {period} withheld ([c])"
    elif people <= 0 or cost <= 0:
        reason = f"no people or no cost in {period}"
    return Basis(period, people, people_status, cost, cost_status, reason)


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


def saving_meaning(targets: pd.DataFrame, basis: Basis) -> SavingMeaning:
    """The table (one row per saving) and the worked steps for the average saving."""
    if targets.empty:
        empty = pd.DataFrame(columns=[c for c, _ in SAVING_COLUMNS])
        return SavingMeaning(empty, [], "this theme has no savings targets")
    theme = str(targets["theme"].iloc[0])
    net = float(targets["net_spend_2015_16"].iloc[0])
    records = []
    low = basis.usable and (basis.people or 0) < LOW_RELIABILITY_UNDER
    for label, saving in _savings(targets):
        share = saving / net
        record: dict[str, object] = {
            "theme": theme,
            "saving_year": label,
            "saving": round(saving),
            "net_spend_2015_16": round(net),
            "saving_share_of_net_spend": round(share, 4),
            "basis_year": basis.period,
            "basis_people": basis.people,
            "basis_people_status": basis.people_status if basis.people is not None else "[c]",
            "basis_cost": basis.cost,
            "basis_cost_status": basis.cost_status if basis.cost is not None else "[c]",
            "average_cost_per_person": None,
            "proportional_cut": None,
            "people_fewer": None,
            "people_fewer_status": "[c]" if basis.period else "[x]",
        }
        if basis.usable:
            average = basis.cost / basis.people  # type: ignore[operator]
            cut = share * basis.cost  # type: ignore[operator]
            record["average_cost_per_person"] = round(average)
            record["proportional_cut"] = round(cut)
            record["people_fewer"] = round(cut / average)
            record["people_fewer_status"] = "[u]" if low else ""
        records.append(record)
    table = pd.DataFrame(records, columns=[c for c, _ in SAVING_COLUMNS])
    if not basis.usable:
        why = basis.reason or "its inputs are withheld"
        return SavingMeaning(table, [], f"The people implied are withheld: {why}.")
    return SavingMeaning(table, worked_steps(theme, net, _savings(targets)[-1][1], basis))


def _money(value: float) -> str:
    return format_value(value, "money")


def _people(value: float) -> str:
    return f"{value:,.0f}"


def _about(value: float) -> str:
    """A rounded figure for prose: two significant figures (934 -> 930, 1,213 -> 1,200)."""
    if value <= 0:
        return "0"
    magnitude = math.floor(math.log10(value))
    rounded = round(value, 1 - magnitude)
    return f"{rounded:,.0f}" if magnitude >= 1 else f"{rounded:,.1f}"


def worked_steps(theme: str, net: float, saving: float, basis: Basis) -> list[str]:
    """The arithmetic in words and numbers, step by step."""
    people, cost = float(basis.people or 0), float(basis.cost or 0)
    share = saving / net
    average = cost / people
    cut = share * cost
    fewer = cut / average
    reliability = (
        " [u] low reliability: fewer than 20 people published."
        if people < LOW_RELIABILITY_UNDER
        else ""
    )
    return [
        f"Saving as a share of spend: {theme}'s average annual savings target "
        f"{_money(saving)} ÷ its net spend 2015/16 {_money(net)} = {share:.1%} "
        "(both budget figures, Table 14).",
        f"Today's average cost per person: the published cost in {basis.period} "
        f"{_money(cost)} ÷ the published people {_people(people)} = {_money(average)} per "
        f"person ({basis.period} is the latest financial year the data covers whole).",
        f"A proportional cut: {share:.1%} of {_money(cost)} = {_money(cut)} less agreement cost.",
        f"People implied: {_money(cut)} ÷ {_money(average)} per person = {fewer:,.0f}, "
        f"about {_about(fewer)} fewer people than the {_people(people)} of {basis.period} "
        f"({share:.1%} of them).{reliability}",
    ]
