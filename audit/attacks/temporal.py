"""Temporal differencing: year N minus year N-1 for the same area, a year (or financial year)
minus the quarters inside it, and agreements started over every range of consecutive
quarters."""

from __future__ import annotations

from audit.attacks.common import (
    AREA_LEVELS,
    additive_system,
    nested,
    quarters_inside,
    take_turns,
    years,
)
from audit.model import AttackRun, CellRef

NAME = "temporal"
TITLE = "Temporal differencing"
METHOD = (
    "People: years N-1..N minus year N-1 (people new in N) and minus year N (people who left), "
    "each capped by the other year's own cell; a year or financial year minus its first three "
    "and its last three quarters, capped by the remaining quarter. Agreements started: every "
    "range of up to 6 consecutive quarters (21 cells per area), solved exactly as one system of "
    "sums, so each quarter and each range is bounded by all the others."
)
#: Consecutive quarters combined in one agreements-started system (all ranges asked).
SYSTEM_QUARTERS = 6
LEVELS = ("city", *AREA_LEVELS)


def year_pairs(run: AttackRun) -> None:
    labels = years(run)
    if len(labels) < 2:
        return
    n = run.rng.randrange(1, len(labels))
    prev, year = labels[n - 1], labels[n]
    level = run.rng.choice(LEVELS)
    both = run.counts("area_map", {"level": level, "from": prev, "to": year}, "people")
    first = run.counts("area_map", {"level": level, "from": prev, "to": prev}, "people")
    second = run.counts("area_map", {"level": level, "from": year, "to": year}, "people")
    for area in both[1]:
        nested(
            run,
            both,
            first,
            area,
            area,
            f"{level} {area}: {{value}} people active in {year} were not active in {prev}",
            cap=second[1].get(area, 0),
        )
        nested(
            run,
            both,
            second,
            area,
            area,
            f"{level} {area}: {{value}} people active in {prev} were not active in {year}",
            cap=first[1].get(area, 0),
        )


def period_minus_quarters(run: AttackRun) -> None:
    kind = run.rng.choice(("year", "fy"))
    period = run.rng.choice(run.reference.periods[kind])
    quarters = quarters_inside(run, kind, period)
    if len(quarters) < 2:
        return
    level = run.rng.choice(LEVELS)
    whole = run.counts(
        "area_map", {"level": level, "period_kind": kind, "from": period, "to": period}, "people"
    )
    q = {"level": level, "period_kind": "quarter"}
    head = run.counts("area_map", {**q, "from": quarters[0], "to": quarters[-2]}, "people")
    tail = run.counts("area_map", {**q, "from": quarters[1], "to": quarters[-1]}, "people")
    last = run.counts("area_map", {**q, "from": quarters[-1], "to": quarters[-1]}, "people")
    first = run.counts("area_map", {**q, "from": quarters[0], "to": quarters[0]}, "people")
    for area in whole[1]:
        nested(
            run,
            whole,
            head,
            area,
            area,
            f"{level} {area}: {{value}} people active in {period} were active only in "
            f"{quarters[-1]}",
            cap=last[1].get(area, 0),
        )
        nested(
            run,
            whole,
            tail,
            area,
            area,
            f"{level} {area}: {{value}} people active in {period} were active only in "
            f"{quarters[0]}",
            cap=first[1].get(area, 0),
        )


def started_ranges(run: AttackRun) -> None:
    labels = run.reference.periods.get("quarter", ())
    k = min(SYSTEM_QUARTERS, len(labels))
    if k < 2:
        return
    start = run.rng.randrange(0, len(labels) - k + 1)
    quarters = labels[start : start + k]
    level = run.rng.choice(LEVELS)
    base = {"level": level, "period_kind": "quarter", "measure": "agreements_started"}
    asked = {
        (a, b): run.counts(
            "area_map", {**base, "from": quarters[a - 1], "to": quarters[b - 1]}, "value"
        )
        for a in range(1, k + 1)
        for b in range(a, k + 1)
    }
    for area in asked[(1, k)][1]:
        cells = {
            rng: (CellRef("area_map", q, area, "value"), counts.get(area, 0))
            for rng, (q, counts) in asked.items()
        }
        parts = [cells[(i, i)] for i in range(1, k + 1)]
        totals = [(a, b, *cells[(a, b)]) for (a, b) in cells if a != b]
        describe = {
            (a, b): f"{level} {area}: exactly {{value}} agreements started in "
            + (quarters[a - 1] if a == b else f"{quarters[a - 1]}..{quarters[b - 1]}")
            for (a, b) in cells
        }
        additive_system(run, parts, totals, describe)


def attack(run: AttackRun) -> None:
    steps = (year_pairs, period_minus_quarters, started_ranges)
    take_turns(run, steps)
