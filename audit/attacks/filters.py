"""Differencing by filters: a cell minus the same cell with one element, age band or provision
type taken out of the selection."""

from __future__ import annotations

import pandas as pd

from audit.attacks.common import AREA_LEVELS, money_interval, nested, random_subset, random_year
from audit.model import AttackRun
from audit.publisher import column_counts, column_values

NAME = "filters"
TITLE = "Differencing by filters"
METHOD = (
    "For a random level, year and selection, ask the map for people (and cost) with the "
    "selection, with one element / age band / provision type removed from it, and for the "
    "removed value on its own. Outer minus inner counts the people who used only the removed "
    "value; the removed value's own cell caps that number. Also checks whether a difference of "
    "exactly one person, with both costs published, pins down that person's cost."
)


def _selection(run: AttackRun) -> tuple[str, str, list[str], list[str]]:
    """(filter name, what is removed, the outer selection, its full vocabulary)."""
    ref = run.reference
    kind = run.rng.choice(("elements", "age_bands", "provision"))
    if kind == "elements":
        vocabulary = list(ref.elements)
        if run.rng.random() < 0.5:
            selection = vocabulary
        else:
            service = run.rng.choice(ref.services)
            selection = [c for c, e in ref.elements.items() if e.service_code == service]
            if len(selection) < 2:
                selection = vocabulary
    elif kind == "age_bands":
        vocabulary = list(ref.age_bands)
        selection = vocabulary if run.rng.random() < 0.5 else random_subset(run, vocabulary)
    else:
        vocabulary = list(ref.provision_types)
        selection = vocabulary if run.rng.random() < 0.5 else random_subset(run, vocabulary)
    removed = run.rng.choice(selection)
    return kind, removed, selection, vocabulary


def attack(run: AttackRun) -> None:
    while not run.done:
        kind, removed, selection, vocabulary = _selection(run)
        if len(selection) < 2:
            continue
        level, year = run.rng.choice(AREA_LEVELS), random_year(run)
        base = {"level": level, "from": year, "to": year, "measure": "cost"}
        outer_params = (
            dict(base) if selection == vocabulary else {**base, kind: ",".join(selection)}
        )
        rest = ",".join(v for v in selection if v != removed)
        outer_q, outer_rows = run.ask("area_map", outer_params)
        inner_q, inner_rows = run.ask("area_map", {**base, kind: rest})
        _, alone_rows = run.ask("area_map", {**base, kind: removed})
        outer = (outer_q, _people(outer_rows))
        inner = (inner_q, _people(inner_rows))
        alone = _people(alone_rows)
        outer_cost, inner_cost = (
            column_values(outer_rows, "value"),
            column_values(inner_rows, "value"),
        )
        for area in outer[1]:
            sentence = (
                f"{level} {area}, {year}: {{value}} people used {kind} {removed} and nothing "
                f"else in the selection ({len(selection)} {kind})"
            )
            costs = (outer_cost.get(area), inner_cost.get(area))
            nested(
                run,
                outer,
                inner,
                area,
                area,
                lambda value, s=sentence, c=costs: _with_cost(s.format(value=value), value, c),
                cap=alone.get(area, 0),
            )


def _with_cost(sentence: str, value: int, costs: tuple[float | None, float | None]) -> str:
    """A one-person difference with both costs published also bounds that person's cost."""
    outer, inner = costs
    if value != 1 or outer is None or inner is None:
        return sentence
    lo_o, hi_o = money_interval(outer)
    lo_i, hi_i = money_interval(inner)
    return f"{sentence}; that person's cost in the year lies in £{lo_o - hi_i:,.0f}..£{hi_o - lo_i:,.0f}"


def _people(rows: pd.DataFrame) -> dict[str, int | None]:
    return column_counts(rows, "people")
