"""The synthetic extract's contract: schema, determinism, planted defects and their manifest."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from boundaries.postcodes import POSTCODE_PATTERN
from care_atlas.cli import main
from care_atlas.errors import UserError
from care_atlas.reference import load_element_catalogue
from ingest.reasons import LAYOUT_CODES, QUARANTINE_CODES, REPAIR_CODES
from synth import Manifest, manifest_path, read_manifest, write_extract
from synth.audit import open_audit, reason_counts
from synth.columns import COLUMNS
from synth.mess import BAD_POSTCODES, UNKNOWN_ELEMENTS


def test_columns_are_the_raw_schema_all_text(small_extract: Path) -> None:
    schema = pq.read_schema(small_extract)
    assert tuple(schema.names) == COLUMNS
    assert all(str(field.type) == "string" for field in schema)
    assert pq.read_metadata(small_extract).num_rows == 20_000


def test_manifest_describes_the_extract(small_extract: Path) -> None:
    body = json.loads(manifest_path(small_extract).read_text())
    assert body["rows"] == 20_000 and body["seed"] == 7 and body["mess"] is True
    assert body["synthetic"] is True and body["data_date"] == "2015-12-31"
    assert body["columns"] == list(COLUMNS)
    assert set(body["quarantine"]) == set(QUARANTINE_CODES)
    assert set(body["repair"]) == set(REPAIR_CODES)
    assert body["generator_version"]
    assert body["rows_loaded"] + body["rows_quarantined"] == body["rows"]


@pytest.fixture(scope="module")
def synth_audit(synth_extract: Path) -> duckdb.DuckDBPyConnection:
    return open_audit(synth_extract)


def _assert_manifest_matches(manifest: Manifest, con: duckdb.DuckDBPyConnection) -> None:
    quarantine, repair = reason_counts(con)
    assert {k: v for k, v in manifest.quarantine.items() if v} == quarantine
    assert manifest.repair == repair
    planted = [code for code in QUARANTINE_CODES if code not in LAYOUT_CODES]
    assert all(manifest.quarantine[code] > 0 for code in planted)
    assert all(manifest.repair[code] > 0 for code in REPAIR_CODES)


def test_small_manifest_counts_equal_an_independent_audit(small_extract: Path) -> None:
    _assert_manifest_matches(read_manifest(small_extract), open_audit(small_extract))


def test_default_manifest_counts_equal_an_independent_audit(
    synth_extract: Path, synth_audit: duckdb.DuckDBPyConnection
) -> None:
    _assert_manifest_matches(read_manifest(synth_extract), synth_audit)


def test_mess_is_a_small_share_and_dob_missing_for_one_in_five(
    synth_extract: Path, synth_audit: duckdb.DuckDBPyConnection
) -> None:
    manifest = read_manifest(synth_extract)
    assert 0.005 < manifest.rows_quarantined / manifest.rows < 0.03
    missing = synth_audit.execute(
        "SELECT avg(CASE WHEN all_blank THEN 1.0 ELSE 0.0 END) FROM ("
        " SELECT pid, bool_and(dob_flag = 'DOB_MISSING') AS all_blank FROM audited"
        " WHERE pid IS NOT NULL GROUP BY pid)"
    ).fetchone()[0]
    assert missing == pytest.approx(0.2, abs=0.02)


def test_no_mess_means_no_reason_at_all(tmp_path: Path) -> None:
    out = tmp_path / "clean.parquet"
    manifest = write_extract(5_000, 3, out, mess=False)
    assert manifest.rows_quarantined == 0 and sum(manifest.repair.values()) == 0
    quarantine, repair = reason_counts(open_audit(out))
    assert quarantine == {} and sum(repair.values()) == 0


def test_same_seed_gives_identical_bytes_and_other_seeds_differ(tmp_path: Path) -> None:
    paths = [tmp_path / f"{name}.csv" for name in ("a", "b", "c")]
    for path, seed in zip(paths, (11, 11, 12), strict=True):
        write_extract(3_000, seed, path)
    a, b, c = (p.read_bytes() for p in paths)
    assert a == b
    assert a != c
    assert manifest_path(paths[0]).read_text() == manifest_path(paths[1]).read_text()


def test_csv_and_parquet_hold_the_same_rows(tmp_path: Path) -> None:
    write_extract(2_000, 5, tmp_path / "x.csv")
    write_extract(2_000, 5, tmp_path / "x.parquet")
    con = duckdb.connect()
    from_csv = con.execute(
        f"SELECT * FROM read_csv('{tmp_path / 'x.csv'}', all_varchar = true)"
    ).fetchall()
    from_parquet = con.execute(f"SELECT * FROM read_parquet('{tmp_path / 'x.parquet'}')").fetchall()
    assert from_csv == from_parquet


def test_elements_fit_the_age_of_the_person(small_extract: Path) -> None:
    con = open_audit(small_extract)
    ages = con.execute(
        "SELECT user_group, element_code, min(date_diff('year', dob, start_date)),"
        " max(date_diff('year', dob, start_date)) FROM loaded WHERE dob IS NOT NULL GROUP BY 1, 2"
    ).fetchall()
    for group, element, youngest, oldest in ages:
        if group == "Children":
            assert oldest <= 19, element
        elif element in ("OAEHSGCO", "HSSU65PL"):
            assert youngest >= 47, element
        else:
            assert youngest >= 17, element


def test_clean_values_follow_the_catalogue_and_postcodes_are_real(small_extract: Path) -> None:
    catalogue = load_element_catalogue().set_index("element_code")
    con = open_audit(small_extract)
    pairs = con.execute(
        "SELECT DISTINCT trim(element_code), element_description FROM audited"
        " WHERE quarantine_reason IS NULL"
    ).fetchall()
    for code, description in pairs:
        assert catalogue.loc[code, "element_description"] == description
    placed = con.execute(
        "SELECT count(*) FILTER (district IS NULL), count(DISTINCT district) FROM audited"
        " WHERE quarantine_reason IS NULL"
    ).fetchone()
    assert placed[0] == 0 and placed[1] >= 40


def test_planted_values_are_unambiguous() -> None:
    codes = set(load_element_catalogue()["element_code"])
    assert not codes & set(UNKNOWN_ELEMENTS)
    for value in BAD_POSTCODES:
        squeezed = value.replace(" ", "").upper()
        normal = f"{squeezed[:-3]} {squeezed[-3:]}" if len(squeezed) > 3 else squeezed
        assert not POSTCODE_PATTERN.match(normal), value


@pytest.mark.parametrize(
    ("rows", "name", "message"),
    [
        (0, "x.parquet", "--rows"),
        (-5, "x.csv", "--rows"),
        (10, "x.xlsx", "must end in"),
        (10, "noext", "must end in"),
    ],
)
def test_bad_arguments_raise_user_errors(
    tmp_path: Path, rows: int, name: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        write_extract(rows, 1, tmp_path / name)


def test_unwritable_path_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(UserError, match="cannot write"):
        write_extract(10, 1, blocker / "x.parquet")


def test_cli_writes_and_reports_errors_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.csv"
    assert main(["synth", "--rows", "500", "--seed", "2", "--out", str(out), "--quiet"]) == 0
    assert out.is_file() and manifest_path(out).is_file()
    capsys.readouterr()
    assert main(["synth", "--rows", "0", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "--rows" in err
