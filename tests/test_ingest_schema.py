"""A build writes the served file and the workspace of docs/ARCHITECTURE.md, each with its tables."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ingest.build import sql_steps
from ingest.keys import DEMO_KEY, hmac_hex
from ingest.workspace import workspace_path
from queries.catalogue import KEY_COLUMNS, MEASURES
from queries.database import SERVED_TABLES
from tests.fixtures.serving import build_files

WORKSPACE_TABLES = {"meta", "persons", "agreements", "facts", "cells_truth", "build_summary"}

SCHEMA: dict[str, list[str]] = {
    "meta": ["key", "value"],
    "elements": [
        "element_code", "element_description", "service_code", "service_description",
        "user_group", "provision_type", "mia_theme", "origin",
    ],
    "mia_targets": [
        "theme", "theme_name", "scope", "net_spend_2015_16_m", "financial_year", "saving_m",
    ],
    "age_bands": ["age_band", "lower_age", "upper_age", "ordinal"],
    "periods": [
        "period_kind", "period", "start_date", "end_date", "ordinal", "data_from", "data_to"
    ],
    "areas": ["level", "area_code", "area_name", "parent_ward_code", "district", "population"],
    "area_population": ["level", "area_code", "age_band", "population"],
    "persons": ["person_idx", "person_pseudo", "record_key"],
    "agreements": ["agreement_idx", "agreement_pseudo", "record_key", "person_idx"],
    "facts": [
        "period_kind", "period", "agreement_idx", "agreement_key", "person_idx", "person_key",
        "element_code", "service_code", "provision_type", "mia_theme", "user_group",
        "client_group", "age_band", "gender", "ethnicity", "ethnic_group", "sector",
        "district", "ward_code", "h3r7", "h3r8", "started", "days_active", "weekly_cost",
        "cost_in_period", "committed_at_end", "over_6_weeks", "days_beyond_42",
        "cost_beyond_42",
    ],
    "build_summary": ["reason", "action", "rows"],
}  # fmt: skip


def _tables(path: Path) -> dict[str, list[str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            t: [c[0] for c in con.execute(f"DESCRIBE {t}").fetchall()]
            for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }


def test_tables_and_columns(small_serving_db: Path) -> None:
    served, work = _tables(small_serving_db), _tables(workspace_path(small_serving_db))
    assert set(served) == set(SERVED_TABLES)
    assert set(work) == WORKSPACE_TABLES
    assert served["cells"] == [*KEY_COLUMNS, *MEASURES]
    both = {**served, **work}
    assert {t: both.get(t) for t in SCHEMA} == SCHEMA
    # Every table is made by a build step of its own, never left over from the working database.
    steps = "".join(s for _, s in sql_steps())
    created = set(re.findall(r"CREATE TABLE (?:serving|workspace)\.(\w+)", steps))
    assert set(served) | set(work) <= created | {"meta"}


def test_facts_sorted_by_period(small_serving_db: Path) -> None:
    with duckdb.connect(str(workspace_path(small_serving_db)), read_only=True) as con:
        unsorted = con.execute(
            "SELECT count(*) FROM (SELECT period_kind, period, lag(period_kind) OVER w AS pk, "
            "lag(period) OVER w AS pp FROM (SELECT rowid AS r, * FROM facts) "
            "WINDOW w AS (ORDER BY r)) WHERE pk IS NOT NULL AND (period_kind, period) < (pk, pp)"
        ).fetchall()[0][0]
    assert unsorted == 0


def test_keys_and_indexes(small_serving_db: Path) -> None:
    with build_files(small_serving_db) as con:
        persons = con.execute("SELECT * FROM persons ORDER BY person_idx").fetchall()
        stats = con.execute(
            "SELECT min(record_key), max(record_key), count(DISTINCT record_key) FROM agreements"
        ).fetchall()[0]
        mismatched = con.execute(
            "SELECT count(*) FROM facts f JOIN agreements a USING (agreement_idx) "
            "JOIN persons p ON p.person_idx = f.person_idx "
            "WHERE f.agreement_key <> a.record_key OR f.person_key <> p.record_key "
            "OR a.person_idx <> f.person_idx"
        ).fetchall()[0][0]
    pseudos = [p[1] for p in persons]
    assert pseudos == sorted(pseudos)  # dense index in pseudonym order
    assert stats == (0, 255, 256)
    assert mismatched == 0


def test_pseudonyms_and_record_keys_follow_the_key(
    small_extract: Path, small_serving_db: Path
) -> None:
    with duckdb.connect() as con:
        person_id = con.execute(
            f"SELECT person_id FROM read_parquet('{small_extract}') "
            "WHERE regexp_full_match(person_id, '[0-9]+') LIMIT 1"
        ).fetchall()[0][0]
    pseudo = hmac_hex(DEMO_KEY, f"person:{person_id}")
    expected_key = int(hmac_hex(DEMO_KEY, f"record-key:person:{person_id}")[:2], 16)
    with build_files(small_serving_db) as con:
        got = con.execute(
            "SELECT record_key FROM persons WHERE person_pseudo = ?", [pseudo]
        ).fetchall()
    assert got == [(expected_key,)]
