"""Attack (d): one person's cost from differences of cost cells, with a known answer."""

from __future__ import annotations

import math

import numpy as np
import pytest

from audit.cells import from_frames
from audit.money import PINNED, Z90, noise_variance, one_person_costs
from audit.relations import build, relation_types
from tests.fixtures.audit_world import hand_cells, split


def _rows(top1_total: float, top1_part: float) -> list[dict]:
    common = dict(people=None)
    return [
        dict(people=20, people_n=20, cost=100_000.0, cost_total=100_400.0, cost_top1=top1_total),
        dict(
            age_band="a",
            people=15,
            people_n=19,
            cost=90_000.0,
            cost_total=90_400.0,
            cost_top1=top1_part,
        ),
        dict(
            age_band="b", people_n=1, cost=None, cost_total=10_000.0, cost_top1=10_000.0, **common
        ),
    ]


def test_one_person_cost_interval_is_the_noise_of_the_two_published_costs():
    cells = from_frames(*split(hand_cells(_rows(10_000.0, 4_000.0))))
    rel = build(cells, relation_types(cells, {}))
    out = one_person_costs(cells, rel, "cost")
    (row,) = out.itertuples()
    var = noise_variance(np.array([100_000.0, 90_000.0]), np.array([10_000.0, 4_000.0])).sum()
    assert row.estimate == pytest.approx(10_000.0)
    assert row.half_width == pytest.approx(Z90 * math.sqrt(var))
    assert row.relative > 1 and not row.pinned


def test_an_unprotected_cost_difference_pins_the_person():
    # costs published with no noise (top1 0 in the noise scale) leave only rounding
    cells = from_frames(*split(hand_cells(_rows(0.0, 0.0))))
    rel = build(cells, relation_types(cells, {}))
    (row,) = one_person_costs(cells, rel, "cost").itertuples()
    assert row.relative < PINNED and row.pinned
