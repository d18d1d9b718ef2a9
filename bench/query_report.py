"""The query benchmark's figures: per view p50 / p95 of every system, and the paired ratios
(medians over states of one system's time over another's, each state timed on every system
back to back, so a swing of the host's speed during the run cancels out)."""

from __future__ import annotations

import statistics

from bench.query_peers import BREAKDOWN_FIELDS
from bench.query_states import State
from queries.cells import Lookup

NO_LOOKUP = "no cell lookup"
NOTE = (
    "ms per state; lookups: cell lookups per state (mean); cells: cells per state (median). "
    "Ratios are medians over states of the paired times (each state timed on every system back "
    "to back): run_view / floor = the view's cost over reading its cells; peer / run_view = how "
    "many times faster the query layer answers than the peer. A view reading no cell (mia_targets: "
    "Table 14 is reference data, loaded when the file is opened) shows 'no cell lookup'; the "
    "ratios of 'all views' are over the states that read cells."
)


def pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def cells_of(lookup: Lookup) -> int:
    n = len(lookup.areas) if lookup.areas is not None else 1
    for name in ("periods", "whats", *BREAKDOWN_FIELDS):
        n *= len(getattr(lookup, name))
    return n


def summarise(
    states: dict[str, list[State]], refused: dict[str, dict[str, int]], names: list[str]
) -> dict[str, dict]:
    """View (and "all views") -> states, refusals, lookups, cells, p50 / p95 per system and
    each other system's paired ratio to run_view."""
    results: dict[str, dict] = {}
    views = list(states)
    pooled = [s for view in views for s in states[view]]
    for view in [*views, "all views"]:
        chosen = pooled if view == "all views" else states[view]
        row: dict[str, object] = {"states": len(chosen)}
        if view != "all views":
            row["refused_parse"] = refused[view]["parse"]
            row["refused_view"] = refused[view]["view"]
        row["lookups_per_state"] = statistics.mean(len(s.lookups) for s in chosen)
        row["cells_per_state"] = statistics.median(
            sum(cells_of(lk) for lk in s.lookups) for s in chosen
        )
        for name in names:
            values = [s.times[name] for s in chosen]
            row[f"{name}_p50"] = pct(values, 50)
            row[f"{name}_p95"] = pct(values, 95)
        # The floor and the peers read a state's cells: a state reading none (Table 14 is
        # reference data) has nothing to compare, so it has no ratio.
        looked_up = [s for s in chosen if s.lookups]
        for name in names[1:]:
            # Median over states of (other / run_view): paired, so host swings cancel.
            row[f"{name}_ratio"] = (
                statistics.median(s.times[name] / s.times["run_view"] for s in looked_up)
                if looked_up
                else None
            )
        results[view] = row
    return results


def _against(r: dict, name: str, *, invert: bool = False) -> list[str]:
    """p50, p95 and the paired ratio of a system read against run_view ("run_view / floor" is
    the inverse); "no cell lookup" for a view reading no cell."""
    ratio = r[f"{name}_ratio"]
    if ratio is None:
        return [NO_LOOKUP] * 3
    return [
        f"{r[f'{name}_p50']:.1f}",
        f"{r[f'{name}_p95']:.1f}",
        f"{1 / ratio if invert else ratio:.1f}x",
    ]


def table(results: dict[str, dict], peers: bool) -> str:
    """The figures as a markdown table."""
    header = ["view", "states", "refused parse/view", "lookups", "cells", "run_view p50 ms"]
    header += ["p95", "floor p50", "p95", "run_view / floor"]
    if peers:
        header += ["polars p50", "p95", "polars / run_view", "SQL p50", "p95", "SQL / run_view"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * 2 + "---:|" * (len(header) - 2)]
    for view, r in results.items():
        refusals = f"{r['refused_parse']} / {r['refused_view']}" if "refused_parse" in r else ""
        cells = [
            view,
            str(r["states"]),
            refusals,
            f"{r['lookups_per_state']:.1f}",
            f"{r['cells_per_state']:,.0f}",
            f"{r['run_view_p50']:.1f}",
            f"{r['run_view_p95']:.1f}",
            *_against(r, "floor", invert=True),
        ]
        if peers:
            cells += [*_against(r, "polars"), *_against(r, "sql")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
