"""Differencing attacks on overlapping published cells recover no count below 10 (PRIVACY §7)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from queries import parse_filters, run_view
from queries.disclosure import Inverter

PTABLE = pd.read_csv(Path(sys.prefix) / "ptable_10_5_rule.csv")


@pytest.fixture(scope="module")
def inverter() -> Inverter:
    return Inverter(PTABLE, threshold=10, max_count=2000)


def _people(db, view_params: dict) -> dict[str, int | None]:
    res = run_view(db, "area_map", parse_filters(view_params, db.reference))
    return {
        r.area_code: None if pd.isna(r.people) else int(r.people) for r in res.rows.itertuples()
    }


def test_inverter_knows_what_10_5_reveals(inverter):
    assert inverter.possible(0) == {0}
    assert inverter.possible(None) == set(range(1, 10))
    assert inverter.possible(10) == {10, 11, 12}
    assert inverter.possible(15) == {13, 14, 15, 16, 17}


def test_inverter_flags_an_unprotected_table():
    """With a no-noise ptable and no threshold, a difference of 3 is recovered exactly."""
    identity = PTABLE.assign(pvalue=0)
    attacker = Inverter(identity, threshold=0, max_count=100)
    assert attacker.recovered_small_count(23, 20) == 3


def _attack(inverter, outer: dict, inner: dict) -> list[tuple[str, int]]:
    found = []
    for area, a in outer.items():
        d = inverter.recovered_small_count(a, inner.get(area, 0))
        if d is not None:
            found.append((area, d))
    return found


@pytest.mark.parametrize("level", ["sector", "ward"])
def test_area_minus_one_element(queries_db, inverter, level):
    ref = queries_db.reference
    all_but_one = ",".join(list(ref.elements)[1:])
    outer = _people(queries_db, {"level": level, "from": "2013", "to": "2013"})
    inner = _people(
        queries_db, {"level": level, "from": "2013", "to": "2013", "elements": all_but_one}
    )
    assert _attack(inverter, outer, inner) == []


def test_two_adjacent_age_bands(queries_db, inverter):
    outer = _people(queries_db, {"level": "sector", "age_bands": "25-64,65+"})
    inner = _people(queries_db, {"level": "sector", "age_bands": "65+"})
    assert _attack(inverter, outer, inner) == []


def test_year_n_minus_year_n_minus_1(queries_db, inverter):
    for year in range(2010, 2016):
        outer = _people(queries_db, {"level": "sector", "from": str(year - 1), "to": str(year)})
        inner = _people(queries_db, {"level": "sector", "from": str(year - 1), "to": str(year - 1)})
        assert _attack(inverter, outer, inner) == []


def test_true_differences_below_10_exist_but_stay_hidden(
    queries_db, queries_serving_path, inverter
):
    """The attack had something to find: some true differences are 1..9."""
    import duckdb

    con = duckdb.connect(str(queries_serving_path), read_only=True)
    small = con.execute(
        "SELECT count(*) FROM (SELECT sector, count(DISTINCT person_idx) n FROM facts "
        "WHERE period_kind = 'year' AND period = '2013' AND element_code = $e GROUP BY sector) "
        "WHERE n BETWEEN 1 AND 9",
        {"e": next(iter(queries_db.reference.elements))},
    ).fetchone()[0]
    con.close()
    assert small > 0
