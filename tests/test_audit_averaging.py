"""Attack (c), averaging, on the free-form region control of a tiny city of 25 wards."""

from __future__ import annotations

import pytest

from audit.averaging import free_form_regions
from audit.cells import from_frames
from audit.noise import NoiseModel
from care_atlas.ptables import identity_ptable, noise_ptable
from tests.fixtures import audit_world as w


@pytest.fixture(scope="module")
def wards_city():
    truth = w.truth(w.facts(1500, wards=25))
    return truth


def _cells(truth, ptable):
    return from_frames(w.publish(truth, ptable), truth)


def test_free_form_regions_give_small_counts_away_exactly_without_noise(wards_city):
    table = identity_ptable()
    cells = _cells(wards_city, table)
    res = free_form_regions(
        cells, "agreements_active", table, NoiseModel.from_ptable(table, 10), targets=20, pairs=30
    )
    assert len(res) == 20 and res["recovered"].all() and (res["sd"] == 0).all()


def test_averaging_many_region_pairs_defeats_the_cell_key_noise(wards_city):
    table = noise_ptable()
    cells = _cells(wards_city, table)
    model = NoiseModel.from_ptable(table, 10)
    res = free_form_regions(cells, "agreements_active", table, model, targets=40, seed=3)
    assert len(res) == 40
    assert res["recovered"].mean() > 0.5
    assert (
        res.loc[res["recovered"], "estimate"].round() == res.loc[res["recovered"], "true"]
    ).all()
    few = free_form_regions(cells, "agreements_active", table, model, targets=40, pairs=2, seed=3)
    assert few["recovered"].sum() < res["recovered"].sum()
