"""Rates, shares and intervals from published counts (PRIVACY.md §4), never from true ones.

Inputs are published values (None/NA when suppressed); outputs are (value, status) pairs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from queries.result import LOW_RELIABILITY, NOT_APPLICABLE, NOT_AVAILABLE, PUBLISHED, SUPPRESSED

#: Published numerators under this are flagged [u] (low reliability).
LOW_RELIABILITY_BELOW = 20
Z95 = 1.959964
Z998 = 3.090232


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def count_status(published: object) -> str:
    return SUPPRESSED if _missing(published) else PUBLISHED


def count_statuses(published: pd.Series) -> pd.Series:
    """count_status of every cell of a column at once (a view can have tens of thousands)."""
    return pd.Series(
        np.where(published.isna(), SUPPRESSED, PUBLISHED), index=published.index, dtype="str"
    )


def money_status(people_published: object, amount: object, cost_known: bool) -> str:
    if _missing(people_published):
        return SUPPRESSED
    if not cost_known or _missing(amount):
        return NOT_AVAILABLE
    return PUBLISHED


def rate_per_1000(numerator: object, population: object) -> tuple[float | None, str]:
    if _missing(numerator):
        return None, SUPPRESSED
    if _missing(population) or float(population) <= 0:
        return None, NOT_APPLICABLE
    value = round(1000.0 * float(numerator) / float(population), 2)
    return value, LOW_RELIABILITY if float(numerator) < LOW_RELIABILITY_BELOW else PUBLISHED


def share(numerator: object, denominator: object) -> tuple[float | None, str]:
    """numerator / denominator, both published; [z] when the denominator is 0."""
    if _missing(numerator) or _missing(denominator):
        return None, SUPPRESSED
    if float(denominator) <= 0:
        return None, NOT_APPLICABLE
    value = round(min(1.0, float(numerator) / float(denominator)), 4)
    return value, LOW_RELIABILITY if float(numerator) < LOW_RELIABILITY_BELOW else PUBLISHED


def wilson(x: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval for a proportion x/n."""
    if n <= 0:
        return math.nan, math.nan
    p = min(1.0, x / n)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def byar(observed: float, z: float) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson interval for a count."""
    o = float(observed)
    lower = 0.0 if o == 0 else o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    o1 = o + 1
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3
    return max(0.0, lower), upper
