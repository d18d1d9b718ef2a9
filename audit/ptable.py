"""Perturbation tables for the audit: the identity table (protection off) and a noise table.

The noise table keeps what the ONS 10-5 rule promises (every published count a multiple of 5,
nothing published under 10) but makes the rounding depend on the cell key, as ONS cell key
perturbation does for Census 2021 flexible tables: each true count n is published as one of the
three multiples of 5 within `spread` of n, chosen by the cell's record-key sum. The choice is
unbiased (the expected published value is n) and consistent (the same people give the same
key, so the same answer). A published p then allows every true count within `spread` of p,
three times the range deterministic rounding allows, which defeats the exact sum-solving
attacks that deterministic rounding falls to.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: The ONS ptables cover cell values 1..750 and cell keys 0..255.
PCV_MAX = 750
CKEYS = 256
BASE = 5
DEFAULT_SPREAD = 7
DEFAULT_THIRD_SHARE = 0.15


def identity_ptable(pcv_max: int = PCV_MAX, ckeys: int = CKEYS) -> pd.DataFrame:
    """pvalue 0 everywhere: with threshold 0 the query layer publishes true counts."""
    rows = [(pcv, ckey, 0) for pcv in range(1, pcv_max + 1) for ckey in range(ckeys)]
    return pd.DataFrame(rows, columns=["pcv", "ckey", "pvalue"])


def outcome_probabilities(n: int, third_share: float = DEFAULT_THIRD_SHARE) -> dict[int, float]:
    """Published value -> probability for true count n: the two nearest multiples of 5 in
    unbiased proportions, plus the next multiple out with probability `third_share`, with the
    nearest two re-weighted so the expected published value stays n."""
    r = n % BASE
    if r == 0:
        if n - BASE < 0:
            return {n: 1.0}
        half = third_share / 2
        return {n - BASE: half, n: 1 - third_share, n + BASE: half}
    lower, upper = n - r, n - r + BASE
    third = lower - BASE if r <= BASE // 2 else upper + BASE
    if third < 0:
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


def noise_ptable(
    third_share: float = DEFAULT_THIRD_SHARE, pcv_max: int = PCV_MAX, ckeys: int = CKEYS
) -> pd.DataFrame:
    """The cell-key noise table (module docstring), in the ONS format pcv, ckey, pvalue."""
    rows = []
    for pcv in range(1, pcv_max + 1):
        ckey = 0
        counts = _key_counts(outcome_probabilities(pcv, third_share), ckeys)
        for published in sorted(counts):
            for _ in range(counts[published]):
                rows.append((pcv, ckey, published - pcv))
                ckey += 1
    return pd.DataFrame(rows, columns=["pcv", "ckey", "pvalue"])


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


@dataclass(frozen=True)
class PtableSummary:
    """What a board needs to know about the rule in force."""

    rows: int
    pcv_max: int
    ckeys: int
    threshold: int
    max_abs_pvalue: int
    noisy: bool  # some cell value's pvalue depends on the cell key
    multiples_of: int | None  # every published count >= threshold is a multiple of this
    outcomes: dict[int, list[int | None]]  # true count -> published values (None = suppressed)

    def describe(self) -> str:
        if self.max_abs_pvalue == 0:
            kind = "no perturbation (true counts)"
        elif self.noisy:
            kind = "cell key noise (the published value depends on the record keys)"
        else:
            kind = (
                "deterministic rounding (no noise: the same true count always publishes the same)"
            )
        base = (
            f", published counts are multiples of {self.multiples_of}" if self.multiples_of else ""
        )
        suppression = (
            f"counts under {self.threshold} after perturbation are suppressed"
            if self.threshold > 0
            else "nothing is suppressed"
        )
        return (
            f"{kind}; {suppression}{base}; "
            f"largest change to a published count ±{self.max_abs_pvalue}"
        )


def summarise_ptable(ptable: pd.DataFrame, threshold: int, show_up_to: int = 20) -> PtableSummary:
    by_pcv = ptable.groupby("pcv")["pvalue"]
    noisy = bool((by_pcv.nunique() > 1).any())
    published = ptable["pcv"] + ptable["pvalue"]
    shown = published[published >= threshold]
    multiple = next((b for b in (10, 5, 3, 2) if len(shown) and (shown % b == 0).all()), None)
    outcomes: dict[int, list[int | None]] = {}
    values = by_pcv.agg(lambda s: sorted(set(int(v) for v in s)))
    for n in range(1, show_up_to + 1):
        pvalues = values.get(n, [0])
        outs = sorted({n + pv for pv in pvalues})
        outcomes[n] = sorted(
            {None if p < threshold else p for p in outs}, key=lambda p: -1 if p is None else p
        )
    return PtableSummary(
        rows=len(ptable),
        pcv_max=int(ptable["pcv"].max()),
        ckeys=int(ptable["ckey"].max()) + 1,
        threshold=threshold,
        max_abs_pvalue=int(ptable.loc[published >= threshold, "pvalue"].abs().max() or 0),
        noisy=noisy,
        multiples_of=multiple,
        outcomes=outcomes,
    )
