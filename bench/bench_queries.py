"""Benchmark the query layer (published cells) against its floor and two peers.

    .venv/bin/python -m bench.bench_queries --db var/bench/serving-1m.duckdb --states 200

The served file (``--db``) holds the protected cells; its workspace (``<stem>.workspace.duckdb``
beside it, or ``--workspace``) holds the person-level facts the peers compute from and
``cells_truth``, the true values of every cell.

1. States (bench/query_states.py): random requests per view, drawn over the whole parameter
   space (period kinds, single periods, preset and free ranges, every level and region set,
   one area, drill-down, every what kind, breakdowns, measures); a state is kept when it
   parses and the view accepts it (the catalogue publishes every cell it reads). Refusals are
   counted apart: by parse_filters and by the view. ``--states`` kept states per view.
2. Per view: p50 / p95 of ``run_view`` (there is no cache), and of its floor: the view's cell
   lookups (``queries.cells.read``, recorded during one run of the view) run alone, i.e.
   queries/sql/cells.sql executed with the same parameters and fetched as arrays, nothing laid
   out. The ratio run_view / floor is what the view costs beyond reading its cells.
3. Peers (bench/query_peers.py), computing the TRUE numbers of the same cells (people,
   agreements active and started, cost; for enablement also people beyond 6 weeks and cost
   beyond day 42): (a) polars over the workspace facts held in memory, (b) plain DuckDB SQL
   over the workspace file. A sample of states per view (``--check``) is held cell by cell to
   ``cells_truth`` (bench/query_check.py), so both peers provably compute what the cells
   hold; a mismatch fails the run.
4. Timing is interleaved state by state (state i of every view, each state timed on every
   system in a rotating order) after an untimed warm-up, so a change in the host's speed
   hits all systems alike. The machine, the load and a fixed host-speed probe
   (bench/machine.py) are printed at the start and the end; the tables are markdown
   (bench/query_report.py; ``--json`` also writes the figures).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.machine import describe, host_speed, machine
from bench.query_check import check_peer
from bench.query_peers import PolarsPeer, SqlPeer, measures_of, peer_parts
from bench.query_report import NOTE, summarise, table
from bench.query_states import State, draw_states
from queries import VIEWS, open_database, run_view
from queries.cells import read
from queries.database import Database


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def runners(
    db: Database, polars_peer: PolarsPeer | None, sql_peer: SqlPeer | None
) -> dict[str, Callable[[State], object]]:
    """System name -> what it runs for a state: the view, its bare lookups, each peer."""

    def floor(state: State) -> None:
        for lookup in state.lookups:
            read(db, lookup)

    def peer(compute: Callable) -> Callable[[State], None]:
        def run(state: State) -> None:
            for lookup in state.lookups:
                for part in peer_parts(lookup):
                    compute(part, measures_of(state.view))

        return run

    out: dict[str, Callable[[State], object]] = {
        "run_view": lambda s: run_view(db, s.view, s.filters),
        "floor": floor,
    }
    if polars_peer is not None:
        out["polars"] = peer(polars_peer.compute)
    if sql_peer is not None:
        out["sql"] = peer(sql_peer.compute)
    return out


def timed_rounds(states: dict[str, list[State]], systems: dict[str, Callable]) -> None:
    """Every state's time on every system (State.times), interleaved: state i of every view,
    each on every system, the order rotating by state, after an untimed warm-up."""
    views, names = list(states), list(systems)
    for view in views:
        for state in states[view][:3]:
            for name in names:
                systems[name](state)
    rounds = max((len(s) for s in states.values()), default=0)
    print(f"timing {rounds} rounds x {len(views)} views x {len(names)} systems", file=sys.stderr)
    for i in range(rounds):
        for view in views:
            if i >= len(states[view]):
                continue
            state = states[view][i]
            k = (i + views.index(view)) % len(names)
            for name in names[k:] + names[:k]:
                state.times[name] = _timed(lambda name=name, state=state: systems[name](state))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True, help="served database (DuckDB)")
    ap.add_argument("--workspace", type=Path, help="default: <stem>.workspace.duckdb beside --db")
    ap.add_argument("--states", type=int, default=200, help="accepted states per view")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--views", default=",".join(VIEWS), help="comma-separated views")
    ap.add_argument("--check", type=int, default=10, help="states per view held to cells_truth")
    ap.add_argument("--no-peers", action="store_true", help="time run_view and the floor only")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    workspace = args.workspace or args.db.with_name(f"{args.db.stem}.workspace.duckdb")
    for path in (args.db, None if args.no_peers else workspace):
        if path is not None and not path.is_file():
            print(f"error: {path} does not exist", file=sys.stderr)
            return 2
    views = [v for v in args.views.split(",") if v]
    start = machine()
    print(f"machine: {describe(start)} at start")
    speed_start = host_speed()
    print(f"host speed at start (fixed work, ms, lower is faster): {speed_start}")
    db = open_database(args.db)
    cells_total = int(db.query("SELECT count(*) AS n FROM cells")["n"].iloc[0])
    print(f"served file {args.db}: {cells_total:,} cell rows")

    t = time.perf_counter()
    states, refused = draw_states(db, views, args.states, args.seed)
    print(f"drew states in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    polars_peer = sql_peer = None
    if not args.no_peers:
        t = time.perf_counter()
        polars_peer = PolarsPeer(workspace, db)
        print(
            f"polars peer: {polars_peer.rows():,} facts rows in memory "
            f"({polars_peer.memory_mb():,.0f} MB), loaded in {time.perf_counter() - t:.1f} s"
        )
        sql_peer = SqlPeer(workspace, db)
        checked = {}
        for name, peer in (("polars", polars_peer), ("sql", sql_peer)):
            lookups = cells = 0
            for view in views:
                sample = random.Random(f"check-{view}").sample(
                    states[view], min(args.check, len(states[view]))
                )
                city = db.reference.city_code()
                n_l, n_c = check_peer(name, peer, sql_peer.con, city, sample)
                lookups, cells = lookups + n_l, cells + n_c
            checked[name] = {"lookups": lookups, "cells": cells}
        print(
            f"peers checked against cells_truth: {args.check} states per view, "
            + "; ".join(
                f"{k}: {v['lookups']} lookups, {v['cells']:,} cells equal"
                for k, v in checked.items()
            )
        )
    systems = runners(db, polars_peer, sql_peer)
    timed_rounds(states, systems)
    end_load = [round(x, 2) for x in os.getloadavg()]
    speed_end = host_speed()
    results = summarise(states, refused, list(systems))
    print(
        f"\nload average at start {start['load_average']}, at end {end_load}; host speed at "
        f"start {speed_start}, at end {speed_end}\n"
    )
    print(table(results, peers=polars_peer is not None))
    print(f"\n{NOTE}")
    bad_members = {v: r["view_what_member"] for v, r in refused.items() if r["view_what_member"]}
    if bad_members:
        print(
            "\nquery-layer defects met: refusals where the view built a what member the "
            f"catalogue cannot parse: {json.dumps(bad_members)}"
        )
    if args.json:
        payload = {
            "refused": refused,
            "db": str(args.db),
            "machine": start,
            "load_average_end": end_load,
            "host_speed": {"start": speed_start, "end": speed_end},
            "states_per_view": args.states,
            "seed": args.seed,
            "results": results,
            "states": [
                {"view": s.view, "params": s.params, "lookups": len(s.lookups), **s.times}
                for s in itertools.chain.from_iterable(states.values())
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
