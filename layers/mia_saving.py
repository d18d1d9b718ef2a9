"""What a savings target means in people, in words: the worked steps of the thesis's MIA3
reasoning (T:1879) for one row of the query layer's ``mia_saving`` view.

The arithmetic is the view's (queries/saving_views.py, from published people and cost only);
this module only says it step by step, with the numbers the row carries.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from layers.style import format_value

#: The status the view gives a people implied from fewer than 20 published people.
LOW_RELIABILITY = "[u]"


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


def worked_steps(row: Mapping[str, object]) -> list[str]:
    """The arithmetic in words and numbers, step by step, for one row of ``mia_saving`` whose
    people implied are published (its theme, saving, net spend, basis year, people and cost)."""
    theme, period = str(row["theme"]), str(row["basis_year"])
    net, saving = float(row["net_spend_2015_16"]), float(row["saving"])  # type: ignore[arg-type]
    people, cost = float(row["basis_people"]), float(row["basis_cost"])  # type: ignore[arg-type]
    share = saving / net
    average = cost / people
    cut = share * cost
    fewer = cut / average
    reliability = (
        " [u] low reliability: fewer than 20 people published."
        if row.get("people_fewer_status") == LOW_RELIABILITY
        else ""
    )
    return [
        f"Saving as a share of spend: {theme}'s average annual savings target "
        f"{_money(saving)} ÷ its net spend 2015/16 {_money(net)} = {share:.1%} "
        "(both budget figures, Table 14).",
        f"Today's average cost per person: the published cost in {period} "
        f"{_money(cost)} ÷ the published people {_people(people)} = {_money(average)} per "
        f"person ({period} is the latest financial year the data covers whole).",
        f"A proportional cut: {share:.1%} of {_money(cost)} = {_money(cut)} less agreement cost.",
        f"People implied: {_money(cut)} ÷ {_money(average)} per person = {fewer:,.0f}, "
        f"about {_about(fewer)} fewer people than the {_people(people)} of {period} "
        f"({share:.1%} of them).{reliability}",
    ]
