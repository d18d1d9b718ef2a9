"""A file that is not an extract: one clear message, exit 2, no traceback, no output touched."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from care_atlas.cli import main
from tests.fixtures.serving import BASE_ROW, make_rows, write_csv_extract

HEADER = ",".join(BASE_ROW)


def _run(capsys: pytest.CaptureFixture[str], extract: Path, out: Path, *extra: str) -> str:
    code = main(
        ["build", "--extract", str(extract), "--out", str(out), "--demo-key", "--quiet", *extra]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


def _write_xlsx(path: Path, header: list[str], rows: list[list[str]], sheet: str = "Data") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


CASES = {
    "empty": (lambda p: p.write_bytes(b""), "empty"),
    "binary": (lambda p: p.write_bytes(bytes(range(256)) * 64), "binary"),
    "latin-1": (
        lambda p: p.write_bytes(
            (HEADER + "\n" + "1,2,,2011-01-01,,A,Caf\xe9,B,C,B1 1AY,Female,x,y,1\n").encode(
                "latin-1"
            )
        ),
        "not UTF-8",
    ),
    "utf-16": (lambda p: p.write_bytes((HEADER + "\n").encode("utf-16")), "UTF-16"),
    "old xls": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600), ".xls"),
    "missing columns": (
        lambda p: p.write_text("agreement_id,person_id,postcode\n1,2,B1 1AY\n"),
        "missing column(s) date_of_birth",
    ),
    "header only": (lambda p: p.write_text(HEADER + "\n"), "no data rows"),
    "not a table": (lambda p: p.write_text("hello world\n"), "missing column(s)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_not_an_extract(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write, expected = CASES[case]
    extract = tmp_path / "extract.csv"
    write(extract)
    out = tmp_path / "serving.duckdb"
    out.write_bytes(b"previous build")
    err = _run(capsys, extract, out)
    assert expected in err
    assert out.read_bytes() == b"previous build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extract.csv", "serving.duckdb"]


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(capsys, tmp_path / "nope.csv", tmp_path / "s.duckdb")
    assert "not found" in err
    assert not (tmp_path / "s.duckdb").exists()


def test_xlsx_extract_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = make_rows([{}, {"agreement_end": ""}, {"postcode": ""}])
    extract = _write_xlsx(tmp_path / "x.xlsx", list(BASE_ROW), [list(r.values()) for r in rows])
    out = tmp_path / "s.duckdb"
    assert (
        main(["build", "--extract", str(extract), "--out", str(out), "--demo-key", "--quiet"]) == 0
    )
    printed = capsys.readouterr().out
    assert "rows read 3 = loaded 2 + quarantined 1" in printed
    assert "POSTCODE_MISSING" in printed


def test_xlsx_with_wrong_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extract = _write_xlsx(tmp_path / "x.xlsx", ["name", "address"], [["a", "b"]])
    err = _run(capsys, extract, tmp_path / "s.duckdb")
    assert "missing column(s) agreement_id" in err


def test_xlsx_with_wrong_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = make_rows([{}])
    extract = _write_xlsx(tmp_path / "x.xlsx", list(BASE_ROW), [list(r.values()) for r in rows])
    mapping = tmp_path / "m.toml"
    mapping.write_text('[excel]\nsheet = "Agreements"\n')
    err = _run(capsys, extract, tmp_path / "s.duckdb", "--mapping", str(mapping))
    assert "no worksheet 'Agreements'" in err and "Data" in err


def test_corrupt_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extract = tmp_path / "x.xlsx"
    extract.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    err = _run(capsys, extract, tmp_path / "s.duckdb")
    assert "Excel" in err


def test_ragged_rows_still_accounted_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row cut short is padded with blanks and judged like any other."""
    extract = write_csv_extract(tmp_path / "x.csv", make_rows([{}, {}]))
    with extract.open("a", encoding="utf-8") as fh:
        fh.write("1000009,500001\n")
    out = tmp_path / "s.duckdb"
    assert (
        main(["build", "--extract", str(extract), "--out", str(out), "--demo-key", "--quiet"]) == 0
    )
    assert "rows read 3 = loaded 2 + quarantined 1" in capsys.readouterr().out


def test_no_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CARE_ATLAS_PSEUDONYM_KEY", raising=False)
    extract = write_csv_extract(tmp_path / "x.csv", make_rows([{}]))
    code = main(["build", "--extract", str(extract), "--out", str(tmp_path / "s.duckdb")])
    err = capsys.readouterr().err
    assert code == 2 and "--key-file" in err and "--demo-key" in err
    assert not (tmp_path / "s.duckdb").exists()


def test_short_key_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "key.txt"
    key.write_text("short\n")
    extract = write_csv_extract(tmp_path / "x.csv", make_rows([{}]))
    code = main(
        [
            "build",
            "--extract",
            str(extract),
            "--out",
            str(tmp_path / "s.duckdb"),
            "--key-file",
            str(key),
        ]
    )
    assert code == 2 and "at least 16" in capsys.readouterr().err
