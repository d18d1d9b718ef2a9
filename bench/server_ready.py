"""Wait until a server started for a benchmark has finished starting.

A server answers as soon as its first worker is up, while its other workers are still
importing pandas, Plotly and DuckDB. Timing a page load then measures the start-up, not the
page, on a 2-core machine. A deployed server is up long before its first visitor, so the
benchmarks wait until the server's processes go quiet.
"""

from __future__ import annotations

import time

import psutil


def wait_until_idle(
    pid: int, *, quiet_percent: float = 10.0, window: float = 1.0, timeout: float = 90.0
) -> float:
    """Seconds waited until the process `pid` and its children together use under
    `quiet_percent` of one CPU over `window` seconds (or `timeout` passes)."""
    started = time.monotonic()
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return 0.0
    while time.monotonic() - started < timeout:
        processes = [root, *root.children(recursive=True)]
        before = {p.pid: _cpu_seconds(p) for p in processes}
        time.sleep(window)
        used = sum(max(0.0, _cpu_seconds(p) - before[p.pid]) for p in processes)
        if used / window * 100 < quiet_percent:
            break
    return time.monotonic() - started


def _cpu_seconds(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except psutil.Error:  # ended meanwhile
        return 0.0
    return times.user + times.system
