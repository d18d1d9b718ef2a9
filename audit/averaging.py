"""Attack (c): average the differences of many pairs of cells whose difference is the same group.

Cell key noise is the same for the same people but independent for different ones, so if an
attacker can ask for "S plus ward w" and "S" for many different sets S, each difference is the
group's true count plus independent noise, and the average converges on it. In the published
catalogue the only such pairs are its own relations (a parent minus its other parts along each
dimension, and one region set's region minus a smaller region of another set), which
`audit.decode` already combines. This module runs the attack where the pairs are unlimited: a
control catalogue that allows free-form regions of wards (what version 1's API allowed). It
must recover small counts, or the audit could not be trusted to see this attack.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from audit.cells import CellTable
from audit.noise import SUPPRESSED, NoiseModel, integer_normal, publish_counts

#: Pairs of free-form regions asked per target: a scripted attacker's afternoon.
PAIRS = 400


def ward_slices(cells: CellTable) -> tuple[np.ndarray, np.ndarray]:
    """Ward cells and, for each, its slice (its key with the geography left out)."""
    geo = cells.vocab["geo"]
    ward_codes = np.nonzero((geo["level"] == "ward").to_numpy())[0]
    wards = np.nonzero(np.isin(cells.codes["geo"], ward_codes))[0]
    slice_key = cells.packed[wards] - cells.codes["geo"][wards] * cells.multiplier("geo")
    return wards, slice_key


def free_form_regions(
    cells: CellTable,
    measure: str,
    ptable: pd.DataFrame,
    model: NoiseModel,
    *,
    targets: int,
    pairs: int = PAIRS,
    seed: int = 0,
) -> pd.DataFrame:
    """Attack up to `targets` ward cells with true count 1..9 through free-form region pairs.

    Each pair: S = a random half of the slice's other wards; "S plus w" and "S" are published
    as the build would (true count and cell key are sums over wards: agreement counts and their
    key sums are additive), and the attacker averages the differences.
    """
    rng = np.random.default_rng(seed)
    wards, slice_key = ward_slices(cells)
    n, ck = cells.true_n[measure][wards], cells.true_ckey[measure][wards]
    small = np.nonzero((n >= 1) & (n <= 9))[0]
    if len(small) > targets:
        small = np.sort(rng.choice(small, targets, replace=False))
    by_slice = pd.Series(np.arange(len(wards))).groupby(slice_key).indices
    rows = []
    x = np.arange(1, 10)
    for i in small:
        others = by_slice[slice_key[i]]
        others = others[others != i]
        pick = rng.random((pairs, len(others))) < 0.5
        n_s = pick @ n[others]
        ck_s = pick @ ck[others]
        p_s = publish_counts(n_s, ck_s, ptable, model.threshold)
        p_sw = publish_counts(n_s + n[i], ck_s + ck[i], ptable, model.threshold)
        ok = (p_s != SUPPRESSED) & (p_sw != SUPPRESSED)
        diffs = (p_sw - p_s)[ok]
        _, var_s = model.moments(p_s[ok])
        _, var_sw = model.moments(p_sw[ok])
        if len(diffs) == 0:
            continue
        w = 1.0 / np.maximum(var_s + var_sw, 1e-9)
        est = float((w * diffs).sum() / w.sum())
        var = float(1.0 / w.sum()) if np.isfinite(w).all() and (var_s + var_sw).max() > 0 else 0.0
        post = integer_normal(x, est, var) + 1e-300
        post /= post.sum()
        truth = int(n[i])
        rows.append(
            {
                "cell": int(wards[i]),
                "measure": measure,
                "true": truth,
                "pairs": int(ok.sum()),
                "estimate": est,
                "sd": var**0.5,
                "p_true": float(post[truth - 1]),
                "recovered": bool(round(est) == truth and post[truth - 1] >= 0.9),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["cell", "measure", "true", "pairs", "estimate", "sd", "p_true", "recovered"],
    )
