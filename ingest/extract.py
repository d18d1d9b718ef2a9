"""Read a raw extract (CSV, Parquet or Excel) into the working database as text, row by row.

Every column is read as text: real extracts are messy and the build, not the reader, decides
what a bad value is. A file that is not an extract at all (empty, binary, not UTF-8, lacking
columns) stops the build with one message naming what is wrong, before any output is touched.

A CSV is read by DuckDB when every row is regular (as many fields as the header; quoted
newlines, as Excel's Alt+Enter makes, are fine), and otherwise by Python's csv module, row by
row: a short row is padded with blanks, a long row keeps its extra fields in ``extra_fields`` so
the build quarantines it (EXTRA_FIELDS) rather than dropping them, and anything that stops the
file being split into rows (a quote never closed, a line over MAX_LINE_BYTES, bytes that are not
UTF-8) names its line. Both readers give the same rows for a regular file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb

from care_atlas.errors import UserError
from ingest.excel_rows import excel_cell, excel_rows
from ingest.mapping import EXTRACT_COLUMNS, Mapping, resolve_headers

#: The table every reader fills: the extract's columns, as text, in file order, and
#: ``extra_fields``: the non-blank fields a row has beyond the header's, as text (else NULL).
RAW_TABLE = "raw_rows"
EXTRA_COLUMN = "extra_fields"
#: The longest line (or field) read: a document pasted into a cell still loads; beyond this
#: the build stops and names the line.
MAX_LINE_BYTES = 16 << 20
_SNIFF_BYTES = 65_536
_EXCEL_BATCH = 50_000
_DELIMITERS = (",", ";", "\t", "|")


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


def _header_fields(path: Path) -> tuple[str, list[str]]:
    """The delimiter (the candidate the header line holds most of; a comma if none) and the
    header's names, from the file's first line."""
    with path.open("rb") as fh:
        first = fh.readline(MAX_LINE_BYTES).decode("utf-8-sig", errors="replace")
    first = first.rstrip("\r\n")
    delimiter = max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","
    return delimiter, next(csv.reader([first], delimiter=delimiter), [])


def _csv_source(path: Path, delimiter: str) -> str:
    """Header row forced, every field text, strict: any row that is not regular makes DuckDB
    fail, and the careful reader takes over. No comment character (an id may start with #)."""
    return (
        f"read_csv({sql_string(str(path))}, header = true, all_varchar = true, "
        f"delim = {sql_string(delimiter)}, quote = '\"', escape = '\"', comment = '', "
        "strict_mode = true, null_padding = false, "
        f"max_line_size = {MAX_LINE_BYTES}, buffer_size = {2 * MAX_LINE_BYTES})"
    )


def reader_reason(exc: BaseException) -> str:
    """The reader's own reason for a failure, on one line: DuckDB's message without its
    advice and without the offending line's text (which may be megabytes of personal data)."""
    kept = []
    for line in str(exc).splitlines():
        line = line.strip()
        if line.lower().startswith(("possible fix", "possible solution", "file:")):
            break
        if line and not line.lower().startswith("original line"):
            kept.append(line)
    text = "; ".join(kept) or type(exc).__name__
    return text if len(text) <= 400 else text[:400] + " ..."


def _not_utf8(path: Path) -> UserError:
    line = _first_bad_utf8_line(path)
    where = f" (line {line})" if line else ""
    return UserError(
        f"{path} is not UTF-8 text{where} (perhaps Latin-1 / Windows-1252): save it as UTF-8 CSV"
    )


def _first_bad_utf8_line(path: Path) -> int | None:
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _csv_error(path: Path, exc: duckdb.Error) -> UserError:
    if isinstance(exc, duckdb.InterruptException):
        raise KeyboardInterrupt from exc
    text = str(exc)
    if "invalid unicode" in text.lower() or "not utf-8 encoded" in text.lower():
        return _not_utf8(path)
    return UserError(f"cannot read {path} as CSV: {reader_reason(exc)}")


def _read_error(kind: str, path: Path, exc: duckdb.Error) -> UserError:
    if kind == "csv":
        return _csv_error(path, exc)
    if isinstance(exc, duckdb.InterruptException):
        raise KeyboardInterrupt from exc
    return UserError(f"cannot read {path} as Parquet: {reader_reason(exc)}")


def _columns(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]


def _as_text(column: str, duck_type: str) -> str:
    """SQL that renders one source column as the text an extract would hold."""
    col = _quote_ident(column)
    upper = duck_type.upper()
    if upper in ("DOUBLE", "FLOAT", "REAL") or upper.startswith("DECIMAL"):
        # A whole number stored as a float (Excel, pandas) reads as 1000123, not 1000123.0.
        # NaN is how pandas writes a missing number: blank. Infinity stays text ("inf"), which
        # no rule parses, so its row is judged like any other bad value.
        whole = f"CAST(try_cast({col} AS BIGINT) AS VARCHAR)"
        if upper in ("DOUBLE", "FLOAT", "REAL"):
            return (
                f"CASE WHEN isnan({col}) THEN NULL "
                f"WHEN NOT isinf({col}) AND {col} = trunc({col}) AND abs({col}) < 1e15 "
                f"THEN {whole} ELSE CAST({col} AS VARCHAR) END"
            )
        return (
            f"CASE WHEN {col} = trunc({col}) AND abs({col}) < 1e15 "
            f"THEN {whole} ELSE CAST({col} AS VARCHAR) END"
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
    con.execute(
        f"CREATE OR REPLACE TABLE {RAW_TABLE} AS "
        f"SELECT {select}, NULL::VARCHAR AS {EXTRA_COLUMN} FROM {source}"
    )


def _width(headers: list[str]) -> int:
    """How many fields the header names: up to its last non-blank name (a trailing separator
    on the header line is not a column)."""
    named = [i for i, h in enumerate(headers) if h.strip()]
    return named[-1] + 1 if named else 0


def _extra_text(fields: Iterable[str | None], separator: str) -> str | None:
    """A row's fields beyond the header's, as text, or None when they are all blank (a
    trailing separator loses nothing)."""
    values = ["" if f is None else f for f in fields]
    return separator.join(values) if any(v.strip() for v in values) else None


def _stage(
    con: duckdb.DuckDBPyConnection, workdir: Path, name: str, records: Iterable[tuple]
) -> None:
    """Write records (the extract's columns as text, then extra_fields) to a temporary Parquet
    file in batches, then read that into RAW_TABLE."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = [*EXTRACT_COLUMNS, EXTRA_COLUMN]
    schema = pa.schema([(n, pa.string()) for n in names])
    staged = workdir / f"{name}.parquet"

    def table(batch: list[tuple]) -> pa.Table:
        return pa.table({n: [r[i] for r in batch] for i, n in enumerate(names)}, schema=schema)

    with pq.ParquetWriter(staged, schema) as writer:
        batch: list[tuple] = []
        for record in records:
            batch.append(record)
            if len(batch) >= _EXCEL_BATCH:
                writer.write_table(table(batch))
                batch = []
        if batch:
            writer.write_table(table(batch))
    source = f"read_parquet({sql_string(str(staged))})"
    con.execute(f"CREATE OR REPLACE TABLE {RAW_TABLE} AS SELECT * FROM {source}")


class _Lines:
    """The file's lines for csv.reader, noting whether the reader ran into the end of the file
    in the middle of a row (a quote never closed: csv.reader would quietly return the rest of
    the file as one field)."""

    def __init__(self, fh) -> None:  # noqa: ANN001 - a text file
        self._fh = fh
        self.ended = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._fh.readline()
        if not line:
            self.ended = True
            raise StopIteration
        return line


def _csv_records(
    path: Path, delimiter: str, headers: list[str], index: list[int], width: int
) -> Iterator[tuple]:
    """The careful reader: every data row of the CSV as a record for :func:`_stage`."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        lines = _Lines(fh)
        reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True)
        start = 1
        try:
            next(reader)  # the header
            start = reader.line_num + 1
            for row in reader:
                if lines.ended:
                    raise UserError(
                        f"cannot read {path} as CSV: the quoted value on line {start} is never "
                        "closed (a stray double quote?), so the rest of the file cannot be "
                        "split into rows"
                    )
                if row:  # a blank line is not a row
                    yield (
                        *(row[i] if i < len(row) else None for i in index),
                        _extra_text(row[width:], delimiter),
                    )
                start = reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise _not_utf8(path) from exc
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                reason = f"a value longer than {MAX_LINE_BYTES >> 20} MiB"
            else:
                reason = str(exc)
            raise UserError(
                f"cannot read {path} as CSV: line {reader.line_num or start}: {reason}"
            ) from exc


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, workdir: Path) -> None:
    """DuckDB's fast reader for a regular file; the careful reader for any other."""
    delimiter, headers = _header_fields(path)
    width = _width(headers)
    if width == len(headers):
        source = _csv_source(path, delimiter)
        try:
            described = _columns(con, source)
            types = dict(described)
            found = resolve_headers(mapping, [name for name, _ in described], path)
            _create_raw(con, source, types, found)
            return
        except duckdb.InterruptException as exc:
            raise KeyboardInterrupt from exc
        except duckdb.InvalidInputException:
            # Not regular (a short or long row, a stray quote, mixed line ends, not UTF-8):
            # read it row by row, which judges each row or names the line that stops it.
            pass
        except duckdb.Error as exc:
            raise _csv_error(path, exc) from exc
    headers = headers[:width]
    found = resolve_headers(mapping, headers, path)
    index = [headers.index(found[name]) for name in EXTRACT_COLUMNS]
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_LINE_BYTES)
    try:
        _stage(con, workdir, "csv_rows", _csv_records(path, delimiter, headers, index, width))
    finally:
        csv.field_size_limit(limit)


def _load_excel(
    con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, workdir: Path
) -> None:
    """Stream the worksheet into a temporary Parquet file (all text), then read that. Cells
    right of the last named column are a row's extra fields."""
    headers, rows = excel_rows(path, mapping.sheet)
    width = _width(headers)
    headers = headers[:width]
    found = resolve_headers(mapping, headers, path)
    index = [headers.index(found[name]) for name in EXTRACT_COLUMNS]

    def records() -> Iterator[tuple]:
        for row in rows:
            if row is None or all(v is None for v in row):
                continue  # openpyxl reports formatted-but-empty rows; they are not records
            yield (
                *(excel_cell(row[i]) if i < len(row) else None for i in index),
                _extra_text([excel_cell(v) for v in row[width:]], ","),
            )

    _stage(con, workdir, "excel_rows", records())


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
    elif kind == "csv":
        _load_csv(con, path, mapping, workdir)
    else:
        source = f"read_parquet({sql_string(str(path))})"
        try:
            described = _columns(con, source)
            types = dict(described)
            found = resolve_headers(mapping, [name for name, _ in described], path)
            _create_raw(con, source, types, found)
        except duckdb.Error as exc:
            raise _read_error(kind, path, exc) from exc
    rows = con.execute(f"SELECT count(*) FROM {RAW_TABLE}").fetchall()[0][0]
    if rows == 0:
        raise UserError(f"{path} has a header but no data rows: nothing to build")
    return int(rows)
