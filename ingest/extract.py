"""Read a raw extract (CSV, Parquet or Excel) into the working database as text, row by row.

Every column is read as text: real extracts are messy and the build, not the reader, decides
what a bad value is. A file that is not an extract at all (empty, binary, not UTF-8, lacking
columns) stops the build with one message naming what is wrong, before any output is touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb

from care_atlas.errors import UserError
from ingest.mapping import EXTRACT_COLUMNS, Mapping, resolve_headers

#: The table every reader fills: the extract's columns, as text, in file order.
RAW_TABLE = "raw_rows"
_SNIFF_BYTES = 65_536
_EXCEL_BATCH = 50_000


def sql_string(value: str) -> str:
    """A SQL string literal (DuckDB table functions take file names as literals, not params)."""
    return "'" + value.replace("'", "''") + "'"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def detect_format(path: Path) -> str:
    """'csv', 'parquet' or 'xlsx', from the file's first bytes (names can lie)."""
    if not path.is_file():
        raise UserError(f"extract not found: {path}")
    size = path.stat().st_size
    if size == 0:
        raise UserError(f"{path} is empty (0 bytes): it is not an agreement extract")
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError(f"{path} is an old Excel .xls file: save it as .xlsx or UTF-8 CSV")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(f"{path} is UTF-16 text: save it as UTF-8 CSV")
    if b"\0" in head:
        raise UserError(
            f"{path} is a binary file, not CSV text, Parquet or Excel: it is not an agreement "
            "extract"
        )
    return "csv"


def _csv_source(path: Path) -> str:
    """Header row forced, every field text; null padding and a lenient parser so a row cut
    short or a file with mixed line endings is still read, then judged like any other row."""
    return (
        f"read_csv({sql_string(str(path))}, header = true, all_varchar = true, "
        "null_padding = true, strict_mode = false, quote = '\"', escape = '\"', sample_size = 20480)"
    )


def _csv_error(path: Path, exc: duckdb.Error) -> UserError:
    if isinstance(exc, duckdb.InterruptException):
        raise KeyboardInterrupt from exc
    text = str(exc)
    if "invalid unicode" in text.lower() or "not utf-8 encoded" in text.lower():
        return UserError(
            f"{path} is not UTF-8 text (perhaps Latin-1 / Windows-1252): save it as UTF-8 CSV"
        )
    first = text.splitlines()[0] if text else type(exc).__name__
    return UserError(f"cannot read {path} as CSV: {first}")


def _read_error(kind: str, path: Path, exc: duckdb.Error) -> UserError:
    if kind == "csv":
        return _csv_error(path, exc)
    if isinstance(exc, duckdb.InterruptException):
        raise KeyboardInterrupt from exc
    return UserError(f"cannot read {path} as Parquet: {str(exc).splitlines()[0]}")


def _columns(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]


def _as_text(column: str, duck_type: str) -> str:
    """SQL that renders one source column as the text an extract would hold."""
    col = _quote_ident(column)
    upper = duck_type.upper()
    if upper in ("DOUBLE", "FLOAT", "REAL") or upper.startswith("DECIMAL"):
        # A whole number stored as a float (Excel, pandas) reads as 1000123, not 1000123.0.
        return (
            f"CASE WHEN {col} = trunc({col}) AND abs({col}) < 1e15 "
            f"THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) ELSE CAST({col} AS VARCHAR) END"
        )
    if upper.startswith("TIMESTAMP"):
        return (
            f"CASE WHEN CAST({col} AS TIME) = TIME '00:00:00' "
            f"THEN strftime({col}, '%Y-%m-%d') ELSE CAST({col} AS VARCHAR) END"
        )
    return f"CAST({col} AS VARCHAR)"


def _create_raw(
    con: duckdb.DuckDBPyConnection,
    source: str,
    types: dict[str, str],
    found: dict[str, str],
) -> None:
    select = ", ".join(
        f"{_as_text(found[name], types[found[name]])} AS {name}" for name in EXTRACT_COLUMNS
    )
    con.execute(f"CREATE OR REPLACE TABLE {RAW_TABLE} AS SELECT {select} FROM {source}")


def _excel_cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _excel_rows(path: Path, sheet: str | None) -> tuple[list[str], Iterator[tuple]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise UserError(f"cannot read {path} as an Excel workbook: {exc}") from exc
    if sheet is None:
        ws = book.worksheets[0]
    elif sheet in book.sheetnames:
        ws = book[sheet]
    else:
        raise UserError(
            f"{path} has no worksheet '{sheet}' (it has: {', '.join(book.sheetnames)}); "
            "set [excel] sheet in the mapping file"
        )
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise UserError(f"{path}: worksheet '{ws.title}' is empty: it is not an agreement extract")
    headers = ["" if h is None else str(h) for h in header]
    return headers, rows


def _load_excel(
    con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, workdir: Path
) -> None:
    """Stream the worksheet into a temporary Parquet file (all text), then read that."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    headers, rows = _excel_rows(path, mapping.sheet)
    found = resolve_headers(mapping, headers, path)
    index = {name: headers.index(found[name]) for name in EXTRACT_COLUMNS}
    schema = pa.schema([(name, pa.string()) for name in EXTRACT_COLUMNS])
    staged = workdir / "excel_rows.parquet"
    with pq.ParquetWriter(staged, schema) as writer:
        batch: list[tuple] = []
        for row in rows:
            if row is None or all(v is None for v in row):
                continue  # openpyxl reports formatted-but-empty rows; they are not records
            batch.append(row)
            if len(batch) >= _EXCEL_BATCH:
                writer.write_table(_excel_batch(batch, index, schema))
                batch = []
        if batch:
            writer.write_table(_excel_batch(batch, index, schema))
    source = f"read_parquet({sql_string(str(staged))})"
    con.execute(f"CREATE OR REPLACE TABLE {RAW_TABLE} AS SELECT * FROM {source}")


def _excel_batch(batch: list[tuple], index: dict[str, int], schema):  # -> pa.Table
    import pyarrow as pa

    columns = {}
    for name, i in index.items():
        columns[name] = [_excel_cell(row[i]) if i < len(row) else None for row in batch]
    return pa.table(columns, schema=schema)


def load_extract(
    con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, workdir: Path
) -> int:
    """Fill RAW_TABLE from the extract; return the number of rows read.

    Row numbers are the table's rowid + 1: the data row's position in the file (1 = the first
    row under the header), kept because DuckDB preserves insertion order.
    """
    kind = detect_format(path)
    if kind == "xlsx":
        _load_excel(con, path, mapping, workdir)
    else:
        source = _csv_source(path) if kind == "csv" else f"read_parquet({sql_string(str(path))})"
        try:
            described = _columns(con, source)
        except duckdb.Error as exc:
            raise _read_error(kind, path, exc) from exc
        types = dict(described)
        found = resolve_headers(mapping, [name for name, _ in described], path)
        try:
            _create_raw(con, source, types, found)
        except duckdb.Error as exc:
            raise _read_error(kind, path, exc) from exc
    rows = con.execute(f"SELECT count(*) FROM {RAW_TABLE}").fetchall()[0][0]
    if rows == 0:
        raise UserError(f"{path} has a header but no data rows: nothing to build")
    return int(rows)
