"""Rates, shares and intervals from published counts (PRIVACY.md §4), never from true ones.

Inputs are published values (None/NA when suppressed); outputs are (value, status) pairs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from queries.catalogue import LOW_RELIABILITY_BELOW
from queries.result import LOW_RELIABILITY, NOT_APPLICABLE, PUBLISHED, SUPPRESSED

#: A column of published counts: a Series, an IntegerArray (NA = [c]) or a float array.
Counts = pd.Series | ExtensionArray | np.ndarray

Z95 = 1.959964
Z998 = 3.090232


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def count_status(published: object) -> str:
    return SUPPRESSED if _missing(published) else PUBLISHED


def count_statuses(published: object) -> np.ndarray:
    """count_status of every cell of a column (Series or array) at once (a view can have tens
    of thousands), as an object array."""
    return np.where(pd.isna(published), SUPPRESSED, PUBLISHED).astype(object)


def _published(x: object) -> tuple[np.ndarray, np.ndarray]:
    """(float values, missing mask) of a column of published counts (Series or array)."""
    column = x if isinstance(x, pd.Series | ExtensionArray) else pd.Series(x)
    values = column.to_numpy(dtype="float64", na_value=np.nan)
    return values, np.isnan(values)


def rates_per_1000(numerator: Counts, population: object) -> tuple[np.ndarray, np.ndarray]:
    """rate_per_1000 over columns: (values with NaN, statuses)."""
    num, missing = _published(numerator)
    pop = np.asarray(population, dtype="float64")
    no_pop = np.isnan(pop) | (pop <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.round(1000.0 * num / pop, 2)
    status = np.where(
        missing,
        SUPPRESSED,
        np.where(
            no_pop, NOT_APPLICABLE, np.where(num < LOW_RELIABILITY_BELOW, LOW_RELIABILITY, "")
        ),
    )
    return np.where(missing | no_pop, np.nan, values), status.astype(object)


def shares(numerator: Counts, denominator: Counts) -> tuple[np.ndarray, np.ndarray]:
    """share over columns: (values with NaN, statuses); [z] where the denominator is 0."""
    num, missing = _published(numerator)
    den, den_missing = _published(denominator)
    missing = missing | den_missing
    zero = ~missing & (den <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.round(np.minimum(1.0, num / den), 4)
    status = np.where(
        missing,
        SUPPRESSED,
        np.where(zero, NOT_APPLICABLE, np.where(num < LOW_RELIABILITY_BELOW, LOW_RELIABILITY, "")),
    )
    return np.where(missing | zero, np.nan, values), status.astype(object)


def profile_columns(
    dimension: str, categories: object, people: Counts, denominator: Counts
) -> dict[str, object]:
    """A profile's columns (demographics, area_profiles): published people per category, its
    share of the published total, and that total beside it (a published cell of its own)."""
    share, share_status = shares(people, denominator)
    return {
        "dimension": np.full(len(people), dimension, dtype=object),
        "category": categories,
        "people": people,
        "people_status": count_statuses(people),
        "share": share,
        "share_status": share_status,
        "total_people": denominator,
        "total_people_status": count_statuses(denominator),
    }


def wilson_bounds(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """wilson over columns (NaN where n <= 0 or either is missing)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.minimum(1.0, x / n)
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        bad = ~(n > 0)
        return (
            np.where(bad, np.nan, np.maximum(0.0, centre - half)),
            np.where(bad, np.nan, np.minimum(1.0, centre + half)),
        )


def byar_bounds(observed: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """byar over a column of published counts (NaN stays NaN)."""
    o = np.asarray(observed, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(o == 0, 0.0, o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3)
        o1 = o + 1
        upper = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    return np.maximum(0.0, lower), upper


def compare_with_benchmark(lower: np.ndarray, upper: np.ndarray, benchmark: float) -> np.ndarray:
    """Fingertips' judgement of each area against a benchmark (the city): "higher" when the
    benchmark lies below the area's interval, "lower" when above it, "similar" when inside,
    "" when the area or the benchmark has no value (suppressed, or no residents)."""
    lo = np.asarray(lower, dtype="float64")
    hi = np.asarray(upper, dtype="float64")
    if benchmark is None or (isinstance(benchmark, float) and math.isnan(benchmark)):
        return np.full(lo.shape, "", dtype=object)
    unknown = np.isnan(lo) | np.isnan(hi)
    judged = np.where(benchmark > hi, "lower", np.where(benchmark < lo, "higher", "similar"))
    return np.where(unknown, "", judged).astype(object)
