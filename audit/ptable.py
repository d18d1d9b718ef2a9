"""Perturbation tables for the audit: re-exports the shared tables and summarises the rule.

The tables themselves live in :mod:`care_atlas.ptables` (the build needs the default one).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from care_atlas.ptables import (  # noqa: F401  (re-exported for the audit and its tests)
    BASE,
    CKEYS,
    DEFAULT_SPREAD,
    DEFAULT_THIRD_SHARE,
    PCV_MAX,
    identity_ptable,
    noise_ptable,
    outcome_probabilities,
    write_ptable,
)


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
