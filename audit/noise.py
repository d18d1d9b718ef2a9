"""The attacker's model of the published counts: the public ptable and threshold as likelihoods.

The attacker knows the ptable (it is public) but not the cell keys. Record keys are drawn
uniformly, so a cell key (their sum mod 256) is uniform too, and the probability that a true
count n is published as p is the share of the 256 keys whose pvalue takes n to p. Everything
the attacks compute starts here: P(published | true) for the anchors of a relation, and the
mean and variance of a cell's true count given its published value for the other members.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

#: ONS ptables cover cell values 1..750; larger counts reuse the rows 501..750.
PCV_MAX = 750
#: A suppressed cell holds a true count in 1..threshold-1; a uniform prior over them.
SUPPRESSED = -1


def pcv_of(n: np.ndarray) -> np.ndarray:
    """The ptable row a true count uses (the ONS convention for counts over 750)."""
    n = np.asarray(n, dtype=np.int64)
    return np.where(n <= PCV_MAX, n, ((n - 1) % 250) + 501)


@dataclass(frozen=True)
class NoiseModel:
    """P(published | true count) under a ptable and a threshold on the true count.

    `offsets[pcv, j]` = probability that a count using row pcv is published as count + j - D.
    True 0 publishes 0 (or [c], suppressed_min 0); 1..threshold-1 publish as suppressed; the
    rest as count + pvalue, and as suppressed where that is under the threshold (the build's
    rule: the noise ptable does so for a share of 10..14, the soft edge), so a [c] may hold up
    to `suppressed_max`, with the likelihood `suppressed_share` above threshold - 1.
    """

    offsets: np.ndarray  # (PCV_MAX + 1, 2D + 1): published outcomes only
    spread: int  # D, the largest change to a count the ptable publishes
    threshold: int
    suppressed_max: int  # a [c] cell holds suppressed_min..suppressed_max
    suppressed_min: int = 1  # 0 where true zeros are published as [c] too (the build's rule)
    #: per ptable row, the share of keys taking the count under the threshold ([c])
    under: np.ndarray | None = None

    @classmethod
    def from_ptable(
        cls,
        ptable: pd.DataFrame,
        threshold: int,
        suppressed_max: int | None = None,
        suppressed_min: int = 1,
    ) -> NoiseModel:
        pv = ptable["pvalue"].to_numpy(dtype=np.int64)
        pcv = ptable["pcv"].to_numpy(dtype=np.int64)
        keys = np.bincount(pcv, minlength=PCV_MAX + 1).astype(float)
        keys[keys == 0] = 1.0
        below = (pcv >= max(threshold, 1)) & (pcv + pv < threshold)
        under = np.bincount(pcv[below], minlength=PCV_MAX + 1) / keys
        pv, pcv = pv[~below], pcv[~below]
        spread = int(np.abs(pv).max()) if len(pv) else 0
        offsets = np.zeros((PCV_MAX + 1, 2 * spread + 1))
        np.add.at(offsets, (pcv, pv + spread), 1.0)
        offsets /= keys[:, None]
        offsets[offsets.sum(axis=1) + under == 0, spread] = 1.0  # a missing row: the truth
        if suppressed_max is None:
            edge = np.nonzero(under > 0)[0]
            suppressed_max = max(threshold - 1, int(edge.max()) if len(edge) else 0)
        return cls(offsets, spread, threshold, suppressed_max, suppressed_min, under)

    def suppressed_share(self, n: np.ndarray) -> np.ndarray:
        """P([c] | n) for counts at or over the threshold: the keys the ptable takes under it."""
        n = np.asarray(n, dtype=np.int64)
        if self.under is None:
            return np.zeros(n.shape)
        return self.under[pcv_of(np.maximum(n, 1))]

    @cached_property
    def suppressed_weights(self) -> np.ndarray:
        """P([c] | n) for n = 0..suppressed_max: the attacker's weights for a [c]'s value."""
        n = np.arange(self.suppressed_max + 1)
        w = np.where((n >= self.suppressed_min) & (n < max(self.threshold, 1)), 1.0, 0.0)
        if self.suppressed_max >= self.threshold:
            high = n >= self.threshold
            w[high] = self.suppressed_share(n[high])
        w[n > self.suppressed_max] = 0.0
        return w

    @cached_property
    def suppressed_moments(self) -> tuple[float, float]:
        """Mean and variance of a [c]'s true count (flat prior times P([c] | n))."""
        w = self.suppressed_weights
        if w.sum() == 0:
            return 0.0, 0.0
        n = np.arange(len(w))
        mean = float((w * n).sum() / w.sum())
        return mean, float((w * n**2).sum() / w.sum() - mean**2)

    def published_probs(self, n: int) -> dict[int | None, float]:
        """Every value a true count can publish as, with its probability (None = [c])."""
        if n == 0:
            return {None: 1.0} if self.suppressed_min == 0 else {0: 1.0}
        if n <= self.suppressed_max and n < max(self.threshold, 1):
            return {None: 1.0}
        share = float(self.suppressed_share(np.array([n]))[0]) if n >= self.threshold else 0.0
        out: dict[int | None, float] = {None: share} if share > 0 else {}
        row = self.offsets[int(pcv_of(np.array([n]))[0])]
        for j in np.nonzero(row)[0]:
            p = n + int(j) - self.spread
            out[p] = out.get(p, 0.0) + float(row[j])
        return out

    def likelihood(self, published: np.ndarray, n: np.ndarray) -> np.ndarray:
        """P(published | n), elementwise (published SUPPRESSED = [c]); broadcasts."""
        p, n = np.broadcast_arrays(np.asarray(published), np.asarray(n))
        out = np.zeros(p.shape)
        zero = n == 0
        out[zero & (p == 0)] = 1.0
        small = (n >= self.suppressed_min) & (n < max(self.threshold, 1))
        small &= n <= self.suppressed_max
        out[small & (p == SUPPRESSED)] = 1.0
        edge = (p == SUPPRESSED) & (n >= self.threshold) & (n <= self.suppressed_max)
        if edge.any():
            out[edge] = self.suppressed_share(n[edge])
        # a count under the threshold that was published anyway (an unprotected cell) is read
        # as the truth: the attacker has it
        out[(p >= 1) & (p < self.threshold) & (n == p)] = 1.0
        big = (n >= self.threshold) & (p >= self.threshold)
        if big.any():
            nb, pb = n[big], p[big]
            rows = self.offsets[pcv_of(nb)]
            j = pb - nb + self.spread
            ok = (j >= 0) & (j <= 2 * self.spread)
            val = np.zeros(len(nb))
            val[ok] = rows[ok, j[ok]]
            out[big] = val
        return out

    @cached_property
    def variance(self) -> float:
        """V: the largest variance of one true count's noise over the published counts (the
        build's meta ptable_V, care_atlas.ptables.noise_summary)."""
        j = np.arange(-self.spread, self.spread + 1)
        rows = self.offsets[max(self.threshold, 1) :]
        kept = rows.sum(axis=1)
        rows = rows[kept > 0] / kept[kept > 0, None]  # the noise of what is published
        if not len(rows):
            return 0.0
        mean = rows @ j
        return float((rows @ j**2 - mean**2).max())

    def moments(self, published: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of the true count given each published value (flat prior).

        A suppressed cell: `suppressed_moments`. A published 0: 0.
        """
        p = np.asarray(published, dtype=np.int64)
        mean = p.astype(float)
        var = np.zeros(len(p))
        sup = p == SUPPRESSED
        mean[sup], var[sup] = self.suppressed_moments
        pos = p > 0
        if pos.any() and self.spread > 0:
            uniq, inv = np.unique(p[pos], return_inverse=True)
            cand = uniq[:, None] + np.arange(-self.spread, self.spread + 1)[None, :]
            w = self.likelihood(np.broadcast_to(uniq[:, None], cand.shape), cand)
            w_sum = w.sum(axis=1)
            w_sum[w_sum == 0] = 1.0
            m = (w * cand).sum(axis=1) / w_sum
            v = (w * cand**2).sum(axis=1) / w_sum - m**2
            mean[pos] = m[inv]
            var[pos] = np.maximum(v[inv], 0.0)
        return mean, var


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Standard normal CDF, vectorised (numpy has no erf; Abramowitz-Stegun 7.1.26, error
    under 1.5e-7, far below anything that moves a posterior)."""
    x = np.abs(np.asarray(z, dtype=float)) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = 1.0 - poly * np.exp(-x * x)
    return 0.5 * (1.0 + np.sign(z) * erf)


def integer_normal(k: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """P(S = k) for S normal(mean, var) rounded to the nearest integer; var 0 = a point mass."""
    k, mean, var = np.broadcast_arrays(
        np.asarray(k, float), np.asarray(mean, float), np.asarray(var, float)
    )
    out = np.zeros(k.shape)
    exact = var < 1e-9
    out[exact] = (np.abs(k[exact] - mean[exact]) < 0.5).astype(float)
    g = ~exact
    if g.any():
        sd = np.sqrt(var[g])
        out[g] = normal_cdf((k[g] + 0.5 - mean[g]) / sd) - normal_cdf((k[g] - 0.5 - mean[g]) / sd)
    return out


def publish_counts(
    n: np.ndarray, ckey: np.ndarray, ptable: pd.DataFrame, threshold: int
) -> np.ndarray:
    """The build's rule, for cells the audit makes up itself (the free-form region control):
    0 -> 0, 1..threshold-1 -> SUPPRESSED, else n + pvalue(pcv(n), ckey), SUPPRESSED where
    that is under the threshold."""
    table = np.zeros((PCV_MAX + 1, int(ptable["ckey"].max()) + 1), dtype=np.int64)
    table[ptable["pcv"].to_numpy(), ptable["ckey"].to_numpy()] = ptable["pvalue"].to_numpy()
    n = np.asarray(n, dtype=np.int64)
    out = n + table[pcv_of(np.maximum(n, 1)), np.asarray(ckey) % table.shape[1]]
    out[(n < threshold) | (out < threshold)] = SUPPRESSED
    out[n == 0] = 0
    return out
