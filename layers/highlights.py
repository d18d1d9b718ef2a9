"""The matrix's three highlight modes: plain, capped rules on the published (protected) values.

Raw values grow with the city's overall activity and with an area's size, so rules on them
flag "big district, growing" everywhere (14 of 15 years "challenging", big districts
"unusual"). Each rule here compares a cell with a multiplicative model instead:
expected = area's usual share x period total (fitted on the published cells only), so an
area is judged against its own size and a period against the city's trend. Each mode marks at
most a few cells, rows or columns, the strongest first, and says "none found" otherwise.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: |standardised residual| at or above which a cell is unusual (quasi-Poisson, see expected()).
UNUSUAL_Z = 3.0
#: Most cells / rows / columns one mode marks: this many, and at most this share of them.
MAX_MARKED = 5
MAX_SHARE = 0.10
#: An improving area's value relative to expectation falls by at least this much.
IMPROVING_DROP = 0.10
#: A challenging year's rise beats the typical year-on-year rise by this many robust SDs, and
#: by at least this many percentage points (a very smooth series has a tiny SD).
CHALLENGING_Z = 3.0
CHALLENGING_EXCESS = 0.05

RULES: dict[str, str] = {
    "none": "",
    "unusual": (
        "Unusual cells (boxed): the value is far from what its area's usual share of each "
        "period's total predicts (standardised residual of 3 or more, allowing for the "
        f"spread of all cells); the most unusual first, at most 1 cell in 10 and {MAX_MARKED} in all."
    ),
    "improving": (
        "Improving areas (boxed rows): the area's value is falling relative to the city-wide "
        "trend (at least 3 published periods, a falling straight-line trend, the last third "
        "at least 10% below the first third); the largest falls first, at most 1 area in 10 "
        f"and {MAX_MARKED} in all."
    ),
    "challenging": (
        "Challenging years (boxed columns): the rise from the year before, over the areas "
        "published in both, is well above the typical rise of the range (3 robust standard "
        "deviations and 5 percentage points above the median year-on-year change); at most 1 "
        f"period in 10 and {MAX_MARKED} in all."
    ),
}


@dataclass(frozen=True)
class Highlight:
    """What one mode picked: (row, column) cells, row indices or column indices."""

    mode: str
    cells: tuple[tuple[int, int], ...] = ()
    rows: tuple[int, ...] = ()
    columns: tuple[int, ...] = ()

    @property
    def count(self) -> int:
        return len(self.cells) + len(self.rows) + len(self.columns)

    def summary(self, area_count: int, period_count: int) -> str:
        """One sentence under the chart: how many were found, or "none found"."""
        if self.mode not in RULES or self.mode == "none":
            return ""
        what = {"unusual": "cells", "improving": "areas", "challenging": "periods"}[self.mode]
        if not self.count:
            return f"None found: no {what} meet this rule for this selection."
        of = {
            "unusual": area_count * period_count,
            "improving": area_count,
            "challenging": period_count,
        }
        return f"{self.count} of {of[self.mode]} {what} marked."


def cap(total: int) -> int:
    """How many one mode may mark out of ``total``: at most MAX_MARKED and MAX_SHARE (>= 1)."""
    return max(1, min(MAX_MARKED, int(total * MAX_SHARE)))


def expected(values: pd.DataFrame, iterations: int = 50) -> np.ndarray:
    """Row effect x column effect fitted to the published cells (iterative proportional
    fitting, so a withheld cell neither counts nor distorts its row's total). NaN where the
    model has nothing to go on, or when values are negative (a model of sizes needs sizes)."""
    grid = values.to_numpy(dtype=float)
    mask = np.isfinite(grid)
    if not mask.any() or (grid[mask] < 0).any() or grid[mask].sum() <= 0:
        return np.full(grid.shape, np.nan)
    observed = np.where(mask, grid, 0.0)
    row = observed.sum(axis=1)
    column = np.ones(grid.shape[1])
    a = np.ones(grid.shape[0])
    for _ in range(iterations):
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(row > 0, row / (mask * column[None, :]).sum(axis=1), 0.0)
            column = np.where(
                observed.sum(axis=0) > 0,
                observed.sum(axis=0) / (mask * a[:, None]).sum(axis=0),
                0.0,
            )
    fitted = a[:, None] * column[None, :]
    return np.where(mask, fitted, np.nan)


def residuals(values: pd.DataFrame) -> np.ndarray:
    """Standardised (quasi-Poisson) residuals: (observed - expected) / sqrt(phi x expected),
    phi the spread of all cells, so the rule reads the same for counts, rates and money."""
    grid = values.to_numpy(dtype=float)
    fitted = expected(values)
    usable = np.isfinite(grid) & np.isfinite(fitted) & (fitted > 0)
    n_rows, n_cols = grid.shape
    freedom = usable.sum() - (n_rows + n_cols - 1)
    if freedom <= 0:
        return np.full(grid.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.where(usable, (grid - fitted) / np.sqrt(fitted), np.nan)
    phi = float(np.nansum(pearson**2) / freedom)
    if not np.isfinite(phi) or phi <= 0:
        return np.full(grid.shape, np.nan)
    return pearson / np.sqrt(phi)


def unusual(values: pd.DataFrame, z: float = UNUSUAL_Z) -> Highlight:
    """The cells furthest from the multiplicative model, at most cap(published cells)."""
    if values.empty:
        return Highlight("unusual")
    score = np.abs(residuals(values))
    found = np.argwhere(np.nan_to_num(score, nan=0.0) >= z)
    order = sorted(found.tolist(), key=lambda ij: -score[ij[0], ij[1]])
    limit = cap(int(np.isfinite(values.to_numpy(dtype=float)).sum()))
    return Highlight("unusual", cells=tuple((int(i), int(j)) for i, j in order[:limit]))


def improving(values: pd.DataFrame, drop: float = IMPROVING_DROP) -> Highlight:
    """Areas whose value relative to the model falls: a negative trend and the mean of the
    last third at least ``drop`` below the first third's."""
    if values.empty:
        return Highlight("improving")
    grid = values.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = grid / expected(values)
    falls: list[tuple[float, int]] = []
    for i, series in enumerate(ratio):
        shown = np.isfinite(series)
        if shown.sum() < 3:
            continue
        x = np.arange(len(series))[shown]
        points = series[shown]
        third = max(1, len(points) // 3)
        first, last = points[:third].mean(), points[-third:].mean()
        slope = np.polyfit(x, points, 1)[0]
        if slope < 0 and first > 0 and last <= first * (1 - drop):
            falls.append((last / first, i))
    falls.sort()
    return Highlight("improving", rows=tuple(i for _, i in falls[: cap(len(grid))]))


def challenging(values: pd.DataFrame, z: float = CHALLENGING_Z) -> Highlight:
    """Periods whose rise over the period before (areas published in both) stands out from
    the range's typical rise; needs 4 or more year-on-year changes to say what is typical."""
    columns = list(values.columns)
    rises: list[tuple[int, float]] = []
    for j in range(1, len(columns)):
        both = values[[columns[j - 1], columns[j]]].dropna()
        before = float(both[columns[j - 1]].sum())
        if both.empty or before <= 0:
            continue
        rises.append((j, float(both[columns[j]].sum()) / before - 1))
    if len(rises) < 4:
        return Highlight("challenging")
    changes = np.array([r for _, r in rises])
    middle = float(np.median(changes))
    spread = 1.4826 * float(np.median(np.abs(changes - middle)))
    if spread <= 0:
        spread = float(np.std(changes))
    if spread <= 0:
        return Highlight("challenging")
    picked = sorted(
        ((r - middle) / spread, j)
        for j, r in rises
        if (r - middle) / spread > z and r - middle >= CHALLENGING_EXCESS
    )
    picked.reverse()
    return Highlight("challenging", columns=tuple(j for _, j in picked[: cap(len(columns))]))


MODES = {"unusual": unusual, "improving": improving, "challenging": challenging}


def find(values: pd.DataFrame, mode: str, parts: Collection[str] = ()) -> Highlight:
    """The highlight of ``mode`` ("none" or unknown: nothing). Part periods' columns are
    left out as withheld cells are (a part year's lower figures are not a fall), keeping
    their places so the highlight's positions are the table's."""
    rule = MODES.get(mode)
    if rule is None:
        return Highlight(mode)
    part_columns = [c for c in values.columns if str(c) in parts]
    if part_columns:
        values = values.copy()
        values[part_columns] = np.nan
    return rule(values)
