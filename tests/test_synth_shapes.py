"""The default synthetic extract tells the thesis's stories (DOMAIN.md §6).

Each test measures one shape on the 215,000-row extract (seed 1, with its planted defects
quarantined as a build would) with the measures of DOMAIN.md §4, and holds it to the
thesis's figure with a tolerance wide enough for sampling noise and no wider.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.shapes import Shapes

OUTER_RING = ("B23", "B24", "B26", "B42", "B75")


@pytest.fixture(scope="module")
def shapes(synth_extract: Path) -> Shapes:
    return Shapes(synth_extract)


def test_agreements_span_2001_2015_densest_from_2009(shapes: Shapes) -> None:
    years = shapes.years().set_index("year")["agreements"]
    assert list(years.index) == list(range(2001, 2016))
    assert 205_000 <= years.sum() <= 215_000
    assert years.loc[2009:2015].min() > years.loc[2001:2008].max()
    assert years.loc[2009:2015].sum() / years.sum() >= 0.6


def test_age_bands_match_the_thesis(shapes: Shapes) -> None:
    share = shapes.age_bands().set_index("age_band")["share"]
    expected = {"0-10": 0.047, "11-24": 0.158, "25-64": 0.219, "65+": 0.577}
    for band, target in expected.items():
        assert share[band] == pytest.approx(target, abs=0.01), band


def test_older_adults_home_support_are_the_top_two(shapes: Shapes) -> None:
    elements = shapes.elements()
    assert list(elements["element_code"][:2]) == ["OAEHSGCO", "HSSU65PL"]
    counts = elements.set_index("element_code")["agreements"]
    assert counts["OAEHSGCO"] == pytest.approx(72_860, rel=0.05)
    assert counts["HSSU65PL"] == pytest.approx(55_199, rel=0.05)
    assert elements["share"][:2].sum() == pytest.approx(0.60, abs=0.02)


def test_internal_to_external_is_31_to_69(shapes: Shapes) -> None:
    assert shapes.provision()["internal_share"] == pytest.approx(0.31, abs=0.015)


def test_outer_ring_districts_favour_oaehsgco(shapes: Shapes) -> None:
    ring = shapes.outer_ring().set_index("district")
    pair = ring["oaehsgco"] + ring["hssu65pl"]
    city = ring["oaehsgco"].sum() / ring["hssu65pl"].sum()
    assert city == pytest.approx(1.32, abs=0.05)
    for district in OUTER_RING:
        assert 1.6 <= ring.loc[district, "ratio"] <= 2.6, district
    sizeable = ring[pair >= 500].sort_values("ratio", ascending=False)
    assert set(sizeable.index[:5]) == set(OUTER_RING)


def test_south_spends_about_a_quarter_more_than_north_and_east(shapes: Shapes) -> None:
    yearly = shapes.regions().groupby("region")["cost"].mean()
    assert yearly["South"] / yearly["North"] == pytest.approx(1.25, abs=0.12)
    assert yearly["South"] / yearly["East"] == pytest.approx(1.25, abs=0.12)


def test_chirdrt_has_about_100_users_a_quarter_and_costs_about_9m(shapes: Shapes) -> None:
    users = shapes.quarterly_users("CHIRDRT").set_index("quarter")["people"]
    assert users["2010-Q1"] == pytest.approx(98, abs=15)
    assert users["2015-Q1"] == pytest.approx(108, abs=15)
    assert users.between(80, 130).all()
    cost = shapes.element_cost("CHIRDRT")["cost"]
    assert cost.mean() == pytest.approx(9e6, rel=0.15)


def test_transport_has_about_6000_users_and_everything_falls(shapes: Shapes) -> None:
    mia3 = shapes.theme_years("MIA3").set_index("year")
    assert list(mia3.index) == list(range(2010, 2016))
    assert mia3["users"].mean() == pytest.approx(6_000, rel=0.15)
    for measure in ("records", "users", "cost"):
        assert mia3[measure].is_monotonic_decreasing, measure
        assert mia3[measure].iloc[-1] < mia3[measure].iloc[0], measure


def test_enablement_one_in_five_beyond_six_weeks_ld_highest(shapes: Shapes) -> None:
    share = shapes.enablement().set_index("element_code")["share_over_42"]
    assert share["all"] == pytest.approx(0.20, abs=0.025)
    assert share["LDIHSENB"] > share["PDIHSENB"]
    assert share["LDIHSENB"] > share["OAIHSENB"]
    beyond = shapes.enablement_cost()["cost_beyond_42"]
    assert beyond.mean() == pytest.approx(800_000, rel=0.2)


def test_long_tail_of_rarely_used_elements(shapes: Shapes) -> None:
    elements = shapes.elements()
    assert (elements["people"] < 100).sum() >= 4
    assert (elements["share"] < 0.005).sum() >= 15
    assert len(elements) == 44
