"""Benchmark the synthetic extract generator: rows/s, wall time and peak memory per size.

Each size runs in a fresh process (so peak RSS is that run's own) and writes Parquet to a
temporary folder. Usage: ``python -m bench.bench_synth [--sizes 1000000 10000000] [--csv]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.machine import describe


def _one(rows: int, suffix: str) -> dict[str, float]:
    """Run in a child process: generate, then report wall time and this process's peak RSS."""
    from synth import write_extract

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"bench{suffix}"
        started = time.perf_counter()
        write_extract(rows, 1, out)
        wall = time.perf_counter() - started
        size = out.stat().st_size
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": rows, "wall_s": wall, "peak_rss_mib": peak_kib / 1024, "bytes": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--csv", action="store_true", help="write CSV instead of Parquet")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    suffix = ".csv" if args.csv else ".parquet"
    if args.child:
        print(json.dumps(_one(args.child, suffix)))
        return 0
    print(f"machine: {describe()}")
    print(f"{'rows':>12} {'wall s':>9} {'rows/s':>12} {'peak RSS MiB':>13} {'file MiB':>9}")
    for rows in args.sizes:
        command = [sys.executable, "-m", "bench.bench_synth", "--child", str(rows)]
        if args.csv:
            command.append("--csv")
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{rows:>12,} {result['wall_s']:>9.1f} {rows / result['wall_s']:>12,.0f} "
            f"{result['peak_rss_mib']:>13,.0f} {result['bytes'] / 2**20:>9.1f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
