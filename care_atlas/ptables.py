"""Perturbation tables: the default cell-key noise table, the identity table, and ONS 10-5.

The build stores one of them in the serving database; the audit uses the identity table to
switch protection off and prove its attacks can find leaks.

The noise table keeps what the ONS 10-5 rule promises (every published count a multiple of 5,
nothing published under 10) but makes the rounding depend on the cell key, as ONS cell key
perturbation does for Census 2021 flexible tables: each true count n is published as one of the
three multiples of 5 within `spread` of n, chosen by the cell's record-key sum. The choice is
unbiased (the expected published value is n) and consistent (the same people give the same
key, so the same answer). A published p then allows every true count within `spread` of p,
three times the range deterministic rounding allows, which defeats the exact sum-solving
attacks that deterministic rounding falls to.

Counts just over the threshold also go under it for a share of keys
(queries.catalogue.SUPPRESSED_BAND_SHARES; pvalue -n, published 0, which the build reads as
[c]): the threshold's edge is soft, so a [c] never means "at most 9" for certain. What is
published stays unbiased: the published outcomes keep their proportions.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from queries.catalogue import COUNT_THRESHOLD, SUPPRESSED_BAND_SHARES

#: The ONS ptables cover cell values 1..750 and cell keys 0..255.
PCV_MAX = 750
CKEYS = 256
BASE = 5
DEFAULT_SPREAD = 7
DEFAULT_THIRD_SHARE = 0.15
#: Nothing under this is ever published (PRIVACY.md §3: the threshold on the true count).
FLOOR = COUNT_THRESHOLD


def identity_ptable(pcv_max: int = PCV_MAX, ckeys: int = CKEYS) -> pd.DataFrame:
    """pvalue 0 everywhere: with threshold 0 the query layer publishes true counts."""
    rows = [(pcv, ckey, 0) for pcv in range(1, pcv_max + 1) for ckey in range(ckeys)]
    return pd.DataFrame(rows, columns=["pcv", "ckey", "pvalue"])


def outcome_probabilities(
    n: int, third_share: float = DEFAULT_THIRD_SHARE, floor: int = FLOOR
) -> dict[int, float]:
    """Published value -> probability for true count n: the two nearest multiples of 5 in
    unbiased proportions, plus the next multiple out with probability `third_share`, with the
    nearest two re-weighted so the expected published value stays n. Nothing under `floor`
    is an outcome (counts under it are suppressed before the table is read), so n = 10 is
    always 10 and n = 11, 12 are 10 or 15."""
    r = n % BASE
    if r == 0:
        if n - BASE < floor:
            return {n: 1.0}
        half = third_share / 2
        return {n - BASE: half, n: 1 - third_share, n + BASE: half}
    lower, upper = n - r, n - r + BASE
    third = lower - BASE if r <= BASE // 2 else upper + BASE
    if third < floor:
        return {lower: 1 - r / BASE, upper: r / BASE}
    d_lower, d_third = lower - n, third - n
    p_upper = (-third_share * d_third - (1 - third_share) * d_lower) / BASE
    p_lower = 1 - third_share - p_upper
    if min(p_upper, p_lower) <= 0:
        raise ValueError(f"third_share {third_share} is too large for an unbiased table")
    return {lower: p_lower, upper: p_upper, third: third_share}


def _key_counts(probabilities: dict[int, float], ckeys: int) -> dict[int, int]:
    """Split the cell keys between outcomes in proportion, every outcome at least one key."""
    counts = {v: max(1, int(p * ckeys)) for v, p in probabilities.items()}
    by_shortfall = sorted(probabilities, key=lambda v: counts[v] - probabilities[v] * ckeys)
    i = 0
    while sum(counts.values()) < ckeys:
        counts[by_shortfall[i % len(by_shortfall)]] += 1
        i += 1
    while sum(counts.values()) > ckeys:
        biggest = max(counts, key=counts.__getitem__)
        counts[biggest] -= 1
    return counts


def with_soft_edge(
    n: int, probabilities: dict[int, float], shares: dict[int, float] = SUPPRESSED_BAND_SHARES
) -> dict[int, float]:
    """Send the band's share of n's keys under the threshold (published 0, read as [c])."""
    share = shares.get(n, 0.0)
    if share <= 0:
        return probabilities
    return {0: share, **{v: p * (1 - share) for v, p in probabilities.items()}}


def noise_ptable(
    third_share: float = DEFAULT_THIRD_SHARE, pcv_max: int = PCV_MAX, ckeys: int = CKEYS
) -> pd.DataFrame:
    """The cell-key noise table (module docstring), in the ONS format pcv, ckey, pvalue."""
    rows = []
    for pcv in range(1, pcv_max + 1):
        ckey = 0
        counts = _key_counts(with_soft_edge(pcv, outcome_probabilities(pcv, third_share)), ckeys)
        for published in sorted(counts):
            for _ in range(counts[published]):
                rows.append((pcv, ckey, published - pcv))
                ckey += 1
    return pd.DataFrame(rows, columns=["pcv", "ckey", "pvalue"])


def noise_summary(ptable: pd.DataFrame, floor: int = FLOOR) -> tuple[int, float]:
    """(D, V): the largest noise any published count carries and the largest variance of the
    noise of one true count, over counts >= floor and uniform cell keys (PRIVACY.md §3). Keys
    that take a count under the floor suppress it: they publish nothing, so carry no noise."""
    rows = ptable[(ptable["pcv"] >= floor) & (ptable["pcv"] + ptable["pvalue"] >= floor)]
    if rows.empty:
        return 0, 0.0
    d = int(rows["pvalue"].abs().max())
    v = float(rows.groupby("pcv")["pvalue"].var(ddof=0).max())
    return d, round(v, 3)


def write_ptable(ptable: pd.DataFrame, path: Path) -> Path:
    """Write a ptable CSV atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            ptable[["pcv", "ckey", "pvalue"]].to_csv(fh, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


#: The name recorded in the serving database for each built-in table.
NOISE_PTABLE_NAME = "Care Atlas cell-key noise (multiples of 5, within 7 of the true count)"
ONS_10_5_NAME = "ONS 10-5 rule (threshold 10, rounding to base 5, no noise)"


def ons_10_5_path() -> Path:
    """The ONS 10-5 ptable shipped by cell-key-perturbation (installed at the environment root)."""
    return Path(sys.prefix) / "ptable_10_5_rule.csv"
