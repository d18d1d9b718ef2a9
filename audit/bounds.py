"""Exact reasoning: propagate every cell's interval of possible true counts through every
relation until nothing tightens (the linear-programming attack on published tables).

Each published value allows an interval of true counts (a [c] cell: 1..9; a published p: the
counts the ptable can take to p; an absent cell: 0). A relation parent = sum(children) then
bounds the parent by the sum of the children's intervals and each child by the parent's
interval minus the others'. A tightened cell tightens its neighbours in turn, so the attacker
repeats until a fixed point. Every bound is certain: a cell whose interval closes on one value
is recovered with no doubt at all (for example a [c] parent with nine present children, which
must each be exactly 1).
"""

from __future__ import annotations

import numpy as np

from audit.relations import Relations

#: Rounds of propagation; each round costs a few passes over the memberships.
MAX_ROUNDS = 8


def _run_sums(values: np.ndarray, starts: np.ndarray, rels: np.ndarray, n: int) -> np.ndarray:
    """Sum of `values` over each relation's run of memberships (sorted by relation)."""
    out = np.zeros(n, dtype=np.int64)
    if len(starts):
        out[rels] = np.add.reduceat(values, starts)
    return out


def propagate(
    rel: Relations, usable: np.ndarray, lo: np.ndarray, hi: np.ndarray, rounds: int = MAX_ROUNDS
) -> tuple[np.ndarray, np.ndarray, int]:
    """Tightened (lo, hi) for every cell, and the rounds it took to settle."""
    lo, hi = lo.astype(np.int64).copy(), hi.astype(np.int64).copy()
    k = usable[rel.child_rel]
    cc, cr = rel.child_cell[k], rel.child_rel[k]  # still sorted by relation
    starts = np.nonzero(np.r_[True, cr[1:] != cr[:-1]])[0] if len(cr) else cr
    run_rel = cr[starts]
    live = np.nonzero(usable)[0]
    parent, p = rel.parent[live], rel.parent[cr]
    n = len(rel)
    for done in range(1, rounds + 1):
        before_lo, before_hi = lo.copy(), hi.copy()
        lo_c, hi_c = lo[cc], hi[cc]
        s_lo = _run_sums(lo_c, starts, run_rel, n)
        s_hi = _run_sums(hi_c, starts, run_rel, n)
        np.maximum.at(lo, parent, s_lo[live])
        np.minimum.at(hi, parent, s_hi[live])
        np.maximum.at(lo, cc, lo[p] - (s_hi[cr] - hi_c))
        np.minimum.at(hi, cc, hi[p] - (s_lo[cr] - lo_c))
        np.maximum(lo, 0, out=lo)
        if np.array_equal(lo, before_lo) and np.array_equal(hi, before_hi):
            return lo, hi, done
    return lo, hi, rounds
