"""The attacker's reasoning (audit.knowledge, audit.ranges) and the ptables (audit.ptable),
without a database: small, exact examples with known answers."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from audit import ranges
from audit.knowledge import AttackerKnowledge
from audit.ptable import (
    identity_ptable,
    noise_ptable,
    outcome_probabilities,
    summarise_ptable,
)
from queries.disclosure import Inverter

ONS_10_5 = pd.read_csv(Path(sys.prefix) / "ptable_10_5_rule.csv")


@pytest.fixture(scope="module")
def ten_five() -> AttackerKnowledge:
    return AttackerKnowledge(ONS_10_5, threshold=10, max_count=2000)


@pytest.fixture(scope="module")
def noise() -> AttackerKnowledge:
    return AttackerKnowledge(noise_ptable(), threshold=10, max_count=2000)


def test_knowledge_agrees_with_the_query_layers_inverter(ten_five):
    reference = Inverter(ONS_10_5, threshold=10, max_count=2000)
    for published in (None, 0, 10, 15, 20, 135, 1000, 1995):
        assert ten_five.possible(published) == reference.possible(published)
    assert ten_five.recovered_small_count(15, 10) is None


def test_recovery_means_one_value_in_1_to_9(ten_five):
    assert ten_five.is_recovery({3}) == 3
    assert ten_five.is_recovery({0}) is None
    assert ten_five.is_recovery({10}) is None
    assert ten_five.is_recovery({3, 4}) is None
    assert ten_five.is_narrowed_small({3, 4})
    assert not ten_five.is_narrowed_small({9, 10})


def test_identity_ptable_publishes_true_counts():
    knowledge = AttackerKnowledge(identity_ptable(), threshold=0, max_count=1000)
    assert knowledge.possible(7) == {7}
    assert knowledge.possible(999) == {999}
    assert knowledge.recovered_small_count(23, 20) == 3


def test_range_solver_bounds_every_range_exactly():
    # parts 4, 6, 5 published exactly, and their total
    dist = ranges.solve(3, {(1, 1): (4, 4), (2, 2): (6, 6), (3, 3): (5, 5), (1, 3): (15, 15)})
    assert dist is not None
    assert ranges.interval(dist, 1, 2) == (10, 10)
    # a total that cannot be the sum of its parts: no counts fit
    assert ranges.solve(2, {(1, 1): (4, 4), (2, 2): (6, 6), (1, 2): (20, 20)}) is None
    # the last part is only bounded through the total
    dist = ranges.solve(2, {(1, 1): (10, 12), (1, 2): (13, 17)})
    assert ranges.interval(dist, 2, 2) == (1, 7)


def _margin_attack(knowledge: AttackerKnowledge, parts: list, total: int) -> set[int]:
    """What total minus the other parts says about the last part (as the margins attack)."""
    bounds = {(i, i): knowledge.hull(p) for i, p in enumerate(parts, start=1)}
    bounds[(1, len(parts))] = knowledge.hull(total)
    dist = ranges.solve(len(parts), bounds)
    lo, hi = ranges.interval(dist, len(parts), len(parts))
    return {v for v in knowledge.possible(parts[-1]) if lo <= v <= hi}


def test_ten_five_rounding_leaks_through_a_margin(ten_five):
    """True parts 12, 12 and 9 publish as 10, 10 and [c]; their total 33 publishes as 35.
    Total minus the others proves the last part is at least 35 - 2 - 12 - 12 = 9, and [c]
    says at most 9: exactly 9, with certainty. Deterministic rounding leaks."""
    assert _margin_attack(ten_five, [10, 10, None], 35) == {9}


def test_noise_ptable_hides_the_same_margin(noise):
    for parts, total in (([10, 10, None], 35), ([10, 10, None], 30), ([15, 10, None], 40)):
        possible = _margin_attack(noise, parts, total)
        assert noise.is_recovery(possible) is None
        assert len(possible) > 1


def test_noise_ptable_keeps_the_10_5_promises():
    table = noise_ptable()
    published = table.pcv + table.pvalue
    assert len(table) == 750 * 256
    assert (table.groupby("pcv").size() == 256).all()
    assert (published >= 0).all()
    assert (published % 5 == 0).all()  # multiples of 5; threshold 10 suppresses 0 and 5
    assert table.pvalue.abs().max() <= 7
    # unbiased: the average published value over the cell keys is the true count
    bias = published.groupby(table.pcv).mean() - table.groupby("pcv").pcv.first()
    assert bias.abs().max() < 0.05


def test_noise_ptable_outcomes_are_noisy_and_wide(noise):
    summary = summarise_ptable(noise_ptable(), threshold=10)
    assert summary.noisy and summary.multiples_of == 5
    assert noise.possible(None) == set(range(1, 13))
    assert noise.possible(20) == set(range(13, 28))
    assert noise.inverse_is_interval([None, 10, 15, 20, 500, 1000])
    for n in range(1, 60):
        probs = outcome_probabilities(n)
        assert abs(sum(probs.values()) - 1) < 1e-9
        assert abs(sum(v * p for v, p in probs.items()) - n) < 1e-9


def test_ten_five_summary_says_deterministic():
    summary = summarise_ptable(ONS_10_5, threshold=10)
    assert not summary.noisy
    assert summary.outcomes[12] == [10] and summary.outcomes[9] == [None]
    assert "deterministic" in summary.describe()
