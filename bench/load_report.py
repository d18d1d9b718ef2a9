"""What a load run measured: latencies by request and screen, errors, and the machine.

Shared by the user threads of ``bench_load`` (under one lock) and reused by ``bench_reopen``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Stats:
    """Latencies by request kind and screen, and errors, shared by the user threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    screens: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    #: Requests sent again after their kept-alive connection was closed under them.
    resent: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)
    #: The heavy user's answers by status, its latencies and bytes received.
    heavy_statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    heavy_latencies: list[float] = field(default_factory=list)
    heavy_bytes: int = 0

    def heavy(self, status: str, seconds: float, size: int) -> None:
        with self.lock:
            self.heavy_statuses[status] += 1
            self.heavy_latencies.append(seconds)
            self.heavy_bytes += size

    def request(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors[kind] += 1
                if len(self.examples) < 10:
                    self.examples.append(f"{kind}: {error}")

    def screen(self, step: str, seconds: float) -> None:
        with self.lock:
            self.screens[step].append(seconds)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 1),
        "p95_ms": round(percentile(values, 95) * 1000, 1),
        "p99_ms": round(percentile(values, 99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1) if values else float("nan"),
    }
