"""Column mappings: a council's own headers, and mapping files that are wrong."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from care_atlas.errors import UserError
from ingest.build import build_serving_database
from ingest.keys import DEMO_KEY
from ingest.mapping import EXTRACT_COLUMNS, load_mapping
from tests.fixtures.serving import BASE_ROW, make_rows

COUNCIL_HEADERS = {
    "agreement_id": "ADE ID",
    "person_id": "PERID",
    "date_of_birth": "Client DOB",
    "agreement_start": "Start Date",
    "agreement_end": "End Date",
    "postcode": "Post Code",
    "weekly_cost": "Weekly Cost (£)",
}


def _council_extract(path: Path) -> Path:
    rows = make_rows([{}, {"postcode": ""}, {"date_of_birth": ""}])
    header = [COUNCIL_HEADERS.get(c, c).upper() for c in BASE_ROW]  # case differs too
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")  # and the delimiter
        writer.writerow(["Notes", *header])
        for row in rows:
            writer.writerow(["free text the build must ignore", *row.values()])
    return path


def _mapping(path: Path) -> Path:
    lines = ["[columns]"] + [f'{ours} = "{theirs}"' for ours, theirs in COUNCIL_HEADERS.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_default_mapping_is_identity() -> None:
    mapping = load_mapping()
    assert mapping.columns == {c: c for c in EXTRACT_COLUMNS}


def test_council_headers_build_with_a_mapping(tmp_path: Path) -> None:
    extract = _council_extract(tmp_path / "council.csv")
    summary = build_serving_database(
        extract,
        tmp_path / "s.duckdb",
        key=DEMO_KEY,
        mapping=_mapping(tmp_path / "council.toml"),
        progress=False,
    )
    assert (summary.rows_read, summary.rows_loaded) == (3, 2)
    assert summary.quarantine["POSTCODE_MISSING"] == 1
    assert summary.repairs["DOB_MISSING"] == 1
    assert summary.meta["mapping"] == "council.toml"
    text = summary.quarantine_path.read_text(encoding="utf-8")
    assert "free text the build must ignore" not in text  # only the mapped columns are kept


def test_without_the_mapping_the_message_names_what_is_missing(tmp_path: Path) -> None:
    extract = _council_extract(tmp_path / "council.csv")
    with pytest.raises(UserError, match="missing column.*agreement_id.*--mapping"):
        build_serving_database(extract, tmp_path / "s.duckdb", key=DEMO_KEY, progress=False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[columns\n", "not valid TOML"),
        ('[columns]\nward = "Ward"\n', "unknown column name"),
        ("[columns]\nagreement_id = 3\n", "non-empty text"),
        ('[columns]\nagreement_id = "X"\nperson_id = "x"\n', "more than one column"),
        ('[colums]\nagreement_id = "X"\n', "unknown section"),
    ],
)
def test_bad_mapping_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        load_mapping(path)


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="cannot read mapping file"):
        load_mapping(tmp_path / "absent.toml")
