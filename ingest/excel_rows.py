"""Read an Excel workbook's rows for the extract reader, each cell as the text a CSV holds.

Kept apart from :mod:`ingest.extract` because openpyxl's types (dates, floats for whole
numbers, formatted-but-empty cells) need their own translation into text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from care_atlas.errors import UserError


def excel_cell(value: object) -> str | None:
    """A cell as the text a CSV would hold: dates as ISO dates, whole numbers without '.0'."""
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


def excel_rows(path: Path, sheet: str | None) -> tuple[list[str], Iterator[tuple]]:
    """The worksheet's header as text and an iterator over its other rows (cell values)."""
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
