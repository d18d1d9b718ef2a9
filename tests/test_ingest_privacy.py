"""Scan every column of every table of a build's two files for what PRIVACY.md §1 bars: unit
postcodes, dates of birth, raw ids from the extract and free text. The served file must hold
none; the workspace is pseudonymised, so it must hold none either (its pseudonyms are HMACs)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from care_atlas.reference import load_element_catalogue
from care_atlas.vocab import CLIENT_GROUPS, ETHNICITIES, GENDERS
from ingest.workspace import workspace_path

UNIT_POSTCODE = r"[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}"
ISO_DATE = r".*[0-9]{4}-[0-9]{2}-[0-9]{2}.*"
#: The only date-typed columns: period boundaries and the part of a period the data covers
#: (whose days are quarter starts, period ends or the data date: test below).
DATE_COLUMNS = {("periods", c) for c in ("start_date", "end_date", "data_from", "data_to")}
#: Meta keys that may hold a date (of the build or of the data, never of a person).
META_DATES = {"built_at", "build_date", "data_date"}
#: Text columns allowed to hold long or descriptive values, and what they must be.
DESCRIPTIVE = {
    ("elements", "element_description"),
    ("elements", "service_description"),
    ("areas", "area_name"),
    ("mia_targets", "theme_name"),
    ("mia_targets", "scope"),
    ("meta", "value"),
    ("period_members", "label"),
    ("region_sets", "set_name"),
}
#: Category columns and their values ("all": a cell not broken down by it).
VOCAB_COLUMNS = {
    "gender": (*GENDERS, "all"),
    "ethnicity": ETHNICITIES,
    "client_group": (*CLIENT_GROUPS, "all"),
}
PSEUDONYM_COLUMNS = {("persons", "person_pseudo"), ("agreements", "agreement_pseudo")}
DENSE_COLUMNS = {("persons", "person_idx"), ("agreements", "agreement_idx")}
#: Published counts of the cells (ingest/sql/120_cells.sql) and each cell's true counts and
#: cell keys in the workspace (115): numbers of people or agreements, which can equal a raw id
#: by coincidence. Each is exempt by name; every other integer column is checked.
CELL_COUNT_COLUMNS = {
    (table, f"{measure}{suffix}")
    for measure in ("people", "agreements_active", "agreements_started", "people_over_6w")
    for table, suffix in (("cells", ""), ("cells_truth", "_n"), ("cells_truth", "_ckey"))
}


def _extract_source(extract: Path) -> str:
    path = str(extract).replace("'", "''")
    if extract.suffix == ".parquet":
        return f"read_parquet('{path}')"
    return f"read_csv('{path}', all_varchar = true, header = true)"


def scan(db: Path, extract: Path) -> list[str]:
    """Every finding as 'table.column: what'; empty when the database is clean."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{db}' AS s (READ_ONLY)")
    source = _extract_source(extract)
    con.execute(
        f"""CREATE TABLE raw_ids AS
        SELECT DISTINCT v FROM (
            SELECT trim(agreement_id) AS v FROM {source}
            UNION ALL SELECT trim(person_id) FROM {source}
            UNION ALL SELECT ltrim(trim(agreement_id), '0') FROM {source}
            UNION ALL SELECT ltrim(trim(person_id), '0') FROM {source}
        ) WHERE v IS NOT NULL AND v <> ''"""
    )
    con.execute(
        f"""CREATE TABLE raw_dobs AS SELECT DISTINCT trim(date_of_birth) AS v FROM {source}
        WHERE trim(date_of_birth) <> ''"""
    )
    catalogue = load_element_catalogue()
    known = set(catalogue["element_description"]) | set(catalogue["service_description"])
    con.execute("CREATE TABLE known AS SELECT unnest($v) AS v", {"v": sorted(known)})
    con.execute(
        f"""CREATE TABLE free_text AS SELECT DISTINCT v FROM (
            SELECT element_description AS v FROM {source}
            UNION ALL SELECT service_description FROM {source}
        ) WHERE v IS NOT NULL AND v NOT IN (SELECT v FROM known)"""
    )
    columns = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = 's' ORDER BY 1, 2"
    ).fetchall()
    findings: list[str] = []
    for table, column, dtype in columns:
        where = f"{table}.{column}"
        col = f'"{column}"'
        checks: list[tuple[str, str]] = []  # (finding, condition on the distinct value v)
        add = checks.append
        if dtype in ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE") and (
            (table, column) not in DATE_COLUMNS
        ):
            findings.append(f"{where}: a date column")
        is_enum = dtype.startswith("ENUM(")
        if dtype == "VARCHAR" or is_enum:
            squeezed = "upper(regexp_replace(v, '\\s+', '', 'g'))"
            add((f"{where}: unit postcode", f"regexp_full_match({squeezed}, '{UNIT_POSTCODE}')"))
            dated = f"regexp_full_match(v, '{ISO_DATE}')"
            if table == "meta":
                dated += f" AND k NOT IN ({', '.join(repr(k) for k in sorted(META_DATES))})"
            add((f"{where}: a date", dated))
            add((f"{where}: date of birth", "v IN (SELECT v FROM raw_dobs)"))
            add((f"{where}: raw id", "v IN (SELECT v FROM raw_ids)"))
            add((f"{where}: free text from the extract", "v IN (SELECT v FROM free_text)"))
            if (table, column) in PSEUDONYM_COLUMNS:
                pseudo = "NOT regexp_full_match(v, '[0-9a-f]{64}')"
                add((f"{where}: not an HMAC-SHA256 hex pseudonym", pseudo))
            elif column in VOCAB_COLUMNS:
                allowed = ", ".join("'" + v.replace("'", "''") + "'" for v in VOCAB_COLUMNS[column])
                add((f"{where}: value outside the vocabulary", f"v NOT IN ({allowed})"))
            elif (table, column) not in DESCRIPTIVE:
                long_text = "length(v) > 40 OR v LIKE '% % % %'"
                add((f"{where}: long or sentence-like text", long_text))
        if dtype in ("INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER") and (
            (table, column) not in CELL_COUNT_COLUMNS
        ):
            add((f"{where}: raw id", "CAST(v AS VARCHAR) IN (SELECT v FROM raw_ids)"))
        if (table, column) in DENSE_COLUMNS:
            dense = con.execute(
                f"SELECT count(*) = count(DISTINCT {col}) AND min({col}) = 0 "
                f"AND max({col}) = count(*) - 1 FROM s.main.{table}"
            ).fetchall()[0][0]
            if not dense:
                findings.append(f"{where}: not a dense index 0..n-1")
        if not checks:
            continue
        # Checks run on the column's distinct values: few, even in a big facts table. An ENUM
        # column's values are its type's whole dictionary, stored in the file used or not.
        key = "key" if table == "meta" else "NULL"
        if is_enum:
            values = f"SELECT unnest(enum_range(NULL::{dtype})) AS v, NULL AS k"
        else:
            values = (
                f"SELECT DISTINCT {col} AS v, {key} AS k "
                f'FROM s.main."{table}" WHERE {col} IS NOT NULL'
            )
        con.execute(f"CREATE OR REPLACE TEMP TABLE vals AS {values}")
        counts = ", ".join(f"count(*) FILTER (WHERE {cond})" for _, cond in checks)
        row = con.execute(f"SELECT {counts} FROM vals").fetchall()[0]
        findings += [finding for (finding, _), n in zip(checks, row, strict=True) if n]
    con.close()
    return findings


def test_serving_database_holds_nothing_barred(serving_db: Path, synth_extract: Path) -> None:
    assert scan(serving_db, synth_extract) == []
    assert scan(workspace_path(serving_db), synth_extract) == []


def test_the_days_a_period_is_covered_are_no_persons_date(serving_db: Path) -> None:
    """data_from..data_to could carry the earliest agreement's own start date; they may only
    be the first day of a quarter (from) and a period's end or the data date (to)."""
    with duckdb.connect(str(serving_db), read_only=True) as con:
        data_date = con.execute("SELECT value FROM meta WHERE key = 'data_date'").fetchone()[0]
        odd = con.execute(
            "SELECT period_kind, period FROM periods "
            "WHERE data_from <> date_trunc('quarter', data_from) "
            "OR (data_to <> end_date AND CAST(data_to AS VARCHAR) <> $d)",
            {"d": data_date},
        ).fetchall()
        parts = con.execute("SELECT count(*) FROM periods WHERE data_to <> end_date").fetchone()
    assert odd == []
    assert parts[0] >= 1  # the check had a part period to look at


#: A leak of each kind, planted in a copy of a clean file, and what the scan must report.
SERVED_PLANTS: dict[str, str] = {
    "UPDATE cells SET area_code = 'B23 6AB' WHERE rowid = 0": "cells.area_code: unit postcode",
    "UPDATE periods SET period = '2011-05-16' WHERE rowid = 0": "periods.period: a date",
    "UPDATE cells SET gender = 'Lives with daughter' WHERE rowid = 4": (
        "cells.gender: value outside the vocabulary"
    ),
    "UPDATE cells SET what = 'has a dog and lives alone' WHERE rowid = 5": (
        "cells.what: long or sentence-like text"
    ),
    "UPDATE elements SET service_description = '{text}' WHERE rowid = 0": (
        "elements.service_description: free text from the extract"
    ),
    "ALTER TABLE cells ADD COLUMN s DATE": "cells.s: a date column",
}
WORKSPACE_PLANTS: dict[str, str] = {
    "UPDATE facts SET sector = 'B23 6AB' WHERE rowid = 0": "facts.sector: unit postcode",
    "UPDATE facts SET h3r8 = 'b236ab' WHERE rowid = 1": "facts.h3r8: unit postcode",
    "UPDATE agreements SET person_idx = {aid} WHERE rowid = 0": "agreements.person_idx: raw id",
    "UPDATE facts SET district = '{aid}' WHERE rowid = 2": "facts.district: raw id",
    "UPDATE facts SET age_band = '{dob}' WHERE rowid = 3": "facts.age_band: date of birth",
    "ALTER TABLE agreements ADD COLUMN s DATE": "agreements.s: a date column",
    # Unused ENUM values still sit in the file, so the scan reads the type's dictionary.
    "ALTER TABLE agreements ADD COLUMN tag ENUM('B23 6AB')": "agreements.tag: unit postcode",
    "UPDATE facts SET gender = 'Lives with daughter' WHERE rowid = 4": (
        "facts.gender: value outside the vocabulary"
    ),
    "UPDATE facts SET user_group = 'has a dog and lives alone' WHERE rowid = 5": (
        "facts.user_group: long or sentence-like text"
    ),
    "UPDATE persons SET person_pseudo = 'abc' WHERE rowid = 0": (
        "persons.person_pseudo: not an HMAC-SHA256 hex pseudonym"
    ),
    "UPDATE agreements SET agreement_idx = agreement_idx + 1 WHERE rowid = 0": (
        "agreements.agreement_idx: not a dense index 0..n-1"
    ),
}


def _make_text_if_enum(con: duckdb.DuckDBPyConnection, plant: str) -> None:
    """An ENUM column takes only its dictionary's values: turn it to text to plant a leak."""
    updated = re.match(r"UPDATE (\w+) SET (\w+) =", plant)
    if not updated:
        return
    table, column = updated.groups()
    dtype = con.execute(
        "SELECT data_type FROM duckdb_columns() WHERE table_name = $t AND column_name = $c",
        {"t": table, "c": column},
    ).fetchall()[0][0]
    if dtype.startswith("ENUM("):
        con.execute(f"ALTER TABLE {table} ALTER {column} TYPE VARCHAR")


@pytest.mark.parametrize("which", ["served", "workspace"])
def test_the_scan_finds_what_is_planted(
    small_serving_db: Path, small_extract: Path, tmp_path: Path, which: str
) -> None:
    """The scan is only worth something if it can fail: plant each kind of leak in a copy."""
    original = small_serving_db if which == "served" else workspace_path(small_serving_db)
    plants = SERVED_PLANTS if which == "served" else WORKSPACE_PLANTS
    copy = tmp_path / "copy.duckdb"
    shutil.copy(original, copy)
    assert scan(copy, small_extract) == []
    source = _extract_source(small_extract)
    with duckdb.connect() as con:
        aid, dob = con.execute(
            f"SELECT agreement_id, date_of_birth FROM {source} "
            "WHERE regexp_full_match(agreement_id, '[0-9]+') AND date_of_birth IS NOT NULL LIMIT 1"
        ).fetchall()[0]
    text = "Free text typed in the extract"
    with duckdb.connect(str(copy)) as con:
        for plant in plants:
            _make_text_if_enum(con, plant)
            con.execute(plant.format(aid=aid, dob=dob, text=text))
    extract = tmp_path / "extract.parquet"
    with duckdb.connect() as con:  # the extract, with one description typed as free text
        con.execute(
            f"COPY (SELECT * EXCLUDE (n) REPLACE (CASE WHEN n = 0 THEN '{text}' "
            "ELSE service_description END AS service_description) "
            f"FROM (SELECT *, row_number() OVER () - 1 AS n FROM {source})) TO '{extract}'"
        )
    findings = scan(copy, extract)
    assert sorted(set(plants.values()) - set(findings)) == []
