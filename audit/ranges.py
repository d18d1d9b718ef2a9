"""Exact reasoning over additive cells: each published cell bounds a sum of consecutive parts.

When cells are sums of disjoint parts (agreements started in consecutive quarters; agreements
in the sectors of a district; a total and its parts), every published value bounds a range sum
P[b] - P[a-1] of prefix sums P. These are difference constraints: shortest paths give, for
every range, the exact interval of values consistent with all of them together (integer
difference constraints are totally unimodular, so every whole number in that interval is
attainable). This is the linear-programming attack on rounded tables, done exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

Range = tuple[int, int]  # parts a..b, 1-based, inclusive
#: Stands for "no upper bound" (a range no published cell bounds from above).
UNBOUNDED = 10**9


def solve(parts: int, bounds: Mapping[Range, tuple[int, int]]) -> np.ndarray | None:
    """Shortest-path matrix over prefix sums 0..parts; None if no counts fit the bounds.

    `bounds[(a, b)] = (lo, hi)`: lo <= part a + ... + part b <= hi. Parts are never negative.
    """
    n = parts + 1
    dist = np.full((n, n), np.inf)
    np.fill_diagonal(dist, 0.0)
    for i in range(1, n):
        dist[i, i - 1] = min(dist[i, i - 1], 0.0)  # P[i-1] - P[i] <= 0
    for (a, b), (lo, hi) in bounds.items():
        if not 1 <= a <= b <= parts:
            raise ValueError(f"range {a}..{b} is outside 1..{parts}")
        dist[a - 1, b] = min(dist[a - 1, b], float(hi))  # P[b] - P[a-1] <= hi
        dist[b, a - 1] = min(dist[b, a - 1], float(-lo))  # P[a-1] - P[b] <= -lo
    for m in range(n):
        dist = np.minimum(dist, dist[:, m : m + 1] + dist[m : m + 1, :])
    if (np.diag(dist) < 0).any():
        return None
    return dist


def interval(dist: np.ndarray, a: int, b: int) -> tuple[int, int]:
    """Every value part a + ... + part b can take, given all the bounds solved into `dist`."""
    lo, hi = -dist[b, a - 1], dist[a - 1, b]
    return int(lo) if np.isfinite(lo) else 0, int(hi) if np.isfinite(hi) else UNBOUNDED
