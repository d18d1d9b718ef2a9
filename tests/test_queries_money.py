"""Money as published (PRIVACY.md §3): 3 significant figures, and exactly those digits, so the
JSON and CSV a user downloads say 26900000.0, not 26900000.000000004."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from queries.derived import protect_money

PUBLISHED = pd.Series(pd.array([100], dtype="Int64"))


def _money(amount: float) -> float:
    values, _ = protect_money(np.array([amount]), PUBLISHED)
    return float(values[0])


def test_known_amounts_round_to_three_significant_figures():
    assert _money(26_912_345.67) == 26_900_000.0
    assert _money(210_449_999.0) == 210_000_000.0
    assert _money(1_234.5) == 1_230.0
    assert _money(0.012345) == 0.0123
    assert _money(-987_654.0) == -988_000.0
    assert _money(0.0) == 0.0


@given(st.floats(min_value=0.001, max_value=1e12, allow_nan=False))
def test_every_amount_is_published_as_its_three_digit_rounding(amount):
    shown = _money(amount)
    assert float(f"{shown:.3g}") == shown
    assert abs(shown - amount) <= 0.005 * abs(amount) * (1 + 1e-9)
