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


def _runs(cr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start of each relation's run of memberships (sorted by relation), and its relation."""
    if not len(cr):
        return cr, cr
    starts = np.nonzero(np.r_[True, cr[1:] != cr[:-1]])[0]
    return starts, cr[starts]


def propagate(
    rel: Relations,
    usable: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    rounds: int = MAX_ROUNDS,
    absent_hi: int = 0,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Tightened (lo, hi) for every cell, and the rounds it took to settle. Each part with no
    cell may hold 0..`absent_hi` (0 where zeros are published; the [c] range where not).

    After the first round only relations with a member that moved are revisited (the
    others would give the same bounds again), so late rounds cost little.
    """
    lo, hi = lo.astype(np.int64).copy(), hi.astype(np.int64).copy()
    k = usable[rel.child_rel]
    cc_all, cr_all = rel.child_cell[k], rel.child_rel[k]  # still sorted by relation
    active = usable.copy()
    n = len(rel)
    for done in range(1, rounds + 1):
        before_lo, before_hi = lo.copy(), hi.copy()
        pick = active[cr_all]
        cc, cr = cc_all[pick], cr_all[pick]
        starts, run_rel = _runs(cr)
        live = run_rel  # the active relations that have children
        lo_c, hi_c = lo[cc], hi[cc]
        s_lo, s_hi = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        if len(starts):
            s_lo[live] = np.add.reduceat(lo_c, starts)
            s_hi[live] = np.add.reduceat(hi_c, starts) + rel.absent[live] * absent_hi
        parent, p = rel.parent[live], rel.parent[cr]
        np.maximum.at(lo, parent, s_lo[live])
        np.minimum.at(hi, parent, s_hi[live])
        np.maximum.at(lo, cc, lo[p] - (s_hi[cr] - hi_c))
        np.minimum.at(hi, cc, hi[p] - (s_lo[cr] - lo_c))
        np.maximum(lo, 0, out=lo)
        moved = (lo != before_lo) | (hi != before_hi)
        if not moved.any():
            return lo, hi, done
        active = np.zeros(n, dtype=bool)
        active[cr_all[moved[cc_all]]] = True
        active[moved[rel.parent]] = True
        active &= usable
    return lo, hi, rounds
