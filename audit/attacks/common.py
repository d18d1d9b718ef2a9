"""Pieces the attacks share: random choices of filters, nested differencing, range systems."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from audit import ranges
from audit.model import AttackRun, CellRef
from audit.publisher import Params

#: Levels with areas (area_map rows) an attacker can difference.
AREA_LEVELS: tuple[str, ...] = ("sector", "ward", "district", "h3r8")


def years(run: AttackRun) -> tuple[str, ...]:
    return run.reference.periods["year"]


def random_year(run: AttackRun) -> str:
    return run.rng.choice(years(run))


def random_subset(run: AttackRun, values: Sequence[str], at_least: int = 2) -> list[str]:
    """A random subset of `values` of at least `at_least` items, in their original order."""
    size = run.rng.randint(min(at_least, len(values)), len(values))
    chosen = set(run.rng.sample(list(values), size))
    return [v for v in values if v in chosen]


def quarters_inside(run: AttackRun, kind: str, period: str) -> list[str]:
    """The quarters lying inside a year or financial year, in time order."""
    dates = run.reference.period_dates
    start, end = dates[(kind, period)]
    return [
        q
        for q in run.reference.periods.get("quarter", ())
        if dates[("quarter", q)][0] >= start and dates[("quarter", q)][1] <= end
    ]


def nested(
    run: AttackRun,
    outer: tuple[Params, Mapping[str, int | None]],
    inner: tuple[Params, Mapping[str, int | None]],
    outer_area: str,
    inner_area: str,
    description: str | Callable[[int], str],
    *,
    view: str = "area_map",
    column: str = "people",
    cap: int | None | str = "none",
) -> int | None:
    """Difference an outer cell and a cell nested inside it (its units are among outer's).

    The true difference counts the units in outer but not inner. `cap` is the published value
    of a cell known to hold all of those units (the removed element on its own, say): the
    difference cannot exceed its largest possible true count. "none": no such cell.
    """
    o = outer[1].get(outer_area, 0)
    i = inner[1].get(inner_area, 0)
    possible = run.knowledge.differences(o, i)
    if cap != "none":
        cap_values = run.knowledge.possible_frozen(cap)  # type: ignore[arg-type]
        top = max(cap_values) if cap_values else 0
        possible = {d for d in possible if d <= top}
    run.result.pairs += 1
    terms = (
        (1, CellRef(view, outer[0], outer_area, column)),
        (-1, CellRef(view, inner[0], inner_area, column)),
    )
    return run.judge(possible, terms, description)


def additive_system(
    run: AttackRun,
    parts: Sequence[tuple[CellRef, int | None]],
    totals: Sequence[tuple[int, int, CellRef, int | None]],
    describe: Mapping[tuple[int, int], str],
) -> None:
    """Solve cells that are sums of consecutive disjoint parts; judge the ranges in `describe`.

    `parts[k]` is part k+1's own cell (None when not asked on its own); `totals` are
    (first part, last part, cell, published) for cells covering ranges of parts. `describe`
    maps a range (a, b) to the sentence a recovery of that range would be reported as.
    """
    k = len(parts)
    bounds: dict[tuple[int, int], tuple[int, int]] = {}
    published: dict[tuple[int, int], tuple[CellRef, int | None]] = {}
    for idx, (ref, value) in enumerate(parts, start=1):
        published[(idx, idx)] = (ref, value)
    for a, b, ref, value in totals:
        published[(a, b)] = (ref, value)
    for rng, (_, value) in published.items():
        hull = run.knowledge.hull(value)
        if hull is None:
            run.result.infeasible += 1
            return
        bounds[rng] = hull
    dist = ranges.solve(k, bounds)
    run.result.pairs += max(len(published) - 1, 1)
    if dist is None:
        run.result.infeasible += 1
        return
    for (a, b), text in describe.items():
        lo, hi = ranges.interval(dist, a, b)
        lo = max(lo, 0)
        if (a, b) in published:
            own = run.knowledge.possible_frozen(published[(a, b)][1])
            possible = {v for v in own if lo <= v <= hi}
            terms: tuple[tuple[int, CellRef], ...] = ((1, published[(a, b)][0]),)
        else:
            # Only the ends matter when the interval is wide: it is then neither one value nor
            # all small.
            possible = set(range(lo, hi + 1)) if hi - lo <= 20 else {lo, hi}
            terms = tuple((1, parts[j - 1][0]) for j in range(a, b + 1))
        run.judge(possible, terms, text)


def money_interval(value: float) -> tuple[float, float]:
    """Every amount that rounds to `value` at 3 significant figures (PRIVACY.md §3)."""
    if value == 0:
        return 0.0, 0.0
    half = 0.5 * 10 ** (math.floor(math.log10(abs(value))) - 2)
    return value - half, value + half


def take_turns(run: AttackRun, steps: Sequence[Callable[[AttackRun], None]]) -> None:
    """Run the steps in turn until the pair budget is spent (or a round adds no pairs)."""
    while not run.done:
        before = run.result.pairs
        for step in steps:
            step(run)
            if run.done:
                return
        if run.result.pairs == before:
            return
