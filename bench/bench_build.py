"""Benchmark ``care-atlas build``: wall time, rows/s, peak memory and output size per size.

The synthetic extract for each size is generated once (``synth.write_extract``, seed 1,
Parquet) and kept under var/bench/ for reruns; each build runs in a fresh process so its peak
RSS is its own. Targets (issue 3): 1M rows in under 60 s; 10M in under 10 minutes and 4 GB.
Seconds per build step are printed under each size. ``--keep DIR`` keeps each output as
``DIR/serving-<N>m.duckdb`` (published atomically, so a failed build leaves the last good one).
Usage: ``python -m bench.bench_build [--sizes 1000000 10000000] [--csv] [--keep var/bench]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPUs, {ram:.1f} GiB RAM, {model}, Python {platform.python_version()}, "
        f"load average {load:.1f} at start"
    )


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


def _size_label(extract: Path) -> str:
    """extract-10000000.parquet -> "10m" (the name the query benchmarks look for)."""
    rows = extract.name.removeprefix("extract-").split(".")[0]
    if rows.isdigit() and int(rows) % 1_000_000 == 0:
        return f"{int(rows) // 1_000_000}m"
    return rows


def _one(extract: Path, keep: Path | None) -> dict[str, object]:
    """Run in a child process: build, then report wall time and this process's peak RSS."""
    from ingest.build import build_serving_database
    from ingest.keys import DEMO_KEY

    with tempfile.TemporaryDirectory(dir=extract.parent) as folder:
        out = (keep or Path(folder)) / f"serving-{_size_label(extract)}.duckdb"
        started = time.perf_counter()
        summary = build_serving_database(
            extract, out, key=DEMO_KEY, key_is_demo=True, progress=False
        )
        wall = time.perf_counter() - started
        size = out.stat().st_size
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": summary.rows_read,
        "wall_s": wall,
        "peak_rss_mib": peak_kib / 1024,
        "bytes": size,
        "steps": summary.step_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--csv", action="store_true", help="build from CSV instead of Parquet")
    parser.add_argument("--keep", type=Path, help="keep outputs here as serving-<rows>.duckdb")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_one(args.child, args.keep)))
        return 0
    suffix = ".csv" if args.csv else ".parquet"
    print(f"machine: {_machine()}")
    print(f"{'rows':>12} {'wall s':>9} {'rows/s':>12} {'peak RSS MiB':>13} {'out MiB':>9}")
    for rows in args.sizes:
        extract = _extract(rows, suffix)
        keep = ["--keep", str(args.keep.resolve())] if args.keep else []
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_build", "--child", str(extract), *keep],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:  # the build's own error, not a CalledProcessError
            print(f"{rows:>12,} build failed:\n{done.stderr.strip()}", file=sys.stderr)
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{r['rows']:>12,} {r['wall_s']:>9.1f} {r['rows'] / r['wall_s']:>12,.0f} "
            f"{r['peak_rss_mib']:>13,.0f} {r['bytes'] / 2**20:>9,.1f}",
            flush=True,
        )
        steps = "  ".join(f"{name} {sec:.1f}" for name, sec in r["steps"].items())
        print(f"{'':>12} steps (s): {steps}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
