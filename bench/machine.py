"""The machine a benchmark ran on, and a fixed workload timing its speed: timings mean little
without them on a shared host."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import duckdb


def machine() -> dict[str, object]:
    """CPU model, cores, RAM, versions and load: timings mean little without them."""
    model, ram_gb = platform.processor() or platform.machine(), None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    try:
        import polars

        polars_version = polars.__version__
        polars_threads = polars.thread_pool_size()
    except ImportError:
        polars_version, polars_threads = None, None
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": polars_version,
        "polars_threads": polars_threads,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def describe(info: dict[str, object] | None = None) -> str:
    """The machine in one line, for a benchmark's first line of output."""
    m = info or machine()
    line = (
        f"{m['cpu']}, {m['cpus']} CPUs, {m['ram_gb']} GB RAM; Python {m['python']}, "
        f"DuckDB {m['duckdb']}"
    )
    if m["polars"]:
        line += f", polars {m['polars']} ({m['polars_threads']} threads)"
    return f"{line}; load average {m['load_average']}"


def host_speed() -> dict[str, float]:
    """Milliseconds (best of 3) of a fixed DuckDB aggregation on one thread and a fixed Python
    loop: the same work on every run, so runs at different hours of a shared host compare (a
    VM's neighbours slow it without showing as load inside it)."""
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
