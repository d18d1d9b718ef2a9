"""Valid-but-unusual files are read, odd values are judged, and a file that cannot be read says
why and where (issue 19, items 10 and 12)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from care_atlas.errors import UserError
from ingest import extract
from ingest.build import BuildSummary, build_serving_database
from ingest.keys import DEMO_KEY
from tests.fixtures.serving import BASE_ROW, build_files, make_rows, write_csv_extract

AS_OF = dt.date(2015, 12, 31)


def _build(extract_path: Path) -> BuildSummary:
    return build_serving_database(
        extract_path, extract_path.with_suffix(".duckdb"), key=DEMO_KEY, as_of=AS_OF, progress=False
    )


def _quarantine(summary: BuildSummary) -> dict[int, dict[str, str]]:
    with summary.quarantine_path.open(newline="", encoding="utf-8") as fh:
        return {int(r["row_number"]): r for r in csv.DictReader(fh)}


def _fails(extract_path: Path) -> str:
    out = extract_path.with_suffix(".duckdb")
    out.write_bytes(b"previous build")
    with pytest.raises(UserError) as raised:
        _build(extract_path)
    assert out.read_bytes() == b"previous build"
    return str(raised.value)


# --- item 10: valid CSV that the reader refused ---------------------------------------------


def test_quoted_newline_is_read(tmp_path: Path) -> None:
    """Excel's Alt+Enter: a quoted field holding a line break is one value, not two rows."""
    rows = make_rows([{}, {}, {"service_description": "Older Adults\nHome Support"}, {}, {}])
    summary = _build(write_csv_extract(tmp_path / "x.csv", rows))
    assert (summary.rows_read, summary.rows_loaded) == (5, 5)


def test_quoted_newline_in_a_ragged_file_keeps_row_numbers(tmp_path: Path) -> None:
    """The careful reader (taken for a file with a short row) also reads quoted newlines, and
    row numbers count rows, not lines."""
    rows = make_rows([{"element_description": "a\nb\r\nc"}, {}, {}])
    extract_path = write_csv_extract(tmp_path / "x.csv", rows)
    with extract_path.open("a", encoding="utf-8") as fh:
        fh.write("1000009,500001\n")
    summary = _build(extract_path)
    assert (summary.rows_read, summary.rows_loaded) == (4, 3)
    assert list(_quarantine(summary)) == [4]


def test_two_megabyte_line_is_read(tmp_path: Path) -> None:
    rows = make_rows([{}, {}, {"element_description": "x" * 2_200_000}, {}, {}])
    summary = _build(write_csv_extract(tmp_path / "x.csv", rows))
    assert (summary.rows_read, summary.rows_loaded) == (5, 5)


def test_two_megabyte_line_in_a_ragged_file_is_read(tmp_path: Path) -> None:
    rows = make_rows([{}, {"element_description": "x" * 2_200_000}, {}])
    extract_path = write_csv_extract(tmp_path / "x.csv", rows)
    with extract_path.open("a", encoding="utf-8") as fh:
        fh.write("1000009\n")
    summary = _build(extract_path)
    assert (summary.rows_read, summary.rows_loaded) == (4, 3)


def test_line_over_the_limit_names_its_line_and_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extract, "MAX_LINE_BYTES", 1 << 20)
    rows = make_rows([{}, {}, {"element_description": "x" * 1_500_000}, {}])
    message = _fails(write_csv_extract(tmp_path / "x.csv", rows))
    assert "line 4" in message and "longer than 1 MiB" in message


def test_unclosed_quote_names_its_line(tmp_path: Path) -> None:
    extract_path = write_csv_extract(tmp_path / "x.csv", make_rows([{}, {}]))
    text = extract_path.read_text(encoding="utf-8").splitlines()
    text.insert(2, text[2].replace("Older Adults Home Support", '"Older Adults Home Support'))
    extract_path.write_text("\n".join(text) + "\n", encoding="utf-8")
    message = _fails(extract_path)
    assert "line 3" in message and "never closed" in message


def test_not_utf8_names_its_line(tmp_path: Path) -> None:
    extract_path = write_csv_extract(tmp_path / "x.csv", make_rows([{}, {}, {}]))
    lines = extract_path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"Older", "Öld".encode("latin-1"))
    extract_path.write_bytes(b"\n".join(lines))
    message = _fails(extract_path)
    assert "not UTF-8" in message and "line 4" in message


def test_row_starting_with_a_hash_is_a_row_not_a_comment(tmp_path: Path) -> None:
    rows = make_rows([{}, {"agreement_id": "#1000002"}, {}])
    summary = _build(write_csv_extract(tmp_path / "x.csv", rows))
    assert summary.rows_read == 3
    assert summary.quarantine["AGREEMENT_ID_MALFORMED"] == 1


def test_semicolon_separated_file_is_read(tmp_path: Path) -> None:
    rows = make_rows([{}, {}])
    lines = [";".join(BASE_ROW)] + [";".join(r.values()) for r in rows]
    extract_path = tmp_path / "x.csv"
    extract_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _build(extract_path).rows_loaded == 2


def _parquet(path: Path, **columns: list) -> Path:
    rows = make_rows([{}, {}, {}])
    table = pa.table({k: [r[k] for r in rows] for k in BASE_ROW})
    for name, values in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values))
    pq.write_table(table, path)
    return path


def test_parquet_nan_is_blank_not_a_failed_build(tmp_path: Path) -> None:
    """pandas writes a missing number as NaN: the cost is unknown (repaired, flagged)."""
    nan = float("nan")
    summary = _build(_parquet(tmp_path / "x.parquet", weekly_cost=[185.5, nan, 100.0]))
    assert summary.rows_loaded == 3 and summary.repairs["COST_MISSING"] == 1


def test_parquet_nan_and_infinity_in_id_columns_are_quarantined(tmp_path: Path) -> None:
    nan, inf = float("nan"), float("inf")
    summary = _build(_parquet(tmp_path / "x.parquet", person_id=[500001.0, nan, inf]))
    assert summary.rows_loaded == 1
    assert summary.quarantine["PERSON_ID_MISSING"] == 1
    assert summary.quarantine["PERSON_ID_MALFORMED"] == 1
    assert _quarantine(summary)[3]["person_id"] == "inf"


def test_broken_parquet_carries_the_readers_reason(tmp_path: Path) -> None:
    path = _parquet(tmp_path / "x.parquet")
    path.write_bytes(path.read_bytes()[:-40])
    message = _fails(path)
    assert "cannot read" in message and "Parquet" in message
    assert len(message.split(": ", 2)[-1]) > 20  # more than an error class name


def test_reader_reason_keeps_the_reason_and_drops_the_line_and_advice() -> None:
    exc = duckdb.InvalidInputException(
        "Invalid Input Error: CSV Error on Line: 5\n"
        "Original Line: 1000005,500005,1938-04-02,secret postcode\n"
        "Expected Number of Columns: 14 Found: 15\n"
        "Possible fixes:\n* Disable the parser's strict mode"
    )
    reason = extract.reader_reason(exc)
    assert "Line: 5" in reason and "Expected Number of Columns: 14 Found: 15" in reason
    assert "secret" not in reason and "strict" not in reason


# --- item 12: odd values are judged, not quietly accepted ----------------------------------


def test_commas_that_are_not_thousands_separators_are_not_a_cost(tmp_path: Path) -> None:
    rows = make_rows(
        [{"weekly_cost": "1,2,3"}, {"weekly_cost": "12,34"}, {"weekly_cost": "£1,234.50"}, {}]
    )
    summary = _build(write_csv_extract(tmp_path / "x.csv", rows))
    assert summary.quarantine["COST_UNPARSEABLE"] == 2
    assert sorted(_quarantine(summary)) == [1, 2]
    with build_files(summary.out) as con:
        costs = con.execute("SELECT DISTINCT weekly_cost FROM facts ORDER BY 1").fetchall()
    assert costs == [(185.5,), (1234.5,)]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2011-05-16 25:99", None),
        ("2011-05-16 24:00", None),
        ("2011-05-16 23:60", None),
        ("2011-05-16 12:30:61", None),
        ("2011-05-16T12:30", "2011-05-16"),
        ("2011-05-16 00:00:00.000", "2011-05-16"),
        ("2011-05-16 23:59:59", "2011-05-16"),
        ("16/05/2011", "2011-05-16"),
    ],
)
def test_date_with_impossible_time_is_no_date(text: str, date: str | None) -> None:
    from ingest.build import sql_steps

    con = duckdb.connect()
    con.execute(dict(sql_steps())["000_macros.sql"])
    got = con.execute("SELECT parse_date($t)", {"t": text}).fetchall()[0][0]
    assert got == (None if date is None else dt.date.fromisoformat(date))


@pytest.mark.parametrize(
    ("text", "cost"),
    [
        ("1,2,3", None),
        ("1,23", None),
        (",123", None),
        ("1234,567", None),
        ("1,234", 1234.0),
        ("£12,345,678.5", 12345678.5),
        ("-1,000.00", -1000.0),
        ("185.50", 185.5),
    ],
)
def test_cost_rule(text: str, cost: float | None) -> None:
    from ingest.build import sql_steps

    con = duckdb.connect()
    con.execute(dict(sql_steps())["000_macros.sql"])
    assert con.execute("SELECT parse_cost($t)", {"t": text}).fetchall()[0][0] == cost


def test_impossible_times_are_judged_in_a_build(tmp_path: Path) -> None:
    rows = make_rows(
        [
            {"agreement_start": "2011-05-16 25:99"},
            {"agreement_end": "2011-09-30 24:01"},
            {"date_of_birth": "1938-04-02 99:00"},
            {"agreement_start": "2011-05-16 09:30"},
        ]
    )
    summary = _build(write_csv_extract(tmp_path / "x.csv", rows))
    assert summary.quarantine["START_UNPARSEABLE"] == 1
    assert summary.quarantine["END_UNPARSEABLE"] == 1
    assert summary.repairs["DOB_UNPARSEABLE"] == 1
    assert summary.rows_loaded == 2


def test_long_row_is_quarantined_with_its_extra_fields(tmp_path: Path) -> None:
    rows = make_rows([{}, {"extra_fields": "Home Support,OAEHSGCO"}, {"extra_fields": ",,"}, {}])
    summary = _build(write_csv_extract(tmp_path / "x.csv", rows))
    assert summary.quarantine["EXTRA_FIELDS"] == 1  # trailing blank fields lose nothing
    quarantined = _quarantine(summary)
    assert list(quarantined) == [2]
    assert quarantined[2]["reason"] == "EXTRA_FIELDS"
    assert quarantined[2]["extra_fields"] == "Home Support,OAEHSGCO"
    assert quarantined[2]["weekly_cost"] == "185.50"


def test_long_row_in_a_workbook_is_quarantined(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(list(BASE_ROW))
    for i, row in enumerate(make_rows([{}, {}, {}])):
        ws.append([*row.values(), *(["stray note"] if i == 1 else [])])
    path = tmp_path / "x.xlsx"
    book.save(path)
    summary = _build(path)
    assert summary.quarantine["EXTRA_FIELDS"] == 1
    assert _quarantine(summary)[2]["extra_fields"] == "stray note"


# --- the two CSV readers agree ----------------------------------------------------------------


def _raw_rows(path: Path, tmp_path: Path, careful: bool, monkeypatch: pytest.MonkeyPatch) -> list:
    from ingest.mapping import load_mapping

    def refuse(*args: object) -> None:
        raise duckdb.InvalidInputException("CSV Error on Line: 1")

    if careful:  # as if DuckDB had refused the file
        monkeypatch.setattr(extract, "_columns", refuse)
    con = duckdb.connect()
    try:
        extract.load_extract(con, path, load_mapping(None), tmp_path)
    finally:
        monkeypatch.undo()
    rows = con.execute(f"SELECT * FROM {extract.RAW_TABLE} ORDER BY rowid").fetchall()
    return [tuple(None if v == "" else v for v in row) for row in rows]


def test_both_csv_readers_give_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = make_rows(
        [
            {},
            {"service_description": 'Older "Adults", Home\nSupport', "gender": ""},
            {"element_description": "Café, naïve — 🏠", "weekly_cost": "£1,185.50"},
            {"agreement_id": "#1000004", "postcode": " b1  1ay "},
            {"element_description": "x" * 100_000, "date_of_birth": ""},
        ]
    )
    path = write_csv_extract(tmp_path / "x.csv", rows)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # a byte-order mark, as Excel writes
    fast = _raw_rows(path, tmp_path, False, monkeypatch)
    careful = _raw_rows(path, tmp_path, True, monkeypatch)
    assert len(fast) == 5 and fast == careful
    assert fast[1][6] == 'Older "Adults", Home\nSupport'


def test_trailing_separators_and_mixed_line_ends_are_read(tmp_path: Path) -> None:
    rows = make_rows([{}, {}, {}])
    lines = [",".join(BASE_ROW) + ","] + [",".join(r.values()) + "," for r in rows]
    path = tmp_path / "x.csv"
    path.write_bytes((lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3]).encode())
    summary = _build(path)
    assert (summary.rows_read, summary.rows_loaded) == (3, 3)
