"""Attacks (a) and (b) on tiny hand-made catalogues with known answers: relations, exact
bounds propagated, least squares and the ptable posterior."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit.bounds import propagate
from audit.cells import from_frames
from audit.decode import decode, evidence
from audit.noise import SUPPRESSED, NoiseModel
from audit.relations import build, relation_types
from care_atlas.ptables import identity_ptable, noise_ptable
from tests.fixtures.audit_world import hand_cells, split

NOISE = NoiseModel.from_ptable(noise_ptable(), 10)
#: The same noise with a hard edge (no count of 10 or more ever [c]): the bounds' known answers.
_TABLE = noise_ptable()
HARD = NoiseModel.from_ptable(_TABLE[_TABLE["pcv"] + _TABLE["pvalue"] >= 10], 10)
AREAS = {
    "areas": pd.DataFrame(
        [("sector", "D 1", "D"), ("sector", "D 2", "D")], columns=["level", "area_code", "district"]
    )
}


def _attack(rows, model=NOISE, ref=None, published=None, measure="people"):
    cells = from_frames(*split(hand_cells(rows)))
    rel = build(cells, relation_types(cells, ref or {}))
    pub = cells.published[measure]
    targets = np.nonzero((pub == SUPPRESSED) | (published is not None))[0]
    if published is not None:
        targets = np.array([i for i, p in enumerate(published) if p == SUPPRESSED])
        published = np.array(published)
    res, used = decode(cells, rel, measure, model, targets, published)
    return cells, rel, res.set_index("cell"), used


def test_a_high_total_over_two_suppressed_parts_pins_both_to_nine_at_a_hard_edge():
    # 18 published as 25 (a 15% outcome of this ptable) means at least 18; with a hard edge
    # two [c] parts hold at most 9 each: both must be 9. The shipped soft edge (a share of
    # 10..14 is [c] too) leaves them open.
    rows = [
        dict(level="district", area_code="D", people=25, people_n=18),
        dict(level="sector", area_code="D 1", people=None, people_n=9),
        dict(level="sector", area_code="D 2", people=None, people_n=9),
    ]
    _, _, res, _ = _attack(rows, model=HARD, ref=AREAS)
    assert res["recovered"].all() and (res["sd"] == 0).all() and (res["map"] == 9).all()
    _, _, soft, _ = _attack(rows, ref=AREAS)
    assert not soft["recovered"].any() and (soft["p_true"] < 0.5).all()


def test_nine_present_parts_of_a_suppressed_total_are_each_one():
    bands = [f"band{i}" for i in range(9)]
    rows = [dict(people=None, people_n=9)] + [
        dict(age_band=b, people=None, people_n=1) for b in bands
    ]
    _, _, res, _ = _attack(rows, model=HARD)
    parts = res[res["true"] == 1]
    assert len(parts) == 9 and parts["recovered"].all()
    assert res.loc[res["true"] == 9, "recovered"].all()


def test_a_total_minus_its_other_parts_recovers_a_part_when_nothing_is_noisy():
    rows = [
        dict(people=57, people_n=57),
        dict(age_band="a", people=20, people_n=20),
        dict(age_band="b", people=30, people_n=30),
        dict(age_band="c", people=7, people_n=7),
    ]
    off = NoiseModel.from_ptable(identity_ptable(), 0, suppressed_max=9)
    _, _, res, _ = _attack(rows, model=off, published=[57, 20, 30, SUPPRESSED])
    (row,) = res.itertuples()
    assert row.ls_estimate == pytest.approx(7) and row.recovered and row.p_true == 1.0


def test_noise_hides_a_part_that_one_noisy_difference_would_give():
    rows = [
        dict(people=40, people_n=37),
        dict(age_band="a", people=15, people_n=14),
        dict(age_band="b", people=15, people_n=16),
        dict(age_band="c", people=None, people_n=7),
    ]
    _, _, res, _ = _attack(rows)
    (row,) = res.itertuples()
    assert not row.recovered and row.p_true < 0.5
    assert 1 < row.ls_estimate < 15 and row.ls_sd > 4


def test_relations_along_two_dimensions_multiply_into_a_sharper_posterior():
    one = [
        dict(people=25, people_n=24),
        dict(age_band="a", people=None, people_n=6),
        dict(age_band="b", people=20, people_n=18),
    ]
    two = one + [
        dict(what="provision:X", age_band="a", people=None, people_n=6),
        dict(what="provision:Y", age_band="a", people=None, people_n=0),
        dict(what="provision:X", people=20, people_n=18),
        dict(what="provision:X", age_band="b", people=10, people_n=12),
    ]
    _, _, res1, _ = _attack(one)
    _, _, res2, used2 = _attack(two)
    target = lambda r: r[(r["true"] == 6)].iloc[0]  # noqa: E731
    assert target(res2)["relations"] > target(res1)["relations"]
    assert target(res2)["ls_sd"] < target(res1)["ls_sd"]
    assert target(res2)["sd"] < target(res1)["sd"]


def test_bounds_propagate_through_a_neighbour_pinned_by_another_relation():
    # (D, age a) is pinned to 1 by the city's [c] total of nine present districts; then
    # D = (D, a) + (D, b) with D published 10 (so 10..17) gives (D, b) >= 9: two hops.
    rows = [
        dict(level="district", area_code="D", people=10, people_n=10),
        dict(level="district", area_code="D", age_band="a", people=None, people_n=1),
        dict(level="district", area_code="D", age_band="b", people=None, people_n=9),
        dict(age_band="a", people=None, people_n=9),
    ] + [
        dict(level="district", area_code=f"E{i}", age_band="a", people=None, people_n=1)
        for i in range(8)
    ]
    cells = from_frames(*split(hand_cells(rows)))
    rel = build(cells, relation_types(cells, {}))
    ev = evidence(cells.published["people"], HARD)
    lo, hi, rounds = propagate(rel, rel.exact(cells.true_n["people"]), ev.lo, ev.hi)
    truth = cells.true_n["people"]
    assert ((lo <= truth) & (truth <= hi)).all()
    assert (lo == truth).all() and (hi == truth).all() and rounds >= 2
    one_hop_lo, one_hop_hi, _ = propagate(rel, rel.exact(truth), ev.lo, ev.hi, rounds=1)
    b = int(
        np.nonzero((truth == 9) & (cells.codes["geo"] != cells.code_of("geo", "city", "C")))[0][0]
    )
    assert one_hop_lo[b] < 9


def test_people_relations_are_used_only_where_nobody_is_in_two_parts():
    rows = [
        dict(people=None, people_n=5),
        dict(what="provision:X", people=None, people_n=4),
        dict(what="provision:Y", people=None, people_n=3),  # two people have both
    ]
    cells = from_frames(*split(hand_cells(rows)))
    rel = build(cells, relation_types(cells, {}))
    assert len(rel) == 1 and not rel.exact(cells.true_n["people"]).any()


def test_a_part_with_no_cell_is_c_where_zeros_are_c_and_hides_its_siblings():
    # [c] = 0..9 with a hard edge: a district published 25 (so at least 18) over its two
    # [c] sectors pins both to 9; give the district a third sector with no cell and the
    # attacker cannot tell it is empty, so nothing is pinned.
    hidden_zeros = NoiseModel.from_ptable(
        _TABLE[_TABLE["pcv"] + _TABLE["pvalue"] >= 10], 10, suppressed_min=0
    )
    rows = [
        dict(level="district", area_code="D", people=25, people_n=18),
        dict(level="sector", area_code="D 1", people=None, people_n=9),
        dict(level="sector", area_code="D 2", people=None, people_n=9),
    ]
    _, _, two, _ = _attack(rows, model=hidden_zeros, ref=AREAS)
    assert two["recovered"].all()
    three = {
        "areas": pd.concat(
            [AREAS["areas"], pd.DataFrame([("sector", "D 3", "D")], columns=AREAS["areas"].columns)]
        )
    }
    # sector D 3 has people in 2013 only: in 2012 it has no cell
    rows_with_empty = rows + [
        dict(level="sector", area_code="D 3", period="2013", people=None, people_n=2)
    ]
    cells = from_frames(*split(hand_cells(rows_with_empty)))
    rel = build(cells, relation_types(cells, three))
    assert rel.absent.max() == 1
    _, _, res, _ = _attack(rows_with_empty, model=hidden_zeros, ref=three)
    assert not res.loc[res["true"] == 9, "recovered"].any()
