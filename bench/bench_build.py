"""Benchmark ``care-atlas build``: wall time, peak memory, step seconds, file sizes and cells.

Each build runs in a fresh process so its peak RSS is its own (the Python process and DuckDB
inside it). For each extract it prints wall time, rows/s, peak RSS, the served file's size,
the workspace's size (``<stem>.workspace.duckdb``, person-level, never served), the seconds of
every build step, and the cells by geography level: all cells of the catalogue the build
counted (``cells_truth``), the rows the served file holds (``cells``) and how many of those
have their people count suppressed ([c], a true count of 1..9).

Extracts: ``--sizes N ...`` generates (once, seed 1, Parquet with planted defects, kept under
var/bench/ as ``extract-<N>.parquet``) or reuses them; ``--extract FILE ...`` builds given
files (for example the 215k demo extract). ``--keep DIR`` keeps each output as
``DIR/serving-<label>.duckdb`` plus its workspace, for bench_queries; without it the outputs
go to a temporary folder and are removed. ``--json FILE`` also writes the figures.

    .venv/bin/python -m bench.bench_build --extract var/bench/extract-215000.parquet \\
        --keep var/bench --json var/bench/build-215k.json
    .venv/bin/python -m bench.bench_build --sizes 1000000 --keep var/bench
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.machine import describe, machine


def _extract(rows: int, suffix: str) -> Path:
    from care_atlas.config import load_settings
    from synth import write_extract

    folder = load_settings().var_dir / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"extract-{rows}{suffix}"
    if not path.is_file():
        print(f"generating {rows:,} rows -> {path}", file=sys.stderr, flush=True)
        write_extract(rows, 1, path, progress=True)
    return path


def size_label(extract: Path) -> str:
    """extract-1000000.parquet -> "1m", extract-215000.parquet -> "215k" (the names the query
    benchmark's examples use); any other name is kept as it is."""
    rows = extract.name.removeprefix("extract-").split(".")[0]
    if rows.isdigit():
        n = int(rows)
        if n % 1_000_000 == 0:
            return f"{n // 1_000_000}m"
        if n % 1_000 == 0:
            return f"{n // 1_000}k"
    return rows


def _cells(out: Path, workspace: Path) -> dict[str, dict[str, int]]:
    """Cells by level: counted (cells_truth, workspace), served rows and suppressed people."""
    import duckdb

    by_level: dict[str, dict[str, int]] = {}
    with duckdb.connect(str(workspace), read_only=True) as con:
        for level, n in con.execute(
            "SELECT level, count(*) FROM cells_truth GROUP BY level"
        ).fetchall():
            by_level.setdefault(level, {})["counted"] = int(n)
    with duckdb.connect(str(out), read_only=True) as con:
        for level, n, suppressed in con.execute(
            "SELECT level, count(*), count(*) FILTER (WHERE people IS NULL) FROM cells "
            "GROUP BY level"
        ).fetchall():
            by_level.setdefault(level, {}).update(served=int(n), suppressed=int(suppressed))
    return by_level


def _one(extract: Path, keep: Path | None) -> dict[str, object]:
    """Run in a child process: build, then report wall time and this process's peak RSS."""
    from ingest.build import build_serving_database
    from ingest.keys import DEMO_KEY
    from ingest.workspace import workspace_path

    with tempfile.TemporaryDirectory(dir=extract.parent) as folder:
        out = (keep or Path(folder)) / f"serving-{size_label(extract)}.duckdb"
        started = time.perf_counter()
        summary = build_serving_database(
            extract, out, key=DEMO_KEY, key_is_demo=True, progress=False
        )
        wall = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        work = workspace_path(out)
        return {
            "extract": str(extract),
            "out": str(out) if keep else None,
            "rows": summary.rows_read,
            "rows_loaded": summary.rows_loaded,
            "wall_s": wall,
            "peak_rss_mib": peak_kib / 1024,
            "served_bytes": out.stat().st_size,
            "workspace_bytes": work.stat().st_size,
            "steps": summary.step_seconds,
            "cells": _cells(out, work),
        }


def _print(r: dict) -> None:
    print(
        f"| {r['rows']:,} | {r['wall_s']:.1f} | {r['rows'] / r['wall_s']:,.0f} | "
        f"{r['peak_rss_mib']:,.0f} | {r['served_bytes'] / 2**20:,.1f} | "
        f"{r['workspace_bytes'] / 2**20:,.1f} |",
        flush=True,
    )


def _print_details(r: dict) -> None:
    print(f"\nsteps of the {r['rows']:,}-row build (seconds):\n")
    print("| step | s | share |")
    print("|---|---:|---:|")
    for name, sec in r["steps"].items():
        print(f"| {name} | {sec:.1f} | {sec / r['wall_s']:.0%} |")
    print(f"\ncells of the {r['rows']:,}-row build by level:\n")
    print("| level | counted (cells_truth) | served rows | people [c] | [c] share |")
    print("|---|---:|---:|---:|---:|")
    total = {"counted": 0, "served": 0, "suppressed": 0}
    for level, c in r["cells"].items():
        for k in total:
            total[k] += c.get(k, 0)
        share = c.get("suppressed", 0) / c["served"] if c.get("served") else 0.0
        print(
            f"| {level} | {c.get('counted', 0):,} | {c.get('served', 0):,} | "
            f"{c.get('suppressed', 0):,} | {share:.0%} |"
        )
    share = total["suppressed"] / total["served"] if total["served"] else 0.0
    print(
        f"| **all** | {total['counted']:,} | {total['served']:,} | "
        f"{total['suppressed']:,} | {share:.0%} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[], help="rows to generate")
    parser.add_argument("--extract", type=Path, nargs="+", default=[], help="extracts to build")
    parser.add_argument("--csv", action="store_true", help="generate CSV instead of Parquet")
    parser.add_argument("--keep", type=Path, help="keep outputs here as serving-<label>.duckdb")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_one(args.child, args.keep)))
        return 0
    suffix = ".csv" if args.csv else ".parquet"
    extracts = [p.resolve() for p in args.extract]
    missing = [p for p in extracts if not p.is_file()]
    if missing:
        print(f"error: {', '.join(map(str, missing))} not found", file=sys.stderr)
        return 2
    if not extracts and not args.sizes:
        args.sizes = [1_000_000]
    start = machine()
    print(f"machine: {describe(start)} at start\n")
    print("| rows read | wall s | rows/s | peak RSS MiB | served MiB | workspace MiB |")
    print("|---:|---:|---:|---:|---:|---:|")
    results = []
    for extract in [*extracts, *(_extract(rows, suffix) for rows in args.sizes)]:
        keep = ["--keep", str(args.keep.resolve())] if args.keep else []
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_build", "--child", str(extract), *keep],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:  # the build's own error, not a CalledProcessError
            print(f"{extract} build failed:\n{done.stderr.strip()}", file=sys.stderr)
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(r)
        _print(r)
    for r in results:
        _print_details(r)
    end_load = [round(x, 2) for x in os.getloadavg()]
    print(f"\nload average {end_load} at end")
    if args.json:
        payload = {"machine": start, "load_average_end": end_load, "builds": results}
        args.json.write_text(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
