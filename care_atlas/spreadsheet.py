"""One rule for every CSV and XLSX Care Atlas writes: no text cell may become a formula.

Excel, LibreOffice and Google Sheets read a cell whose first character is ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula (``=HYPERLINK(...)``, ``=cmd|' /c calc'!A1``,
``@SUM(...)``), so a value typed into a source system runs on the machine of whoever opens
the export. As the OWASP CSV-injection guidance says, such a text cell gets a single quote in
front, which spreadsheets read as "this is text" (Excel hides it in the cell). Only text is
changed: a number in a numeric column (-12.5) stays a number. Quoting separators and quotes
inside a value is the CSV writer's job (the csv module and pandas both quote per RFC 4180), so
a value cannot start a new cell either.

Every writer of a CSV or XLSX file applies :func:`neutralise` (one value) or
:func:`neutralise_frame` (a pandas frame) to what it writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: First characters that make a spreadsheet cell a formula (OWASP CSV injection).
FORMULA_LEADS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: What goes in front of such a cell.
TEXT_MARK = "'"


def neutralise(value: Any) -> Any:
    """``value`` with a quote in front if it is text a spreadsheet would run; else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return TEXT_MARK + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell neutralised (a copy if anything changed); numeric,
    boolean and date columns are left as they are."""
    import pandas as pd

    changed: dict[str, pd.Series] = {}
    for name in frame.columns:
        column = frame[name]
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            column = column.astype(object)
        elif not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
            continue
        risky = column.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_LEADS))
        if risky.any():
            changed[name] = column.astype(object).map(neutralise)
    if not changed:
        return frame
    out = frame.copy()
    for name, column in changed.items():
        out[name] = column
    return out
