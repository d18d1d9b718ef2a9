"""Attacks (a) and (b): every relation that involves a target, combined, decoded with the ptable.

For a target cell t and a relation parent = sum(children) holding it, the attacker knows:
- as a child: t = parent - (the other children). The parent's published value gives the exact
  ptable likelihood of its true count; the others' true sum has the mean and variance of their
  published values (suppressed ones: uniform over 1..9). So P(relation | t = x) =
  sum_n P(parent published | n) P(others = n - x).
- as a parent: t = the sum of its children.
- exactly, from the bounds alone: each published value allows an interval of true counts, so
  t lies between the parent's lowest minus the others' highest and so on (a group of nine
  suppressed children under a suppressed parent pins each of them to 1).
(a) combines the relations' least-squares estimates by inverse variance; (b) multiplies their
likelihoods with the prior (the attacker knows a suppressed count is 1..9, or the target's own
published value) into a posterior over the target's true count. Within a family (geography,
what, period, ...) a target's relations share cells, so the best one per role is used; across
families they share none and their evidence multiplies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from audit.bounds import MAX_ROUNDS, propagate
from audit.cells import COUNT_MEASURES, CellTable
from audit.noise import SUPPRESSED, NoiseModel, integer_normal
from audit.relations import FAMILIES, MEASURE_FAMILIES, Relations

#: A relation whose estimate has a standard deviation above this says nothing about 1..9.
FLAT_SD = 25.0
CHUNK = 20_000  # rows of (grid x anchor) messages at a time: bounds the temporaries
TARGET_CHUNK = 250_000


@dataclass
class Evidence:
    """What the attacker reads off each cell: moments and the interval of possible counts.

    `raw` marks published values the ptable can never produce (not multiples of 5, under the
    threshold): the rule was not applied, so the attacker reads them as the true counts.
    """

    published: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    raw: np.ndarray


def evidence(published: np.ndarray, model: NoiseModel) -> Evidence:
    mean, var = model.moments(published)
    lo = published.astype(np.int64).copy()
    hi = lo.copy()
    raw = np.zeros(len(published), dtype=bool)
    sup = published == SUPPRESSED
    lo[sup], hi[sup] = model.suppressed_min, model.suppressed_max
    pos = published > 0
    if pos.any():
        uniq, inv = np.unique(published[pos], return_inverse=True)
        cand = uniq[:, None] + np.arange(-model.spread, model.spread + 1)[None, :]
        ok = model.likelihood(np.broadcast_to(uniq[:, None], cand.shape), cand) > 0
        none = ~ok.any(axis=1)
        ok[none] = cand[none] == uniq[none, None]
        lo[pos] = np.where(ok, cand, np.iinfo(np.int64).max).min(axis=1)[inv]
        hi[pos] = np.where(ok, cand, -1).max(axis=1)[inv]
        raw[pos] = none[inv]
        mean[raw], var[raw] = published[raw], 0.0
    return Evidence(published, mean, var, lo, hi, raw)


@dataclass
class _Sums:
    """Per relation, over its children (usable relations only): the attacker's sums."""

    usable: np.ndarray
    cc: np.ndarray
    cr: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    family: np.ndarray


def _sums(rel: Relations, ev: Evidence, usable: np.ndarray, model: NoiseModel) -> _Sums:
    """Parts with no cell count as [c] where zeros are [c] too (suppressed_min 0)."""
    k = usable[rel.child_rel]
    cc, cr = rel.child_cell[k], rel.child_rel[k]
    n = len(rel)
    hidden = rel.absent if model.suppressed_min == 0 else np.zeros(n, dtype=np.int64)
    top = model.suppressed_max
    c_mean, c_var = model.suppressed_moments
    return _Sums(
        usable,
        cc,
        cr,
        np.bincount(cr, ev.mean[cc], n) + hidden * c_mean,
        np.bincount(cr, ev.var[cc], n) + hidden * c_var,
        np.bincount(cr, ev.lo[cc], n),
        np.bincount(cr, ev.hi[cc], n) + hidden * top,
        rel.family_of(np.arange(n)),
    )


def _rows(rel: Relations, ev: Evidence, s: _Sums, is_target: np.ndarray) -> pd.DataFrame:
    """One row per (target, usable relation holding it), with the Gaussian and interval facts."""
    as_child = is_target[s.cc]
    t, r = s.cc[as_child], s.cr[as_child]
    p = rel.parent[r]
    o_mean = s.mean[r] - ev.mean[t]
    o_var = np.maximum(s.var[r] - ev.var[t], 0.0)
    child = pd.DataFrame(
        {
            "target": t,
            "rel": r,
            "role": 0,
            "family": s.family[r],
            "anchor": p,
            "o_mean": o_mean,
            "o_var": o_var,
            "lo": ev.lo[p] - (s.hi[r] - ev.hi[t]),
            "hi": ev.hi[p] - (s.lo[r] - ev.lo[t]),
            "est": ev.mean[p] - o_mean,
            "g_var": ev.var[p] + o_var,
        }
    )
    pr = np.nonzero(s.usable & is_target[rel.parent])[0]
    parent = pd.DataFrame(
        {
            "target": rel.parent[pr],
            "rel": pr,
            "role": 1,
            "family": s.family[pr],
            "anchor": -1,
            "o_mean": s.mean[pr],
            "o_var": s.var[pr],
            "lo": s.lo[pr],
            "hi": s.hi[pr],
            "est": s.mean[pr],
            "g_var": s.var[pr],
        }
    )
    return pd.concat([child, parent], ignore_index=True)


def best_per_family(rows: pd.DataFrame) -> pd.DataFrame:
    """The most precise relation per target, family and role (they share cells otherwise)."""
    if rows.empty:
        return rows
    order = rows.sort_values(["target", "family", "role", "g_var"], kind="stable")
    return order.drop_duplicates(["target", "family", "role"], keep="first")


def decode(
    cells: CellTable,
    rel: Relations,
    measure: str,
    model: NoiseModel,
    targets: np.ndarray,
    published: np.ndarray | None = None,
    rounds: int = MAX_ROUNDS,
    keep_used: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Posterior of each target's true count. Returns (one row per target, the relations used
    by the targets the attacker is at least 90% sure of, for the report).

    `published` overrides what the attacker sees (the controls publish the truth and withhold
    only the targets themselves). Targets are decoded in chunks so memory stays bounded.
    """
    pub = cells.published[measure] if published is None else published
    ev = evidence(pub, model)
    fams = np.array([FAMILIES.index(f) for f in MEASURE_FAMILIES[measure]])
    usable = rel.exact(cells.true_n[measure]) & np.isin(rel.family_of(np.arange(len(rel))), fams)
    hidden_hi = model.suppressed_max if model.suppressed_min == 0 else 0
    ev.lo, ev.hi, done = propagate(rel, usable, ev.lo, ev.hi, rounds, hidden_hi)
    sums = _sums(rel, ev, usable, model)
    results, used = [], []
    for s in range(0, len(targets), TARGET_CHUNK):
        r, u = _decode_chunk(cells, rel, measure, model, ev, sums, targets[s : s + TARGET_CHUNK])
        results.append(r)
        if keep_used:
            top = r["p_true"].nlargest(20).index  # the report's worst cells when none is sure
            sure = r.loc[(r["p_true"] >= 0.9) | r.index.isin(top), "cell"]
            used.append(u[u["target"].isin(sure)])
    result = pd.concat(results, ignore_index=True)
    result.attrs["rounds"] = done
    return result, pd.concat(used, ignore_index=True) if used else pd.DataFrame()


def _decode_chunk(
    cells: CellTable,
    rel: Relations,
    measure: str,
    model: NoiseModel,
    ev: Evidence,
    sums: _Sums,
    targets: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    pub, true_n = ev.published, cells.true_n[measure]
    is_target = np.zeros(len(cells), dtype=bool)
    is_target[targets] = True
    used = best_per_family(_rows(rel, ev, sums, is_target))

    # the grid of values each target can take, and its own evidence as the prior
    width = max(model.suppressed_max + 1, 2 * model.spread + 1)
    pos = np.full(len(cells), -1, dtype=np.int64)
    pos[targets] = np.arange(len(targets))
    t_pub = pub[targets]
    start = np.where(t_pub == SUPPRESSED, model.suppressed_min, ev.lo[targets])
    grid = start[:, None] + np.arange(width)[None, :]
    prior = model.likelihood(np.broadcast_to(t_pub[:, None], grid.shape), grid)
    prior[(t_pub == SUPPRESSED)[:, None] & (grid > model.suppressed_max)] = 0.0
    t_raw = ev.raw[targets]
    prior[t_raw] = grid[t_raw] == t_pub[t_raw, None]
    prior *= (grid >= ev.lo[targets, None]) & (grid <= ev.hi[targets, None])
    log_post = np.log(prior + 1e-300)

    row_t = pos[used["target"].to_numpy(dtype=np.int64)]
    lo, hi = used["lo"].to_numpy(), used["hi"].to_numpy()
    for s in range(0, len(used), CHUNK):
        sl = slice(s, s + CHUNK)
        x = grid[row_t[sl]].astype(float)
        msg = _messages(used.iloc[sl], x, ev, model)
        msg *= (x >= lo[sl, None]) & (x <= hi[sl, None])
        np.add.at(log_post, row_t[sl], np.log(msg + 1e-300))
    log_post -= log_post.max(axis=1, keepdims=True)
    post = np.exp(log_post)
    post /= post.sum(axis=1, keepdims=True)

    mean = (post * grid).sum(axis=1)
    sd = np.sqrt(np.maximum((post * grid**2).sum(axis=1) - mean**2, 0.0))
    best = grid[np.arange(len(targets)), post.argmax(axis=1)]
    truth = true_n[targets]
    in_grid = (truth >= start) & (truth < start + width)
    p_true = np.where(
        in_grid, post[np.arange(len(targets)), np.clip(truth - start, 0, width - 1)], 0.0
    )
    g = used.assign(w=1.0 / np.maximum(used["g_var"], 1e-12))
    ls = g.assign(wx=g["w"] * g["est"]).groupby("target")[["w", "wx"]].sum()
    ls_est = ls["wx"] / ls["w"]
    result = pd.DataFrame(
        {
            "cell": targets,
            "measure": pd.Categorical([measure] * len(targets), categories=COUNT_MEASURES),
            "published": t_pub,
            "true": truth,
            "ls_estimate": pd.Series(targets).map(ls_est).to_numpy(),
            "ls_sd": pd.Series(targets).map(np.sqrt(1.0 / ls["w"])).to_numpy(),
            "estimate": mean,
            "sd": sd,
            "map": best,
            "p_map": post.max(axis=1),
            "p_true": p_true,
            "raw": t_raw,
            "relations": pd.Series(targets)
            .map(used.groupby("target").size())
            .fillna(0)
            .to_numpy(dtype=int),
        }
    )
    result["recovered"] = (np.rint(mean) == truth) & (p_true >= 0.9) & (truth >= 1) & (truth <= 9)
    return result, used


def _messages(rows: pd.DataFrame, x: np.ndarray, ev: Evidence, model: NoiseModel) -> np.ndarray:
    """P(relation's published values | target = x) for each row and grid value."""
    out = np.ones(x.shape)
    o_mean = rows["o_mean"].to_numpy()[:, None]
    o_var = rows["o_var"].to_numpy()[:, None]
    g_sd = np.sqrt(rows["g_var"].to_numpy())
    informative = g_sd <= FLAT_SD
    parent = (rows["role"].to_numpy() == 1) & informative
    if parent.any():
        out[parent] = integer_normal(x[parent], o_mean[parent], o_var[parent])
    child = (rows["role"].to_numpy() == 0) & informative
    if child.any():
        a = rows["anchor"].to_numpy()[child]
        a_pub = ev.published[a]
        j = np.arange(max(2 * model.spread + 1, model.suppressed_max + 1))
        base = np.where(
            a_pub == SUPPRESSED, model.suppressed_min, np.maximum(a_pub - model.spread, 0)
        )
        n = base[:, None] + j[None, :]  # the anchor's possible true counts
        lik = model.likelihood(np.broadcast_to(a_pub[:, None], n.shape), n)  # (R, J)
        lik = np.where(ev.raw[a, None], n == a_pub[:, None], lik)
        lik *= (n >= ev.lo[a, None]) & (n <= ev.hi[a, None])
        others = n[:, None, :] - x[child][:, :, None]  # (R, G, J)
        p_others = integer_normal(others, o_mean[child][:, :, None], o_var[child][:, :, None])
        out[child] = (p_others * lik[:, None, :]).sum(axis=2)
    return out
