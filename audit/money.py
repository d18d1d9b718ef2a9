"""Attack (d): how narrowly one person's cost can be pinned from differences of cost cells.

A cell with exactly one person has its cost suppressed, but its parent and its siblings may
all be published: then the person's cost = parent cost - the siblings' costs. Each published
cost carries noise uniform on +-(the cell's largest single cost) and 3-significant-figure
rounding, so the difference is as uncertain as the sum of those noises. The attacker combines
the best such difference along every dimension (inverse variance), and the audit reports the
90% interval's half-width as a share of the person's true cost: "pinned" when under 10%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from audit.cells import CellTable
from audit.relations import FAMILIES, MEASURE_FAMILIES, Relations

#: The people a cost is the cost of (a cell holding one of them holds one person's cost).
PEOPLE_OF = {"cost": "people", "cost_beyond_42": "people_over_6w"}
#: A cost is "pinned" when its 90% interval's half-width is under this share of it.
PINNED = 0.10
Z90 = 1.6449


def noise_variance(published: np.ndarray, top1: np.ndarray) -> np.ndarray:
    """Variance of published - true: uniform noise on +-top1, then rounding to 3 s.f."""
    mag = np.abs(np.nan_to_num(published))
    unit = np.where(mag > 0, 10.0 ** (np.floor(np.log10(np.maximum(mag, 1e-12))) - 2), 0.0)
    return top1**2 / 3.0 + unit**2 / 12.0


def one_person_costs(cells: CellTable, rel: Relations, cost: str) -> pd.DataFrame:
    """For every cell holding exactly one person's cost, the attacker's narrowest interval."""
    m = cells.money[cost]
    pub, total = m["published"], m["total"]
    var = noise_variance(pub, m["top1"])
    known = ~np.isnan(pub) | (total == 0)  # a cost the attacker reads (absent cells cost 0)
    value = np.nan_to_num(pub)
    fams = np.array([FAMILIES.index(f) for f in MEASURE_FAMILIES[cost]])
    usable = rel.exact(total) & np.isin(rel.family_of(np.arange(len(rel))), fams)
    usable &= known[rel.parent]
    n = len(rel)
    cc, cr = rel.child_cell, rel.child_rel
    unknown = np.bincount(cr, (~known[cc]).astype(float), n)
    s_val = np.bincount(cr, value[cc], n)
    s_var = np.bincount(cr, np.where(known[cc], var[cc], 0.0), n)
    targets = cells.true_n[PEOPLE_OF.get(cost, "people")] == 1
    k = usable[cr] & targets[cc] & ~known[cc] & (total[cc] > 0)
    t, r = cc[k], cr[k]
    rows = pd.DataFrame(
        {
            "cell": t,
            "rel": r,
            "family": rel.family_of(r),
            "ok": unknown[r] == 1,  # the target is the only cost the attacker cannot read
            "est": value[rel.parent[r]] - s_val[r],
            "var": var[rel.parent[r]] + s_var[r],
        }
    )
    rows = rows[rows["ok"]]
    if rows.empty:
        return pd.DataFrame(
            columns=[
                "cell",
                "measure",
                "true",
                "estimate",
                "half_width",
                "relative",
                "relations",
                "pinned",
            ]
        )
    rows = rows.sort_values(["cell", "family", "var"]).drop_duplicates(["cell", "family"])
    rows["w"] = 1.0 / np.maximum(rows["var"], 1e-12)
    rows["wx"] = rows["w"] * rows["est"]
    g = rows.groupby("cell").agg(w=("w", "sum"), wx=("wx", "sum"), relations=("rel", "size"))
    out = pd.DataFrame({"cell": g.index.to_numpy(), "measure": cost})
    out["true"] = total[out["cell"]]
    out["estimate"] = (g["wx"] / g["w"]).to_numpy()
    out["half_width"] = Z90 / np.sqrt(g["w"].to_numpy())
    out["relative"] = out["half_width"] / out["true"]
    out["relations"] = g["relations"].to_numpy()
    out["pinned"] = out["relative"] < PINNED
    return out.sort_values("relative").reset_index(drop=True)
