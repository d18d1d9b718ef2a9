"""Every counted cell, counted again a plain way: pins workspace.cells_truth whole.

test_ingest_cells.py checks a sample of cells against the facts; this one recounts ALL of
them, so a change to how step 115 plans its work (issue #18, build speed) cannot change a
single value unnoticed. The oracle is deliberately naive and shares no SQL with the build:
from the workspace's facts it forms each agreement's row per period member (a range counts an
agreement once), places it in its areas, and then, for every level, period kind and breakdown
set of the catalogue (queries.catalogue.cross_sets, one query each: no GROUPING SETS), sums
each person's part of each cell and then the cell. Counts and cell keys (the sums of record
keys mod 256, which drive the noise) must be equal; money must be equal to 1e-9 relative, since
DuckDB's parallel float sums are not bit-stable from one run to the next (two builds of the
same extract with the same code differ in the last digits of 9% of the cells' money).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.workspace import workspace_path
from queries.catalogue import KEY_COLUMNS, LEVEL_RULES, WHAT_KINDS, CrossSet, cross_sets

COUNTS = (
    "people_n",
    "people_ckey",
    "agreements_active_n",
    "agreements_active_ckey",
    "agreements_started_n",
    "agreements_started_ckey",
    "people_over_6w_n",
    "people_over_6w_ckey",
)
MONEY = (
    "cost_total",
    "cost_top1",
    "cost_top2",
    "cost_beyond_42_total",
    "cost_beyond_42_top1",
    "cost_beyond_42_top2",
)
AREA = {
    "city": "(SELECT area_code FROM served.areas WHERE level = 'city')",
    "ward": "CAST(ward_code AS VARCHAR)",
    "district": "CAST(district AS VARCHAR)",
    "sector": "CAST(sector AS VARCHAR)",
    "h3r7": "CAST(h3r7 AS VARCHAR)",
    "h3r8": "CAST(h3r8 AS VARCHAR)",
}
#: One row per agreement and period member it is active in (a range holds it once).
MEMBER_ROWS = """
CREATE TEMP TABLE member_rows AS
SELECT
    m.period_kind, m.period, f.agreement_idx, f.agreement_key, f.person_idx, f.person_key,
    f.element_code, f.service_code, f.mia_theme, f.provision_type, f.age_band,
    f.client_group, f.gender, f.ethnic_group, f.ward_code, f.district, f.sector, f.h3r7,
    f.h3r8,
    bool_or(f.started) AS started,
    sum(f.cost_in_period) AS cost,
    bool_or(f.over_6_weeks) AS over_6w,
    sum(f.cost_beyond_42) AS cost_beyond_42
FROM ws.facts AS f
JOIN served.periods AS p USING (period_kind, period)
JOIN served.period_members AS m
    ON m.period_kind = f.period_kind AND p.ordinal BETWEEN m.first_ordinal AND m.last_ordinal
GROUP BY ALL
"""


def _what(cross: CrossSet) -> str:
    columns = WHAT_KINDS[cross.what_kind]
    if not columns:
        return "'all'"
    prefix = "theme" if cross.what_kind == "theme_provision" else cross.what_kind
    return " || ':' || ".join([f"'{prefix}'", *(f"CAST({c} AS VARCHAR)" for c in columns)])


def _cell_sql(level: str, period_kind: str, cross: CrossSet) -> str:
    """One breakdown set of one slice: each person's part of each cell, then the cells."""
    breakdowns = {"age_band": cross.age_band, "client_group": cross.client_group}
    breakdowns |= {d: cross.demographic == d for d in ("gender", "ethnic_group")}
    labels = [f"{_what(cross)} AS what"] + [
        f"{f'CAST({c} AS VARCHAR)' if on else repr('all')} AS {c}" for c, on in breakdowns.items()
    ]
    if level == "region":
        rows = (
            "SELECT r.area_code, a.* FROM member_rows AS a JOIN served.region_members AS r ON "
            "(r.member_level = 'district' AND r.member_code = CAST(a.district AS VARCHAR)) OR "
            "(r.member_level = 'ward' AND r.member_code = CAST(a.ward_code AS VARCHAR))"
        )
    else:
        rows = f"SELECT {AREA[level]} AS area_code, * FROM member_rows"
    keep = "mia_theme IS NOT NULL" if "mia_theme" in WHAT_KINDS[cross.what_kind] else "true"
    return f"""
    WITH rows AS ({rows}),
    person_parts AS (
        SELECT area_code, period, {", ".join(labels)}, person_idx,
            any_value(person_key) AS person_key,
            count(*) AS active_n,
            sum(agreement_key) AS active_keys,
            count(*) FILTER (WHERE started) AS started_n,
            coalesce(sum(agreement_key) FILTER (WHERE started), 0) AS started_keys,
            sum(cost) AS cost,
            bool_or(over_6w) AS over_6w,
            sum(cost_beyond_42) AS cost_beyond_42
        FROM rows
        WHERE period_kind = '{period_kind}' AND area_code IS NOT NULL AND {keep}
        GROUP BY ALL  -- by the labels: a bare age_band here would be the column
    )
    SELECT '{level}' AS level, area_code, '{period_kind}' AS period_kind, period, what,
        age_band, client_group, gender, ethnic_group,
        count(*) AS people_n,
        sum(person_key) % 256 AS people_ckey,
        sum(active_n) AS agreements_active_n,
        sum(active_keys) % 256 AS agreements_active_ckey,
        sum(started_n) AS agreements_started_n,
        sum(started_keys) % 256 AS agreements_started_ckey,
        count(*) FILTER (WHERE over_6w) AS people_over_6w_n,
        coalesce(sum(person_key) FILTER (WHERE over_6w), 0) % 256 AS people_over_6w_ckey,
        sum(cost) AS cost_total,
        max(cost, 2)[1] AS cost_top1,
        max(cost, 2)[2] AS cost_top2,
        sum(cost_beyond_42) AS cost_beyond_42_total,
        max(cost_beyond_42, 2)[1] AS cost_beyond_42_top1,
        max(cost_beyond_42, 2)[2] AS cost_beyond_42_top2
    FROM person_parts
    GROUP BY area_code, period, what, age_band, client_group, gender, ethnic_group
    """


@pytest.fixture(scope="module")
def oracle(small_serving_db: Path) -> duckdb.DuckDBPyConnection:
    """The small build's served file and workspace, with every cell counted the plain way."""
    con = duckdb.connect()
    con.execute("ATTACH $p AS served (READ_ONLY)", {"p": str(small_serving_db)})
    con.execute("ATTACH $p AS ws (READ_ONLY)", {"p": str(workspace_path(small_serving_db))})
    con.execute(MEMBER_ROWS)
    con.execute("CREATE TEMP TABLE oracle AS SELECT * FROM ws.cells_truth LIMIT 0")
    for level, rule in LEVEL_RULES.items():
        for kind in rule.period_kinds:
            for cross in cross_sets(level, kind):
                con.execute(f"INSERT INTO oracle BY NAME {_cell_sql(level, kind, cross)}")
    return con


def test_every_cell_equals_the_plain_count(oracle: duckdb.DuckDBPyConnection) -> None:
    keys = ", ".join(KEY_COLUMNS)
    money_differs = " OR ".join(
        f"NOT (o.{m} IS NULL AND t.{m} IS NULL "
        f"OR abs(o.{m} - t.{m}) <= 1e-9 * greatest(abs(o.{m}), abs(t.{m}), 1))"
        for m in MONEY
    )
    counts_differ = " OR ".join(f"o.{c} IS DISTINCT FROM t.{c}" for c in COUNTS)
    only_oracle, only_build, counts, money, cells = oracle.execute(
        f"""
        SELECT
            count(*) FILTER (WHERE t.t_ IS NULL),
            count(*) FILTER (WHERE o.o_ IS NULL),
            count(*) FILTER (WHERE o.o_ AND t.t_
                AND ({counts_differ})),
            count(*) FILTER (WHERE o.o_ AND t.t_
                AND ({money_differs})),
            count(*)
        FROM (SELECT *, true AS o_ FROM oracle) AS o
        FULL JOIN (SELECT *, true AS t_ FROM ws.cells_truth) AS t USING ({keys})
        """
    ).fetchall()[0]
    assert cells > 1_000_000  # the whole catalogue of the small extract, not a sample
    assert (only_oracle, only_build, counts, money) == (0, 0, 0, 0)


def test_cell_key_sums_per_slice(oracle: duckdb.DuckDBPyConnection) -> None:
    """The same equality said per slice, with the key sums spelled out, so a failure names
    the level and period kind it is in."""
    sums = ", ".join(f"sum({c})" for c in COUNTS)
    query = f"SELECT level, period_kind, count(*), {sums} FROM {{}} GROUP BY ALL ORDER BY ALL"
    assert (
        oracle.execute(query.format("oracle")).fetchall()
        == oracle.execute(query.format("ws.cells_truth")).fetchall()
    )


def test_chunks_and_parts_of_people_give_the_same_cells(
    small_serving_db: Path, small_extract: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Step 115 runs a chunk of period members at a time, and a member over the chunk size in
    parts of its people whose cells it then merges (ingest.cells.member_chunks; at 10M
    agreements the whole-series member alone ran out of memory). With chunks of a few thousand
    rows (one member each, the ranges in 2 to 4 parts) every cell is that of the
    usual run (one chunk per slice at this size): counts and cell keys equal, money equal to
    1e-9 relative, the two largest people's costs included."""
    import ingest.cells
    from ingest.build import build_serving_database
    from ingest.keys import DEMO_KEY

    monkeypatch.setattr(ingest.cells, "CHUNK_ROWS", 5_000)
    out = tmp_path / "chunked.duckdb"
    build_serving_database(small_extract, out, key=DEMO_KEY, key_is_demo=True, progress=False)
    con = duckdb.connect()
    con.execute("ATTACH $p AS a (READ_ONLY)", {"p": str(workspace_path(small_serving_db))})
    con.execute("ATTACH $p AS b (READ_ONLY)", {"p": str(workspace_path(out))})
    keys = ", ".join(KEY_COLUMNS)
    counts_differ = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in COUNTS)
    money_differs = " OR ".join(
        f"NOT (a.{m} IS NULL AND b.{m} IS NULL "
        f"OR abs(a.{m} - b.{m}) <= 1e-9 * greatest(abs(a.{m}), abs(b.{m}), 1))"
        for m in MONEY
    )
    only_a, only_b, counts, money, cells = con.execute(
        f"""
        SELECT
            count(*) FILTER (WHERE b.b_ IS NULL),
            count(*) FILTER (WHERE a.a_ IS NULL),
            count(*) FILTER (WHERE a.a_ AND b.b_ AND ({counts_differ})),
            count(*) FILTER (WHERE a.a_ AND b.b_ AND ({money_differs})),
            count(*)
        FROM (SELECT *, true AS a_ FROM a.cells_truth) AS a
        FULL JOIN (SELECT *, true AS b_ FROM b.cells_truth) AS b USING ({keys})
        """
    ).fetchall()[0]
    assert cells > 1_000_000
    assert (only_a, only_b, counts, money) == (0, 0, 0, 0)


def test_a_member_over_the_chunk_size_is_counted_in_parts_of_its_people(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """member_chunks packs small members together and gives a large one its own chunk in
    parts of about CHUNK_ROWS rows."""
    import ingest.cells
    from ingest.cells import Chunk, member_chunks

    monkeypatch.setattr(ingest.cells, "CHUNK_ROWS", 100)
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE cell_member_rows AS SELECT * FROM (VALUES "
        "('year', 1, 40), ('year', 2, 50), ('year', 3, 30), ('year', 1000, 450), "
        "('year', 1001, 90), ('fy', 1, 500)) AS t(period_kind, position, n)"
    )
    assert member_chunks(con, "year") == [
        Chunk(1, 2),
        Chunk(3, 3),
        Chunk(1000, 1000, parts=5),
        Chunk(1001, 1001),
    ]
