"""Every reason code of ingest/reasons.py, each planted on one hand-written row."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from ingest.build import BuildSummary, build_serving_database
from ingest.keys import DEMO_KEY
from ingest.reasons import QUARANTINE_CODES, REASONS, REPAIR_CODES
from tests.fixtures.serving import (
    NON_GEOGRAPHIC_POSTCODE,
    OUTSIDE_POSTCODE,
    build_files,
    make_rows,
    write_csv_extract,
)

AS_OF = dt.date(2015, 12, 31)

#: One change per quarantine reason: the row it makes carries that reason and no earlier one.
QUARANTINE_CASES: dict[str, dict[str, str]] = {
    # An unquoted comma in a description: one field more than the header.
    "EXTRA_FIELDS": {"extra_fields": "see notes"},
    "AGREEMENT_ID_MISSING": {"agreement_id": "  "},
    "AGREEMENT_ID_MALFORMED": {"agreement_id": "ADE-1000123"},
    # Repeats the id of the first (clean) row, written with leading zeros.
    "AGREEMENT_ID_DUPLICATE": {"agreement_id": "0001000001"},
    "PERSON_ID_MISSING": {"person_id": ""},
    "PERSON_ID_MALFORMED": {"person_id": "500001/1"},
    "ELEMENT_MISSING": {"element_code": ""},
    "ELEMENT_UNKNOWN": {"element_code": "ZZUNKNWN"},
    "START_MISSING": {"agreement_start": ""},
    "START_UNPARSEABLE": {"agreement_start": "2012-02-30"},
    "START_TOO_EARLY": {"agreement_start": "1989-12-31"},
    "START_IN_FUTURE": {"agreement_start": "2111-05-16", "agreement_end": ""},
    "END_UNPARSEABLE": {"agreement_end": "TBC"},
    "END_BEFORE_START": {"agreement_end": "2011-05-15"},
    "POSTCODE_MISSING": {"postcode": " "},
    "POSTCODE_MALFORMED": {"postcode": "B31 2OO"},
    "POSTCODE_NON_GEOGRAPHIC": {"postcode": NON_GEOGRAPHIC_POSTCODE},
    "POSTCODE_OUTSIDE_AREA": {"postcode": OUTSIDE_POSTCODE},
    "COST_UNPARSEABLE": {"weekly_cost": "1O5.00"},
    "COST_NEGATIVE": {"weekly_cost": "-185.50"},
    "COST_ABSURD": {"weekly_cost": "30000.00"},
}
#: One change per repair reason: the row is loaded and carries exactly that flag.
REPAIR_CASES: dict[str, dict[str, str]] = {
    "COST_MISSING": {"weekly_cost": ""},
    "DOB_MISSING": {"date_of_birth": ""},
    "DOB_UNPARSEABLE": {"date_of_birth": "1941-02-30"},
    "DOB_IN_FUTURE": {"date_of_birth": "2141-02-03"},
    "DOB_AFTER_START": {"date_of_birth": "2011-06-01"},
    "DOB_IMPLAUSIBLE": {"date_of_birth": "1890-01-01"},
    "END_AFTER_DATA_DATE": {"agreement_end": "2016-03-31"},
    "GENDER_UNRECOGNISED": {"gender": "9"},
    "ETHNICITY_UNRECOGNISED": {"ethnicity": "see notes"},
    "SERVICE_MISMATCH": {"service_code": "LDEN"},
    "CLIENT_GROUP_UNRECOGNISED": {"client_group": "Frailty"},
}
#: Benign variations that must load without any flag.
CLEAN_VARIANTS: list[dict[str, str]] = [
    {},
    {"postcode": "b11ay"},
    {"postcode": "  B1   1AY "},
    {"gender": "female", "ethnicity": "white: irish"},
    {"agreement_start": "16/05/2011", "agreement_end": "30/09/2011"},
    {"weekly_cost": "£1,185.50"},
    {"element_code": " oaehsgco "},
    {"agreement_end": ""},
]


def test_every_reason_has_a_case() -> None:
    assert set(QUARANTINE_CASES) == set(QUARANTINE_CODES)
    assert set(REPAIR_CASES) == set(REPAIR_CODES)
    assert len(REASONS) >= 20


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildSummary, list[str]]:
    """Clean rows first (the first holds the id the duplicate repeats), then one per reason."""
    folder = tmp_path_factory.mktemp("reasons")
    cases = [*CLEAN_VARIANTS, *QUARANTINE_CASES.values(), *REPAIR_CASES.values()]
    labels = ["clean"] * len(CLEAN_VARIANTS) + [*QUARANTINE_CASES, *REPAIR_CASES]
    extract = write_csv_extract(folder / "extract.csv", make_rows(cases))
    summary = build_serving_database(
        extract, folder / "serving.duckdb", key=DEMO_KEY, as_of=AS_OF, progress=False
    )
    return summary, labels


def test_each_quarantine_row_gets_its_reason(built: tuple[BuildSummary, list[str]]) -> None:
    summary, labels = built
    with summary.quarantine_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got = {int(r["row_number"]): r["reason"] for r in rows}
    expected = {i + 1: label for i, label in enumerate(labels) if label in QUARANTINE_CASES}
    assert got == expected
    assert summary.quarantine == dict.fromkeys(QUARANTINE_CODES, 1)


def test_quarantine_file_keeps_original_values_and_messages(
    built: tuple[BuildSummary, list[str]],
) -> None:
    summary, labels = built
    with summary.quarantine_path.open(newline="", encoding="utf-8") as fh:
        rows = {r["reason"]: r for r in csv.DictReader(fh)}
    assert rows["POSTCODE_MISSING"]["postcode"] in ("", " ")
    assert rows["AGREEMENT_ID_MALFORMED"]["agreement_id"] == "ADE-1000123"
    assert rows["COST_UNPARSEABLE"]["weekly_cost"] == "1O5.00"
    assert rows["COST_ABSURD"]["message"].startswith("Weekly cost is above")
    assert list(rows["COST_ABSURD"])[:4] == ["row_number", "reason", "message", "agreement_id"]


def test_each_repair_flags_exactly_one_loaded_row(built: tuple[BuildSummary, list[str]]) -> None:
    summary, labels = built
    assert summary.repairs == dict.fromkeys(REPAIR_CODES, 1)
    assert summary.rows_loaded == len(CLEAN_VARIANTS) + len(REPAIR_CASES)
    assert summary.rows_read == summary.rows_loaded + summary.rows_quarantined


def test_build_summary_table_matches(built: tuple[BuildSummary, list[str]]) -> None:
    summary, _ = built
    with build_files(summary.out) as con:
        table = dict(con.execute("SELECT reason, rows FROM build_summary").fetchall())
        actions = dict(con.execute("SELECT reason, action FROM build_summary").fetchall())
    assert table == {**summary.quarantine, **summary.repairs}
    assert actions == {r.code: str(r.action) for r in REASONS}


def test_repairs_are_applied(built: tuple[BuildSummary, list[str]]) -> None:
    summary, _ = built
    with build_files(summary.out) as con:
        facts = con.execute(
            "SELECT DISTINCT gender, ethnicity, client_group, service_code, age_band "
            "FROM facts WHERE period_kind = 'year'"
        ).fetchall()
    genders = {f[0] for f in facts}
    assert genders == {"Female", "Not known"}
    assert {f[1] for f in facts} == {"White: Irish", "Not known"}
    assert {f[2] for f in facts} == {"Physical Support", "Not known"}
    assert {f[3] for f in facts} == {"OAHS"}  # the catalogue's service wins
    assert {f[4] for f in facts} == {"65+", "Unknown"}


def test_end_after_data_date_is_open_at_data_date(tmp_path: Path) -> None:
    extract = write_csv_extract(
        tmp_path / "x.csv",
        make_rows([{"agreement_start": "2015-12-01", "agreement_end": "2016-03-31"}]),
    )
    summary = build_serving_database(
        extract, tmp_path / "s.duckdb", key=DEMO_KEY, as_of=AS_OF, progress=False
    )
    assert summary.repairs["END_AFTER_DATA_DATE"] == 1
    with build_files(summary.out) as con:
        days = con.execute(
            "SELECT period, days_active FROM facts WHERE period_kind = 'year'"
        ).fetchall()
    assert days == [("2015", 31)]
