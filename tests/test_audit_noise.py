"""The attacker's model of the ptable (audit.noise): likelihoods, moments, the build's rule."""

from __future__ import annotations

import numpy as np
import pytest

from audit.noise import SUPPRESSED, NoiseModel, integer_normal, publish_counts
from care_atlas.ptables import identity_ptable, noise_ptable, noise_summary
from queries.catalogue import SUPPRESSED_BAND_SHARES


@pytest.fixture(scope="module")
def noise() -> NoiseModel:
    return NoiseModel.from_ptable(noise_ptable(), 10)


def test_every_true_count_publishes_somewhere_with_probability_one(noise):
    for n in (0, 1, 9, 10, 11, 17, 18, 200, 751, 5000):
        probs = noise.published_probs(n)
        assert sum(probs.values()) == pytest.approx(1.0)
        outs = np.array([SUPPRESSED if p is None else p for p in probs])
        lik = noise.likelihood(outs, np.full(len(outs), n))
        assert lik == pytest.approx(list(probs.values()))


def test_small_counts_are_suppressed_and_nothing_under_ten_is_published(noise):
    for n in range(1, 10):
        assert noise.published_probs(n) == {None: 1.0}
    for n in range(10, 40):
        assert min(p for p in noise.published_probs(n) if p is not None) >= 10


def test_moments_of_a_published_value_centre_on_it(noise):
    mean, var = noise.moments(np.array([SUPPRESSED, 0, 20, 100]))
    # a [c] is 1..9, or 10..14 with the band's shares: its mean is pulled above 5
    n = np.arange(1, 15)
    w = np.array([1.0] * 9 + [SUPPRESSED_BAND_SHARES[k] for k in range(10, 15)])
    assert mean[0] == pytest.approx((w * n).sum() / w.sum(), abs=0.02)
    assert var[0] > 80 / 12
    assert mean[1] == 0 and var[1] == 0
    assert abs(mean[2] - 20) < 1.5 and 3 < var[2] < 20
    assert abs(mean[3] - 100) < 0.5


def test_identity_model_reads_true_counts_and_an_unprotected_small_count_is_the_truth():
    off = NoiseModel.from_ptable(identity_ptable(), 0, suppressed_max=9)
    assert off.likelihood(np.array([7, 7]), np.array([7, 8])).tolist() == [1.0, 0.0]
    guarded = NoiseModel.from_ptable(noise_ptable(), 10)
    assert guarded.likelihood(np.array([3, 3]), np.array([3, 4])).tolist() == [1.0, 0.0]


def test_publish_counts_follows_the_build_rule():
    table = noise_ptable()
    n = np.array([0, 4, 10, 11, 800, 11])
    out = publish_counts(n, np.array([0, 5, 255, 255, 17, 0]), table, 10)
    assert out[0] == 0 and out[1] == SUPPRESSED
    assert (out[2:5] >= 10).all() and (out[2:5] % 5 == 0).all()
    assert (np.abs(out[2:5] - n[2:5]) <= 7).all()
    assert out[5] == SUPPRESSED  # 11 under the band's first keys: the soft edge


def test_the_soft_edge_hides_a_share_of_ten_to_fourteen_and_nothing_above():
    model = NoiseModel.from_ptable(noise_ptable(), 10, suppressed_min=0)
    assert model.suppressed_max == max(SUPPRESSED_BAND_SHARES)
    for n in range(10, 20):
        share = model.published_probs(n).get(None, 0.0)
        assert share == pytest.approx(SUPPRESSED_BAND_SHARES.get(n, 0.0), abs=1.5 / 256)
    d, v = noise_summary(noise_ptable())
    assert (d, model.spread) == (7, 7) and v == pytest.approx(model.variance, abs=1e-3)


def test_integer_normal_is_a_distribution_and_a_point_mass_at_zero_variance():
    k = np.arange(-50, 60)
    assert integer_normal(k, 4.3, 9.0).sum() == pytest.approx(1.0, abs=1e-6)
    assert integer_normal(np.array([3, 4]), 4.0, 0.0).tolist() == [0.0, 1.0]
