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
from queries.catalogue import (
    COUNT_MEASURES,
    COUNT_THRESHOLD,
    DOMINANCE_SHARE,
    KEY_COLUMNS,
    MONEY_MEASURES,
    SUPPRESSED_BAND_SHARES,
)

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
    if kind == "theme" and len(values) == 2:  # a theme's part: "theme:MIA17:Internal"
        kind = "theme_provision"
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
    """Recomputes every served value from the truth with the public ptable, independently of
    120_cells.sql, in one pass over the 1.7M cells, and counts the cells that differ."""
    both.register("oracle_ptable", noise_ptable()[["pcv", "ckey", "pvalue"]])
    t = COUNT_THRESHOLD
    checks: dict[str, str] = {}
    joins, expected = [], []
    for i, m in enumerate(COUNT_MEASURES):
        n, published = f"t.{m}_n", f"c.{m}"
        # 0..9 (a true zero too) is [c], and so is a count the ptable takes under the threshold
        # (the soft edge); a cell with no served row is [c] in every measure.
        expect = (
            f"CASE WHEN {n} < {t} OR {n} + p{i}.pvalue < {t} THEN NULL ELSE {n} + p{i}.pvalue END"
        )
        expected.append(expect)
        joins.append(
            f"LEFT JOIN oracle_ptable AS p{i} ON p{i}.ckey = t.{m}_ckey AND p{i}.pcv = "
            f"CASE WHEN {n} <= 750 THEN {n} ELSE ({n} - 1) % 250 + 501 END"
        )
        checks[f"{m} is not its truth protected"] = f"{published} IS DISTINCT FROM ({expect})"
        checks[f"{m} of 0..9 published"] = f"{n} BETWEEN 0 AND {t - 1} AND {published} IS NOT NULL"
        checks[f"{m} not a multiple of 5 >= {t}"] = f"({published} % 5 <> 0 OR {published} < {t})"
        checks[f"{m} >= {t} without a ptable row"] = f"{n} >= {t} AND p{i}.pvalue IS NULL"
    # Each amount is the cost of a count's people: the cell's, or its people over 6 weeks.
    whose = {"cost": "people", "cost_beyond_42": "people_over_6w"}
    for m in MONEY_MEASURES:
        # Published = total + u x top1, u = (their cell key + 0.5) / 128 - 1, to 3 significant
        # figures (rounding moves it by at most half a unit of its third figure).
        total, top1, top2 = f"t.{m}_total", f"t.{m}_top1", f"coalesce(t.{m}_top2, 0)"
        published = f"c.{m}"
        raw = f"({total} + ((t.{whose[m]}_ckey + 0.5) / 128.0 - 1.0) * {top1})"
        ok = f"c.{whose[m]} IS NOT NULL AND {top1} + {top2} < {DOMINANCE_SHARE} * {total}"
        checks[f"{m} published against the rules"] = f"{published} IS NOT NULL AND NOT ({ok})"
        checks[f"{m} suppressed within the rules"] = f"{published} IS NULL AND ({ok})"
        checks[f"{m} not its total plus noise"] = (
            f"{published} IS NOT NULL AND {raw} <> 0 AND abs({published} - {raw}) "
            f"> 0.5 * pow(10, floor(log10(abs({raw}))) - 2) + 1e-6"
        )
        checks[f"{m} not 3 significant figures"] = (
            f"{published} IS NOT NULL AND {published} <> 0 AND {published} <> "
            f"round({published}, 2 - CAST(floor(log10(abs({published}))) AS INTEGER))"
        )
    counts = both.execute(
        "SELECT count(*), count(t.people_n), "
        + f"count(*) FILTER (WHERE coalesce({', '.join(expected)}) IS NOT NULL), "
        + ", ".join(f"count(*) FILTER (WHERE {c})" for c in checks.values())
        + " FROM served.cells AS c FULL JOIN ws.cells_truth AS t USING ("
        + ", ".join(KEY_COLUMNS)
        + ") "
        + " ".join(joins)
    ).fetchall()[0]
    served, truths = both.execute(
        "SELECT (SELECT count(*) FROM served.cells), (SELECT count(*) FROM ws.cells_truth)"
    ).fetchall()[0]
    assert counts[0] == truths and counts[1] == truths, "a served cell without its truth"
    assert served == counts[2], "a served row for a cell with nothing published, or one missing"
    wrong = {name: k for name, k in zip(checks, counts[3:], strict=True) if k}
    assert wrong == {}


def test_the_threshold_edge_is_soft(both: duckdb.DuckDBPyConnection) -> None:
    """Counts just over the threshold are [c] for about their band share of cell keys, and
    nothing from the end of the band on: a [c] is not certainly under the threshold."""
    rows = both.execute(
        "SELECT t.agreements_active_n AS n, avg(CASE WHEN c.agreements_active IS NULL "
        "THEN 1.0 ELSE 0.0 END) AS hidden, count(*) AS cells "
        "FROM ws.cells_truth AS t LEFT JOIN served.cells AS c USING ("
        + ", ".join(KEY_COLUMNS)
        + ") WHERE t.agreements_active_n BETWEEN ? AND ? GROUP BY 1 ORDER BY 1",
        [COUNT_THRESHOLD, max(SUPPRESSED_BAND_SHARES) + 5],
    ).df()
    for n, hidden, cells in rows.itertuples(index=False):
        share = SUPPRESSED_BAND_SHARES.get(n, 0.0)
        assert abs(hidden - share) < 0.03 + 3 / math.sqrt(cells), (n, hidden, share)


def test_enablement_cost_is_published_only_where_its_people_are(
    both: duckdb.DuckDBPyConnection,
) -> None:
    published_of_few = both.execute(
        "SELECT count(*) FROM served.cells AS c JOIN ws.cells_truth AS t USING ("
        + ", ".join(KEY_COLUMNS)
        + f") WHERE c.cost_beyond_42 IS NOT NULL AND t.people_over_6w_n < {COUNT_THRESHOLD}"
    ).fetchall()[0][0]
    assert published_of_few == 0


def test_no_published_count_is_one_to_nine(small_serving_db: Path) -> None:
    con = duckdb.connect(str(small_serving_db), read_only=True)
    for measure in COUNT_MEASURES:
        bad = con.execute(f"SELECT count(*) FROM cells WHERE {measure} BETWEEN 1 AND 9").fetchall()
        assert bad[0][0] == 0, measure
