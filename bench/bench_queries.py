"""Benchmark the query layer: protected views vs a pandas in-memory baseline, cold vs cached.

    .venv/bin/python -m bench.bench_queries --db var/bench/serving-1m.duckdb --states 200

For each view: p50 / p95 of run_view over random valid filter states (no cache); the same
numbers before protection computed the way many Dash apps do it (pandas filter + groupby on a
DataFrame held in memory) over the same states; and the time of a cached answer.
--interleave runs the states round robin across views (state i of each view, then i + 1), the
way a dashboard screen asks for them: slower per query, as each meets caches other views used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from queries import VIEWS, FilterError, open_database, parse_filters, run_view
from queries.filters import DEMOGRAPHIC_LEVELS, MEASURES

LEVELS = ("city", "ward", "district", "sector", "h3r7", "h3r8", "region")
PANDAS_COLUMNS = [
    "period_kind",
    "period",
    "person_idx",
    "agreement_idx",
    "ward_code",
    "district",
    "sector",
    "h3r7",
    "h3r8",
    "element_code",
    "provision_type",
    "mia_theme",
    "age_band",
    "gender",
    "ethnic_group",
    "client_group",
    "cost_in_period",
    "over_6_weeks",
    "cost_beyond_42",
]


def random_state(rng: random.Random, ref) -> dict[str, str]:
    """A random valid filter state (values drawn from the reference tables)."""
    kind = rng.choice(["year", "fy", "quarter"])
    labels = ref.periods[kind]
    i = rng.randrange(len(labels))
    j = rng.randrange(i, min(len(labels), i + 4))
    level = rng.choice(LEVELS)
    p = {"period_kind": kind, "from": labels[i], "to": labels[j], "level": level}
    if level in ref.areas and rng.random() < 0.3:
        p["areas"] = ",".join(rng.sample(list(ref.areas[level]), min(3, len(ref.areas[level]))))
    if level == "region":
        d = list(ref.areas["district"])
        p["regions"] = f"North:{'+'.join(rng.sample(d, 3))};South:{'+'.join(rng.sample(d, 3))}"
    if rng.random() < 0.3:
        p["age_bands"] = rng.choice(ref.age_bands)
    if rng.random() < 0.3:
        p["elements"] = ",".join(rng.sample(list(ref.elements), 3))
    if rng.random() < 0.2:
        p["provision"] = rng.choice(ref.provision_types)
    if level in DEMOGRAPHIC_LEVELS:
        p["dimension"] = rng.choice(["age_band", "gender", "ethnic_group"])
        if rng.random() < 0.3:
            p["genders"] = rng.choice(ref.genders)
    p["measure"] = rng.choice([m for m in MEASURES if m != "cost"] + ["cost"])
    elements = list(ref.elements)[:8]
    p["element"] = rng.choice(elements)
    p["element_a"], p["element_b"] = rng.sample(elements, 2)
    return p


# --- the pandas baseline: same numbers before protection ----------------------------------


def _area_col(f) -> str | None:
    return {
        "ward": "ward_code",
        "district": "district",
        "sector": "sector",
        "h3r7": "h3r7",
        "h3r8": "h3r8",
    }.get(f.level)


def pandas_view(df: pd.DataFrame, view: str, f) -> pd.DataFrame:
    """What a typical Dash callback does: boolean-mask the frame, groupby, nunique / sum."""
    m = (df.period_kind == f.period_kind) & df.period.between(f.period_from, f.period_to)
    for field, col in (
        ("age_bands", "age_band"),
        ("elements", "element_code"),
        ("provision", "provision_type"),
        ("genders", "gender"),
    ):
        values = getattr(f, field)
        if values and not (field == "elements" and view in ("element_compare", "quarterly_users")):
            m &= df[col].isin(values)
    area = _area_col(f)
    if f.areas and area:
        m &= df[area].isin(f.areas)
    d = df[m]
    if f.level == "region":
        parts = []
        for r in f.regions:
            sel = d[d.district.isin(r.members) | d.ward_code.isin(r.members)]
            parts.append(sel.assign(area=r.name))
        d = pd.concat(parts) if parts else d.assign(area="")
    else:
        d = d.assign(area=d[area] if area else "city")
    if view in ("area_map", "area_compare"):
        out = d.groupby("area").agg(
            people=("person_idx", "nunique"), cost=("cost_in_period", "sum")
        )
        if view == "area_compare":
            out["city_people"] = df[m].person_idx.nunique()
        return out
    if view == "matrix":
        return d.groupby(["area", "period"]).agg(people=("person_idx", "nunique"))
    if view == "elements":
        out = d.groupby("element_code").agg(
            people=("person_idx", "nunique"),
            agreements=("agreement_idx", "nunique"),
            cost=("cost_in_period", "sum"),
        )
        return out.nlargest(f.top_n, "people")
    if view == "element_compare":
        d = d[d.element_code.isin([f.element_a, f.element_b])]
        return d.groupby(["area", "element_code"]).person_idx.nunique().unstack()
    if view == "trend":
        return d.groupby("period").agg(
            agreements=("agreement_idx", "nunique"),
            people=("person_idx", "nunique"),
            cost=("cost_in_period", "sum"),
        )
    if view == "provision":
        return d.groupby(["area", "period", "provision_type"]).agg(
            people=("person_idx", "nunique"), cost=("cost_in_period", "sum")
        )
    if view == "enablement":
        e = d[d.mia_theme == "MIA17"]
        out = e.groupby("area").person_idx.nunique().to_frame("people")
        over = e[e.over_6_weeks]
        out["over"] = over.groupby("area").person_idx.nunique()
        out["cost"] = over.groupby("area").cost_beyond_42.sum()
        return out
    if view == "quarterly_users":
        return d[d.element_code == f.element].groupby("period").person_idx.nunique()
    if view == "demographics":
        return d.groupby(f.dimension).person_idx.nunique()
    raise KeyError(view)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
        if len(values) > 1
        else values[0]
    )


def machine() -> dict[str, object]:
    """CPU model, cores, RAM and load: timings mean little without them."""
    model = platform.processor() or platform.machine()
    ram_gb = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:  # not Linux: keep what platform knows
        pass
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "ram_gb": ram_gb,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "duckdb": duckdb.__version__,
    }


def host_speed() -> dict[str, float]:
    """Milliseconds (best of 3) of a fixed DuckDB aggregation on one thread and a fixed Python
    loop: the same on every run, so runs taken at different hours of a shared host can be
    compared (a VM's neighbours slow it down without showing as load inside it)."""
    con = duckdb.connect()
    con.execute("SET threads = 1")
    duck, python = [], []
    for _ in range(3):
        t = time.perf_counter()
        con.execute("SELECT sum(hash(range % 1000)) FROM range(10000000)").fetchall()
        duck.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        python.append((time.perf_counter() - t) * 1000)
    con.close()
    return {"duckdb_ms": round(min(duck), 1), "python_ms": round(min(python), 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True, help="serving database (DuckDB)")
    ap.add_argument("--states", type=int, default=200, help="random filter states per view")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--views", default=",".join(VIEWS), help="comma-separated views")
    ap.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    ap.add_argument(
        "--pandas-states",
        type=int,
        default=None,
        help="states per view for the pandas baseline (default: --states)",
    )
    ap.add_argument(
        "--interleave",
        action="store_true",
        help="run states round robin across views instead of view by view",
    )
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    if not args.db.is_file():
        print(f"error: {args.db} does not exist", file=sys.stderr)
        return 2
    db = open_database(args.db)
    rng = random.Random(args.seed)
    views = [v for v in args.views.split(",") if v]
    facts_rows = db.query("SELECT count(*) AS n FROM facts")["n"].iloc[0]
    agreements = db.query("SELECT count(*) AS n FROM agreements")["n"].iloc[0]
    print(f"db={args.db} agreements={agreements:,} facts={facts_rows:,}")
    start = machine()
    print(
        f"machine: {start['cpu']}, {start['cpus']} CPUs, {start['ram_gb']} GB RAM, "
        f"load average {start['load_average']}, duckdb {start['duckdb']}"
    )
    speed_start = host_speed()
    print(f"host speed (fixed workload, ms, lower is faster): {speed_start}")
    frame = None
    if not args.no_pandas:
        t = time.perf_counter()
        frame = db.query(f"SELECT {', '.join(PANDAS_COLUMNS)} FROM facts")
        for c in (
            "period_kind",
            "ward_code",
            "district",
            "sector",
            "h3r7",
            "h3r8",
            "element_code",
            "provision_type",
            "mia_theme",
            "age_band",
            "gender",
            "ethnic_group",
            "client_group",
        ):
            frame[c] = frame[c].astype("category")
        print(
            f"pandas frame loaded in {time.perf_counter() - t:.1f}s "
            f"({frame.memory_usage(deep=True).sum() / 1e6:,.0f} MB)"
        )
    results = {}
    cache_dir = Path(tempfile.mkdtemp(prefix="care-atlas-bench-cache-"))
    cached_db = open_database(args.db, cache_dir=cache_dir)
    header = f"{'view':16} {'p50 ms':>8} {'p95 ms':>8} {'pandas p50':>11} {'pandas p95':>11} {'ratio p50':>9} {'cached p50':>10}"
    states: dict[str, list] = {}
    for view in views:
        states[view] = []
        while len(states[view]) < args.states:
            try:
                states[view].append(parse_filters(random_state(rng, db.reference), db.reference))
            except FilterError:
                continue
    times: dict[str, list[float]] = {v: [] for v in views}
    pandas_times: dict[str, list[float]] = {v: [] for v in views}
    cached_times: dict[str, list[float]] = {v: [] for v in views}
    pandas_states = args.pandas_states or args.states
    # View by view (the default): each view's states in a row, as a view is usually measured.
    # --interleave: state i of every view, then state i + 1, as a dashboard screen asks for
    # several views at once; each query then meets caches the other views have just used.
    if args.interleave:
        order = [(view, i) for i in range(args.states) for view in views]
    else:
        order = [(view, i) for view in views for i in range(args.states)]
    print(f"  {len(order)} protected queries...", file=sys.stderr)
    for view, i in order:
        t = time.perf_counter()
        try:
            run_view(db, view, states[view][i])
        except FilterError:
            continue
        times[view].append((time.perf_counter() - t) * 1000)
    if frame is not None:
        # In a phase of its own: pandas' scans of the whole frame would evict DuckDB's pages
        # from the CPU caches between protected queries.
        print("  the pandas baseline...", file=sys.stderr)
        for view, i in order:
            if i < pandas_states:
                t = time.perf_counter()
                pandas_view(frame, view, states[view][i])
                pandas_times[view].append((time.perf_counter() - t) * 1000)
    for view in views:
        for f in states[view][:20]:
            try:
                run_view(cached_db, view, f)  # fill
                t = time.perf_counter()
                run_view(cached_db, view, f)
                cached_times[view].append((time.perf_counter() - t) * 1000)
            except FilterError:
                continue
    print(header)
    for view in views:
        row = {
            "p50_ms": round(_pct(times[view], 50), 1),
            "p95_ms": round(_pct(times[view], 95), 1),
            "pandas_p50_ms": round(_pct(pandas_times[view], 50), 1) if pandas_times[view] else None,
            "pandas_p95_ms": round(_pct(pandas_times[view], 95), 1) if pandas_times[view] else None,
            "cached_p50_ms": round(_pct(cached_times[view], 50), 2),
            "n": len(times[view]),
        }
        row["ratio_p50"] = (
            round(row["pandas_p50_ms"] / row["p50_ms"], 2) if row["pandas_p50_ms"] else None
        )
        results[view] = row
        print(
            f"{view:16} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} "
            f"{row['pandas_p50_ms'] or float('nan'):11.1f} {row['pandas_p95_ms'] or float('nan'):11.1f} "
            f"{row['ratio_p50'] or float('nan'):9.2f} {row['cached_p50_ms']:10.2f}",
            flush=True,
        )
    end_load = [round(x, 2) for x in os.getloadavg()]
    speed_end = host_speed()
    print(f"load average at the end: {end_load}; host speed at the end: {speed_end}")
    if args.json:
        payload = {
            "db": str(args.db),
            "machine": start,
            "load_average_end": end_load,
            "host_speed": {"start": speed_start, "end": speed_end},
            "states": args.states,
            "interleave": args.interleave,
            "results": results,
        }
        args.json.write_text(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
