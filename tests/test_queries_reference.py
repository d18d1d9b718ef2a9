"""The query layer's counts equal the ONS reference implementation on every cell (PRIVACY §7).

Same microdata (the fixture's facts, one row per distinct unit per cell), same record keys,
same ptable: `cell_key_perturbation.create_perturbed_table` must publish what the views publish.
The ONS function turns zero cells into NA (suppressed); our true zeros are checked separately (they stay 0).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from cell_key_perturbation.create_perturbed_table import create_perturbed_table

from queries import parse_filters, run_view

PTABLE = pd.read_csv(Path(sys.prefix) / "ptable_10_5_rule.csv")


def _microdata(path: Path, sql: str, params: dict) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params).df()
    finally:
        con.close()


def _ons(micro: pd.DataFrame, dims: list[str], key: str) -> pd.DataFrame:
    table = create_perturbed_table(
        data=micro, ptable=PTABLE, geog=[], tab_vars=dims, record_key=key
    )
    return table[dims + ["pre_sdc_count", "count"]]


def _assert_cells_equal(ours: pd.DataFrame, theirs: pd.DataFrame, dims: list[str], col: str):
    merged = ours.merge(theirs, on=dims, how="left", validate="one_to_one")
    nonzero = merged[merged["pre_sdc_count"].fillna(0) > 0]
    assert len(nonzero) == (theirs["pre_sdc_count"] > 0).sum(), "every ONS cell is ours too"
    assert len(nonzero) > 0
    expected = nonzero["count"].astype("Int64")
    got = nonzero[col].astype("Int64")
    assert (expected.isna() == got.isna()).all(), "same cells suppressed"
    assert (expected.dropna() == got.dropna()).all(), "same published values"
    zeros = merged[merged["pre_sdc_count"].fillna(0) == 0]
    assert (zeros[col].astype("Int64") == 0).all(), "true zeros stay 0"


def test_suppressed_cells_are_present(queries_db):
    """The fixture has cells of 1..9 people, so suppression is exercised."""
    f = parse_filters({"level": "sector"}, queries_db.reference)
    rows = run_view(queries_db, "matrix", f).rows
    assert (rows["value_status"] == "[c]").sum() >= 5
    assert (rows["value_status"] == "").sum() >= 5


@pytest.mark.parametrize("level,column", [("sector", "sector"), ("ward", "ward_code")])
def test_people_by_area_and_year_match_ons(queries_db, queries_serving_path, level, column):
    f = parse_filters({"level": level, "from": "2010", "to": "2014"}, queries_db.reference)
    ours = run_view(queries_db, "matrix", f).rows.rename(columns={"area_code": column})
    micro = _microdata(
        queries_serving_path,
        f"SELECT DISTINCT {column}, period, person_idx, person_key FROM facts "
        "WHERE period_kind = 'year' AND period BETWEEN '2010' AND '2014'",
        {},
    )
    theirs = _ons(micro, [column, "period"], "person_key")
    _assert_cells_equal(ours, theirs, [column, "period"], "value")


def test_people_over_a_period_range_match_ons(queries_db, queries_serving_path):
    """A person active in several years of the range is one unit of the cell, once."""
    f = parse_filters({"level": "district", "from": "2009", "to": "2015"}, queries_db.reference)
    ours = run_view(queries_db, "area_map", f).rows.rename(columns={"area_code": "district"})
    micro = _microdata(
        queries_serving_path,
        "SELECT DISTINCT district, person_idx, person_key FROM facts WHERE period_kind = 'year'",
        {},
    )
    _assert_cells_equal(ours, _ons(micro, ["district"], "person_key"), ["district"], "people")


def test_agreements_started_match_ons(queries_db, queries_serving_path):
    f = parse_filters(
        {"level": "sector", "measure": "agreements_started", "period_kind": "fy"},
        queries_db.reference,
    )
    ours = run_view(queries_db, "matrix", f).rows.rename(columns={"area_code": "sector"})
    micro = _microdata(
        queries_serving_path,
        "SELECT DISTINCT sector, period, agreement_idx, agreement_key FROM facts "
        "WHERE period_kind = 'fy' AND started",
        {},
    )
    theirs = _ons(micro, ["sector", "period"], "agreement_key")
    _assert_cells_equal(ours, theirs, ["sector", "period"], "value")


def test_elements_people_and_agreements_match_ons(queries_db, queries_serving_path):
    f = parse_filters({"level": "city", "top_n": "50", "from": "2013"}, queries_db.reference)
    ours = run_view(queries_db, "elements", f).rows
    where = "WHERE period_kind = 'year' AND period >= '2013'"
    people = _microdata(
        queries_serving_path,
        f"SELECT DISTINCT element_code, person_idx, person_key FROM facts {where}",
        {},
    )
    _assert_cells_equal(
        ours, _ons(people, ["element_code"], "person_key"), ["element_code"], "people"
    )
    agreements = _microdata(
        queries_serving_path,
        f"SELECT DISTINCT element_code, agreement_idx, agreement_key FROM facts {where}",
        {},
    )
    _assert_cells_equal(
        ours, _ons(agreements, ["element_code"], "agreement_key"), ["element_code"], "agreements"
    )


def test_provision_people_match_ons(queries_db, queries_serving_path):
    f = parse_filters({"level": "district", "period_kind": "quarter"}, queries_db.reference)
    wide = run_view(queries_db, "provision", f).rows
    long = pd.concat(
        [
            wide[["area_code", "period", f"{p}_people"]]
            .rename(columns={f"{p}_people": "people", "area_code": "district"})
            .assign(provision_type=t)
            for p, t in (
                ("internal", "Internal"),
                ("external", "External"),
                ("direct", "Direct payment"),
            )
        ]
    )
    micro = _microdata(
        queries_serving_path,
        "SELECT DISTINCT district, period, provision_type, person_idx, person_key FROM facts "
        "WHERE period_kind = 'quarter'",
        {},
    )
    dims = ["district", "period", "provision_type"]
    _assert_cells_equal(long, _ons(micro, dims, "person_key"), dims, "people")


def test_demographics_match_ons(queries_db, queries_serving_path):
    f = parse_filters({"level": "city", "dimension": "ethnic_group"}, queries_db.reference)
    ours = run_view(queries_db, "demographics", f).rows.rename(columns={"category": "ethnic_group"})
    micro = _microdata(
        queries_serving_path,
        "SELECT DISTINCT ethnic_group, person_idx, person_key FROM facts WHERE period_kind = 'year'",
        {},
    )
    _assert_cells_equal(
        ours, _ons(micro, ["ethnic_group"], "person_key"), ["ethnic_group"], "people"
    )


def test_regions_count_a_person_once_per_region(queries_db, queries_serving_path):
    f = parse_filters(
        {"level": "region", "regions": "North:B1+B2;South:B2+B5", "from": "2012", "to": "2012"},
        queries_db.reference,
    )
    ours = run_view(queries_db, "area_map", f).rows.rename(columns={"area_code": "region"})
    micro = _microdata(
        queries_serving_path,
        "SELECT DISTINCT r.region, person_idx, person_key FROM facts f "
        "JOIN (VALUES ('North', 'B1'), ('North', 'B2'), ('South', 'B2'), ('South', 'B5')) "
        "r(region, member) ON r.member = f.district "
        "WHERE period_kind = 'year' AND period = '2012'",
        {},
    )
    _assert_cells_equal(ours, _ons(micro, ["region"], "person_key"), ["region"], "people")
