"""Files that explain themselves: the metadata block, CSV and XLSX bodies and file names.

A downloaded table travels without the page it came from, so every CSV and XLSX carries the
same "about" lines: title, definition, denominator, disclosure rule, filters, period, data
date, build and the synthetic flag. In a CSV they are a few leading ``key,value`` rows, then
one blank row, then the table (a spreadsheet opens it as it is; ``pandas.read_csv(...,
skiprows=about_length(text))`` or reading up to the first blank line gives the table). In an
XLSX they are the "about" sheet. The dashboard's downloads and the API's ``format=csv`` both
use this module, so the two files are the same.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pandas as pd

from care_atlas.spreadsheet import neutralise, neutralise_frame
from queries.result import ProtectedResult

#: The first cell of every CSV export: how a reader (or a test) recognises the block.
ABOUT_FIRST_KEY = "Care Atlas export"
#: Filter keys that name the selection in a file name, in this order after view and measure.
NAME_KEYS: tuple[str, ...] = (
    "level",
    "region_set",
    "services",
    "elements",
    "themes",
    "provision",
    "age_bands",
    "client_groups",
    "gender",
    "ethnic_group",
    "within",
    "areas",
    "element",
    "element_a",
    "element_b",
)
_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
_MAX_NAME = 140


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return json.dumps(value, ensure_ascii=False, default=str)


def period_words(filters: dict[str, str]) -> str:
    """The period the file covers, in words: "2010 to 2015 (calendar years)"."""
    kind = {"year": "calendar years", "fy": "financial years", "quarter": "quarters"}.get(
        filters.get("period_kind", ""), filters.get("period_kind", "")
    )
    start, end = filters.get("from", ""), filters.get("to", "")
    span = start if start == end else f"{start} to {end}"
    return f"{span} ({kind})" if kind else span


def about_rows(result: ProtectedResult, name: str | None = None) -> list[tuple[str, str]]:
    """The metadata of a result as (key, value) text pairs, the same for CSV and XLSX."""
    meta = result.meta
    filters = {str(k): str(v) for k, v in (meta.get("filters") or {}).items()}
    synthetic = meta.get("synthetic")
    rows: list[tuple[str, str]] = [
        (ABOUT_FIRST_KEY, str(meta.get("title") or name or meta.get("view") or "")),
        ("view", str(name or meta.get("view") or "")),
        ("definition", str(meta.get("definition") or "")),
        ("denominator", str(meta.get("denominator") or "")),
        ("disclosure rule", str(meta.get("rule") or "")),
        ("filters", "; ".join(f"{k}={v}" for k, v in filters.items())),
        ("period", period_words(filters)),
        ("data date", str(meta.get("data_date") or "")),
        ("build", str(meta.get("build_id") or "")),
        ("catalogue version", str(meta.get("catalogue_version") or "")),
        (
            "synthetic data",
            "yes: made-up people, not real data" if synthetic is True else _text(synthetic),
        ),
    ]
    statuses = meta.get("statuses") or {}
    if isinstance(statuses, dict):
        legend = "; ".join(f"{k or '(blank)'} {v}" for k, v in statuses.items())
        rows.append(("statuses", legend))
    if meta.get("method"):
        rows.append(("method", str(meta["method"])))
    notes = meta.get("notes") or []
    for note in notes if isinstance(notes, list) else [notes]:
        rows.append(("note", str(note)))
    known = {
        "title", "view", "definition", "denominator", "rule", "filters", "data_date",
        "build_id", "catalogue_version", "synthetic", "statuses", "method", "notes",
        "part_periods",  # said in words by the notes
    }  # fmt: skip
    for key, value in meta.items():
        if key not in known and value not in (None, "", [], {}):
            rows.append((str(key), _text(value)))
    return rows


def about_frame(result: ProtectedResult, name: str | None = None) -> pd.DataFrame:
    """The metadata as a two-column frame (the XLSX "about" sheet)."""
    return pd.DataFrame(about_rows(result, name), columns=["key", "value"])


def csv_text(result: ProtectedResult, name: str | None = None) -> str:
    """Leading ``key,value`` rows of metadata, a blank row, then the protected table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for key, value in about_rows(result, name):
        writer.writerow([neutralise(key), neutralise(value)])
    writer.writerow([])
    return buffer.getvalue() + result.to_csv()


def about_length(text: str) -> int:
    """How many lines of ``text`` (a CSV export) come before the table's header row."""
    lines = text.splitlines()
    return lines.index("") + 1 if "" in lines else 0


def xlsx_bytes(result: ProtectedResult, name: str | None = None) -> bytes:
    """A workbook: the protected rows on "data", the same metadata as the CSV on "about"."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise_frame(result.rows).to_excel(writer, sheet_name="data", index=False)
        neutralise_frame(about_frame(result, name)).to_excel(
            writer, sheet_name="about", index=False
        )
    return buffer.getvalue()


def _slug(text: str) -> str:
    return _UNSAFE.sub("-", text.replace("_", "-")).strip("-.")


def file_name(result: ProtectedResult, name: str | None, fmt: str) -> str:
    """``care-atlas_<view>_<measure>_<level>_<period>[_<selection>...].<fmt>``, safe on every
    file system: only letters, digits, dots and hyphens between the underscores."""
    filters = {str(k): str(v) for k, v in (result.meta.get("filters") or {}).items()}
    parts = [name or str(result.meta.get("view") or "view")]
    if result.meta.get("value_kind") and filters.get("measure"):
        parts.append(filters["measure"])
    parts += [filters[k] for k in NAME_KEYS[:2] if filters.get(k)]
    start, end = filters.get("from", ""), filters.get("to", "")
    if start or end:
        parts.append(start if start == end or not end else f"{start}-to-{end}")
    parts += [filters[k] for k in NAME_KEYS[2:] if filters.get(k)]
    slugs = [s for s in (_slug(p) for p in parts) if s]
    stem = "_".join(["care-atlas", *slugs])[:_MAX_NAME].rstrip("-_.")
    return f"{stem}.{fmt}"
