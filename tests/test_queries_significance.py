"""The landing page's numbers: the significance judgement on hand-made numbers with a known
answer, and the headline view's change on the period before, from published cells only."""

from __future__ import annotations

import math

import numpy as np
import pytest

from queries import parse_filters, run_view
from queries.derived import Z95, Z998, byar_bounds, compare_with_benchmark
from queries.headline_views import change_between


def test_byar_matches_exact_poisson_limits_for_50_events() -> None:
    # Exact Poisson 95% limits for 50 events are 37.11 and 65.92 (e.g. Fingertips' tables).
    lower, upper = byar_bounds(np.array([50.0]), Z95)
    assert lower[0] == pytest.approx(37.11, abs=0.1)
    assert upper[0] == pytest.approx(65.92, abs=0.1)


def test_judgement_against_the_city_at_95_and_99_8() -> None:
    # 50 people among 10,000 residents: 5.0 per 1,000, 95% interval about 3.71 to 6.59.
    scale = 1000.0 / 10_000
    lo95, hi95 = (b * scale for b in byar_bounds(np.array([50.0]), Z95))
    lo998, hi998 = (b * scale for b in byar_bounds(np.array([50.0]), Z998))
    # City at 7.0: outside the 95% interval (lower), inside the wider 99.8% one (similar).
    assert hi95[0] < 7.0 < hi998[0]
    assert list(compare_with_benchmark(lo95, hi95, 7.0)) == ["lower"]
    assert list(compare_with_benchmark(lo998, hi998, 7.0)) == ["similar"]
    # City at 8.0: outside both, so lower at 99.8% too.
    assert list(compare_with_benchmark(lo998, hi998, 8.0)) == ["lower"]
    # City at 2.0: below both intervals, so the area is higher.
    assert list(compare_with_benchmark(lo998, hi998, 2.0)) == ["higher"]


def test_judgement_edges_and_missing_values() -> None:
    lower = np.array([1.0, 5.0, np.nan, 2.0])
    upper = np.array([3.0, 9.0, np.nan, 4.0])
    # A benchmark on an interval's edge is inside it: similar.
    assert list(compare_with_benchmark(lower, upper, 4.0)) == ["lower", "higher", "", "similar"]
    # No city value: nothing is judged.
    assert list(compare_with_benchmark(lower, upper, math.nan)) == ["", "", "", ""]


def test_change_between_published_values_only() -> None:
    assert change_between(110.0, 100.0) == (10.0, "up")
    assert change_between(90.0, 100.0) == (-10.0, "down")
    assert change_between(100.0, 100.0) == (0.0, "no change")
    assert change_between(None, 100.0) == (None, "")
    assert change_between(100.0, None) == (None, "")


def test_headlines_are_the_trend_cells_of_the_last_two_periods(queries_db) -> None:  # noqa: ANN001
    ref = queries_db.reference
    params = {"level": "city", "from": "2010", "to": "2012"}
    row = run_view(queries_db, "headlines", parse_filters(params, ref)).rows.iloc[0]
    trend = run_view(queries_db, "trend", parse_filters(params, ref)).rows.set_index("period")
    assert (row["period"], row["previous_period"]) == ("2012", "2011")
    for column in ("people", "agreements", "cost"):
        latest, before = trend.at["2012", column], trend.at["2011", column]
        assert row[column] == latest and row[f"{column}_previous"] == before
        assert row[f"{column}_change"] == latest - before
        expected = "up" if latest > before else "down" if latest < before else "no change"
        assert row[f"{column}_direction"] == expected


def test_headlines_of_the_first_period_have_no_change(queries_db) -> None:  # noqa: ANN001
    first = queries_db.reference.periods["year"][0]
    params = {"level": "city", "from": first, "to": first}
    row = run_view(queries_db, "headlines", parse_filters(params, queries_db.reference)).rows
    assert row.at[0, "previous_period"] == ""
    assert row.at[0, "people_change_status"] == "[z]"
    assert row.at[0, "people_direction"] == ""
