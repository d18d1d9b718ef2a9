"""Holding the peers to the truth: for a sample of states, every cell a peer computes must
equal the build's own true values (`cells_truth` in the workspace), so both peers provably
compute what the served cells hold; the first difference stops the run."""

from __future__ import annotations

from typing import Any

import duckdb

from bench.query_peers import (
    BREAKDOWN_FIELDS,
    LEVEL_COLUMN,
    measures_of,
    no_cells,
    peer_parts,
    what_columns,
)
from bench.query_states import State
from queries.catalogue import RANGE_SEPARATOR, CatalogueError, check_cell, what_member
from queries.cells import Lookup, lookup_params

#: cells_truth column of each measure.
TRUTH_COLUMN = {
    "people": "people_n",
    "agreements_active": "agreements_active_n",
    "agreements_started": "agreements_started_n",
    "cost": "cost_total",
    "people_over_6w": "people_over_6w_n",
    "cost_beyond_42": "cost_beyond_42_total",
}
CELL_KEY = ("area_code", "period", "what", "age_band", "client_group", "gender", "ethnic_group")


def truth(
    con: duckdb.DuckDBPyConnection, lookup: Lookup, measures: tuple[str, ...]
) -> dict[tuple, dict[str, float]]:
    """cells_truth for the lookup's cells (rows only where a cell has people)."""
    columns = ", ".join(f"{TRUTH_COLUMN[m]} AS {m}" for m in measures)
    sql = (
        f"SELECT {', '.join(CELL_KEY)}, {columns} FROM cells_truth "
        "WHERE list_contains($levels, level) AND period_kind = $period_kind AND list_contains($periods, period) "
        "AND list_contains($whats, what) AND list_contains($age_bands, age_band) "
        "AND list_contains($client_groups, client_group) "
        "AND list_contains($genders, gender) AND list_contains($ethnic_groups, ethnic_group) "
        "AND ($areas IS NULL OR list_contains($areas, area_code))"
    )
    rows = con.execute(sql, lookup_params(lookup)).fetchall()
    return {
        tuple(r[: len(CELL_KEY)]): dict(zip(measures, r[len(CELL_KEY) :], strict=True))
        for r in rows
    }


def keyed(
    lookup: Lookup, rows: list[dict], keys: list[str], city: str
) -> dict[tuple, dict[str, float]]:
    """Peer rows (grouped by `keys`) -> cell key -> measures, for cells with people."""
    out: dict[tuple, dict[str, float]] = {}
    if no_cells(lookup):
        return out
    kind, attributes, _values = what_columns(lookup)
    for row in rows:
        if not row.get("people"):
            continue
        area = city if lookup.level == "city" else str(row[_area_key(keys)])
        period = str(row["period"]) if "period" in keys else lookup.periods[0]
        if len(lookup.whats) > 1:
            what = what_member(kind, *(str(row[a]) for a in attributes))
            if what not in lookup.whats:
                continue
        else:
            what = lookup.whats[0]
        breakdowns = []
        for name, column in BREAKDOWN_FIELDS.items():
            members = getattr(lookup, name)
            breakdowns.append(str(row[column]) if len(members) > 1 else members[0])
        measures = {k: v for k, v in row.items() if k in TRUTH_COLUMN}
        out[(area, period, what, *breakdowns)] = measures
    return out


def _area_key(keys: list[str]) -> str:
    for k in keys:
        if k == "area_code" or k in LEVEL_COLUMN.values() or k.startswith("region_"):
            return k
    raise KeyError("no area key")


def _same(a, b) -> bool:
    a = 0.0 if a is None or a != a else float(a)  # NULL / NaN cost = no known cost = 0
    b = 0.0 if b is None or b != b else float(b)
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def published(lookup: Lookup, key: tuple) -> bool:
    """Whether the catalogue publishes the cell of a key a peer computed: a grid can span
    cells it does not (area_profiles reads age bands x ethnic groups at once, and shows each
    with the other at one member), which the view reads no row of and the check skips."""
    area, period, what, *breakdowns = key
    level = "city" if lookup.city and area == lookup.areas[-1] else lookup.level
    try:
        check_cell(
            level,
            lookup.period_kind,
            RANGE_SEPARATOR in period,
            what,
            dict(zip(BREAKDOWN_FIELDS.values(), breakdowns, strict=True)),
        )
    except CatalogueError:
        return False
    return True


def check_peer(
    name: str, peer: Any, con: duckdb.DuckDBPyConnection, city: str, states: list[State]
) -> tuple[int, int]:
    """(lookups, cells) checked; SystemExit on the first cell that differs from the truth."""
    n_lookups = n_cells = 0
    for state in states:
        measures = measures_of(state.view)
        for lookup in state.lookups:
            expected = truth(con, lookup, measures)
            got: dict[tuple, dict[str, float]] = {}
            for part in peer_parts(lookup):
                rows, keys = peer.answer(peer.compute(part, measures))
                got.update(keyed(part, rows, keys, city))
            n_lookups += 1
            n_cells += len(expected)
            for key in set(expected) | {k for k in got if published(lookup, k)}:
                t, g = expected.get(key), got.get(key)
                if t is None or g is None or not all(_same(t[m], g[m]) for m in measures):
                    raise SystemExit(
                        f"{name} differs from cells_truth in {state.view} {state.params} "
                        f"cell {key}: truth {t}, {name} {g}"
                    )
    return n_lookups, n_cells
