"""The build's cells against the microdata, and the protection applied to each.

An independent oracle: for a sample of every level, period member, what kind and breakdown,
count the cell again straight from the workspace's facts (DISTINCT over the rows it covers)
and compare with the build's true values; then check that every served cell is exactly its
truth protected by PRIVACY.md §3-§4.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from care_atlas.ptables import noise_ptable
from ingest.workspace import workspace_path
from queries.catalogue import COUNT_MEASURES, COUNT_THRESHOLD, DOMINANCE_SHARE, KEY_COLUMNS

AREA_COLUMN = {
    "ward": "ward_code",
    "district": "district",
    "sector": "sector",
    "h3r7": "h3r7",
    "h3r8": "h3r8",
}
WHAT_COLUMNS = {
    "element": ("element_code",),
    "service": ("service_code",),
    "theme": ("mia_theme",),
    "theme_provision": ("mia_theme", "provision_type"),
    "provision": ("provision_type",),
    "all": (),
}


@pytest.fixture(scope="module")
def both(small_serving_db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("ATTACH $p AS served (READ_ONLY)", {"p": str(small_serving_db)})
    con.execute("ATTACH $p AS ws (READ_ONLY)", {"p": str(workspace_path(small_serving_db))})
    return con


def _conditions(con: duckdb.DuckDBPyConnection, cell: pd.Series) -> tuple[str, list]:
    """SQL conditions on facts (f) selecting the rows a cell covers, and their parameters."""
    sql = ["f.period_kind = ?"]
    params: list = [cell.period_kind]
    member = con.execute(
        "SELECT first_ordinal, last_ordinal FROM served.period_members "
        "WHERE period_kind = ? AND period = ?",
        [cell.period_kind, cell.period],
    ).fetchall()[0]
    sql.append("p.ordinal BETWEEN ? AND ?")
    params += list(member)
    if cell.level == "region":
        sql.append(
            "(f.district IN (SELECT member_code FROM served.region_members WHERE area_code = ?)"
            " OR f.ward_code IN (SELECT member_code FROM served.region_members "
            "WHERE area_code = ?))"
        )
        params += [cell.area_code, cell.area_code]
    elif cell.level != "city":
        sql.append(f"CAST(f.{AREA_COLUMN[cell.level]} AS VARCHAR) = ?")
        params.append(cell.area_code)
    kind, *values = cell.what.split(":")
    for column, value in zip(WHAT_COLUMNS[kind], values, strict=True):
        sql.append(f"CAST(f.{column} AS VARCHAR) = ?")
        params.append(value)
    for column in ("age_band", "client_group", "gender", "ethnic_group"):
        if cell[column] != "all":
            sql.append(f"CAST(f.{column} AS VARCHAR) = ?")
            params.append(cell[column])
    return " AND ".join(sql), params


def test_true_values_match_counting_the_facts_again(both: duckdb.DuckDBPyConnection) -> None:
    sample = both.execute(
        "SELECT * FROM ws.cells_truth USING SAMPLE reservoir(150 ROWS) REPEATABLE (7)"
    ).df()
    extra = both.execute(
        "SELECT * FROM ws.cells_truth WHERE level IN ('region', 'city') "
        "AND (period LIKE '%..%' OR what LIKE 'theme:%') "
        "USING SAMPLE reservoir(50 ROWS) REPEATABLE (7)"
    ).df()
    for _, cell in pd.concat([sample, extra]).iterrows():
        where, params = _conditions(both, cell)
        people, agreements, started, cost = both.execute(
            "SELECT count(DISTINCT f.person_idx), count(DISTINCT f.agreement_idx), "
            "count(DISTINCT f.agreement_idx) FILTER (WHERE f.started), sum(f.cost_in_period) "
            "FROM ws.facts AS f JOIN served.periods AS p "
            "ON p.period_kind = f.period_kind AND p.period = f.period WHERE " + where,
            params,
        ).fetchall()[0]
        key = dict(cell[list(KEY_COLUMNS)])
        assert people == cell.people_n, key
        assert agreements == cell.agreements_active_n, key
        assert started == cell.agreements_started_n, key
        assert (cost is None and pd.isna(cell.cost_total)) or math.isclose(
            cost, cell.cost_total, rel_tol=1e-9
        ), key


def test_every_served_cell_is_its_truth_protected(both: duckdb.DuckDBPyConnection) -> None:
    ptable = noise_ptable().set_index(["pcv", "ckey"])["pvalue"]
    joined = both.execute(
        "SELECT * FROM served.cells JOIN ws.cells_truth USING (" + ", ".join(KEY_COLUMNS) + ")"
    ).df()
    served = both.execute("SELECT count(*) FROM served.cells").fetchall()[0][0]
    truths = both.execute("SELECT count(*) FROM ws.cells_truth").fetchall()[0][0]
    assert len(joined) == served == truths
    for measure in COUNT_MEASURES:
        n = joined[f"{measure}_n"].to_numpy()
        published = joined[measure]
        small = (n >= 1) & (n < COUNT_THRESHOLD)
        assert published[small].isna().all(), measure
        assert (published[n == 0] == 0).all(), measure
        big = joined[n >= COUNT_THRESHOLD]
        pcv = big[f"{measure}_n"].where(
            big[f"{measure}_n"] <= 750, (big[f"{measure}_n"] - 1) % 250 + 501
        )
        noise = ptable.reindex(list(zip(pcv, big[f"{measure}_ckey"], strict=True))).to_numpy()
        expected = (big[f"{measure}_n"].to_numpy() + noise).clip(min=COUNT_THRESHOLD)
        assert (big[measure].to_numpy() == expected).all(), measure
        assert (big[measure] % 5 == 0).all() and (big[measure] >= COUNT_THRESHOLD).all()
    money = joined[joined["cost"].notna()]
    assert (money["people_n"] >= COUNT_THRESHOLD).all()
    assert (
        money["cost_top1"] + money["cost_top2"].fillna(0) < DOMINANCE_SHARE * money["cost_total"]
    ).all()
    assert ((money["cost"] - money["cost_total"]).abs() <= money["cost_top1"] * 1.0051).all()
    dominated = joined[
        (
            joined["cost_top1"] + joined["cost_top2"].fillna(0)
            >= DOMINANCE_SHARE * joined["cost_total"]
        )
    ]
    assert dominated["cost"].isna().all()
    few = joined[joined["people_n"] < COUNT_THRESHOLD]
    assert few["cost"].isna().all() and few["cost_beyond_42"].isna().all()


def test_no_published_count_is_one_to_nine(small_serving_db: Path) -> None:
    con = duckdb.connect(str(small_serving_db), read_only=True)
    for measure in COUNT_MEASURES:
        bad = con.execute(f"SELECT count(*) FROM cells WHERE {measure} BETWEEN 1 AND 9").fetchall()
        assert bad[0][0] == 0, measure
