"""The served file holds only protected cells and reference tables (PRIVACY.md §1).

Scans every table and column of a real build: no person or agreement table, no pseudonym,
record key, true count, cell key or ptable, no text that looks like a pseudonym or a unit
postcode; and the workspace beside it is refused by everything that serves.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from ingest.workspace import workspace_path
from queries import DatabaseError, open_database

FORBIDDEN_TABLES = {
    "persons", "agreements", "facts", "cells_truth", "ptable", "person_periods", "build_summary"
}  # fmt: skip
FORBIDDEN_COLUMN = re.compile(
    r"(person|agreement)_(idx|pseudo|id)|record_key|_key$|_keys$|ckey|_n$|_true|pcv|pvalue|"
    r"date_of_birth|postcode$|_top[12]$|_total$"
)
PSEUDONYM = re.compile(r"^[0-9a-f]{32,}$")
UNIT_POSTCODE = re.compile(r"^B\d{1,2}[A-Z]? ?\d[A-Z]{2}$")


def _hashes_of_the_build(path: Path) -> set[tuple[str, str]]:
    """(table, value) of meta's build id and the extract file's hash: hex, not pseudonyms."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT value FROM meta WHERE key IN ('build_id', 'source_sha256')"
        ).fetchall()
    finally:
        con.close()
    return {("meta", r[0]) for r in rows}


def test_no_person_level_table_or_column(small_serving_db: Path) -> None:
    con = duckdb.connect(str(small_serving_db), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "cells" in tables
    assert not tables & FORBIDDEN_TABLES
    # The file's own tables only (duckdb_columns() also lists DuckDB's catalogue views).
    columns = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE NOT internal"
    ).fetchall()
    bad = [(t, c) for t, c, _ in columns if FORBIDDEN_COLUMN.search(c)]
    assert bad == []
    pseudonyms = _workspace_pseudonyms(small_serving_db)
    build_hashes = _hashes_of_the_build(small_serving_db)
    for table, column, data_type in columns:
        if data_type != "VARCHAR":
            continue
        values = con.execute(f'SELECT DISTINCT "{column}" FROM "{table}" LIMIT 50000').fetchall()
        for (value,) in values:
            if value is None or (table, value) in build_hashes:
                continue
            assert value not in pseudonyms, (table, column)
            assert not PSEUDONYM.match(value), (table, column, value)
            assert not UNIT_POSTCODE.match(value), (table, column, value)
    # meta's hex values are the build's id and the extract file's hash, nothing else.
    hex_meta = con.execute(
        "SELECT key FROM meta WHERE regexp_full_match(value, '[0-9a-f]{32,}')"
    ).fetchall()
    assert {k for (k,) in hex_meta} <= {"build_id", "source_sha256"}
    # No exact row count either: the rows loaded are the true count of the city's whole-series
    # agreements cell, which is published only with its noise (the workspace's meta has them).
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    with duckdb.connect(str(workspace_path(small_serving_db)), read_only=True) as work:
        loaded = work.execute("SELECT count(*) FROM agreements").fetchone()[0]
        assert dict(work.execute("SELECT key, value FROM meta").fetchall())["rows_loaded"] == str(
            loaded
        )
    assert str(loaded) not in meta.values()
    assert not [k for k in meta if k.startswith("rows_")]


def _workspace_pseudonyms(served: Path) -> set[str]:
    con = duckdb.connect(str(workspace_path(served)), read_only=True)
    try:
        rows = con.execute(
            "SELECT person_pseudo FROM persons UNION ALL SELECT agreement_pseudo FROM agreements"
        ).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def test_the_workspace_holds_the_person_level_data(small_serving_db: Path) -> None:
    path = workspace_path(small_serving_db)
    assert path.stat().st_mode & 0o077 == 0, "the workspace must be readable by its owner only"
    con = duckdb.connect(str(path), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"persons", "agreements", "facts", "cells_truth"} <= tables


def test_the_workspace_is_never_served(small_serving_db: Path) -> None:
    with pytest.raises(DatabaseError, match="person-level"):
        open_database(workspace_path(small_serving_db))


def test_serve_refuses_a_workspace(small_serving_db: Path) -> None:
    from care_atlas.config import load_settings
    from care_atlas.errors import UserError
    from dashboard.server import check_serving

    with pytest.raises(UserError, match="person-level"):
        check_serving(workspace_path(small_serving_db), demo=True, settings=load_settings())


def test_meta_names_the_catalogue_and_the_noise(small_serving_db: Path) -> None:
    db = open_database(small_serving_db)
    assert db.meta["catalogue_version"]
    assert db.meta["ptable_D"] == "7"
    assert float(db.meta["ptable_V"]) > 0
    assert db.meta["role"] == "served"
