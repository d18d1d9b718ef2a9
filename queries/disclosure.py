"""What a published count reveals: the set of true counts consistent with it (PRIVACY.md §7).

An attacker who knows the ptable but not the cell key can say only that the true count n lies in
{n : n + pvalue(pcv(n), k) = p for some key k}. Subtracting two nested published cells gives a
set of possible differences; a small count is recovered "with certainty" only when that set is
exactly one value in 1..9. The differencing test drives this over real view output.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd


class Inverter:
    """Inverts published counts under a ptable (pcv, ckey, pvalue) and threshold."""

    def __init__(
        self,
        ptable: pd.DataFrame,
        threshold: int = 10,
        max_count: int = 5000,
        small_below: int = 10,
    ) -> None:
        self.ptable = ptable
        self.small_below = small_below
        self.threshold = threshold
        self.max_count = max_count

    @cached_property
    def _outcomes(self) -> dict[int, set[int | None]]:
        """n -> every value it can publish as (None = suppressed), over all cell keys."""
        by_pcv = self.ptable.groupby("pcv")["pvalue"].agg(lambda s: set(int(v) for v in s))
        out: dict[int, set[int | None]] = {0: {0}}
        for n in range(1, self.max_count + 1):
            pcv = n if n <= 750 else ((n - 1) % 250) + 501
            published = {n + pv for pv in by_pcv.get(pcv, {0})}
            out[n] = {None if p < self.threshold else p for p in published}
        return out

    def possible(self, published: int | None) -> set[int]:
        """True counts consistent with a published value (None = suppressed)."""
        return {n for n, outs in self._outcomes.items() if published in outs}

    def differences(self, outer: int | None, inner: int | None) -> set[int]:
        """Possible true outer - inner for nested cells (inner's units are within outer's)."""
        outer_set, inner_set = self.possible(outer), self.possible(inner)
        return {a - b for a in outer_set for b in inner_set if a >= b}

    def recovered_small_count(self, outer: int | None, inner: int | None) -> int | None:
        """The small true difference the pair gives away with certainty, else None."""
        diffs = self.differences(outer, inner)
        if len(diffs) == 1:
            (d,) = diffs
            if 1 <= d < self.small_below:
                return d
        return None
