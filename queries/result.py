"""What a view returns: a protected table, its column kinds and its metadata."""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from care_atlas.spreadsheet import neutralise_frame

COLUMN_KINDS: tuple[str, ...] = (
    "area",
    "period",
    "category",
    "count",
    "money",
    "rate",
    "share",
    "status",
    # Residents from the ONS estimates (reference data, not a protected count): a rate's
    # denominator, shown beside it.
    "population",
    # The difference of two published values (a count's or an amount's), or a change derived
    # from published values only (mia_saving's people fewer: a share of published people).
    "change",
    # The council's budget figures (Table 14: net spend and savings targets, £): reference data
    # from the 2016 budget, not protected counts or sums of agreement costs; never reconciled.
    "budget",
)
#: GSS shorthand for cell status (PRIVACY.md §6); "" is published.
PUBLISHED = ""
SUPPRESSED = "[c]"
LOW_RELIABILITY = "[u]"
NOT_APPLICABLE = "[z]"
NOT_AVAILABLE = "[x]"
STATUSES: tuple[str, ...] = (PUBLISHED, SUPPRESSED, LOW_RELIABILITY, NOT_APPLICABLE, NOT_AVAILABLE)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class ProtectedResult:
    """Protected values only: suppressed cells are NA with their status column saying why."""

    columns: list[Column]
    rows: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Only the declared columns leave the query layer (no working columns), numbered 0..n-1
        # (each step only when needed: a selection costs as much as a small view's arithmetic).
        names = [c.name for c in self.columns]
        rows = self.rows
        if list(rows.columns) != names:
            rows = rows[names]
        if not rows.index.equals(pd.RangeIndex(len(rows))):
            rows = rows.reset_index(drop=True)
        self.rows = rows

    def records(self) -> list[dict[str, Any]]:
        """Rows as JSON-ready dicts: NA -> None, numpy scalars -> Python."""
        out = []
        names = [c.name for c in self.columns]
        for row in self.rows[names].itertuples(index=False, name=None):
            out.append({n: _plain(v) for n, v in zip(names, row, strict=True)})
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": [{"name": c.name, "kind": c.kind} for c in self.columns],
            "rows": self.records(),
            "meta": self.meta,
        }

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, allow_nan=False)

    def to_csv(self) -> str:
        """The table as CSV; suppressed values are blank and their status column says [c]."""
        buf = io.StringIO()
        neutralise_frame(self.rows[[c.name for c in self.columns]]).to_csv(
            buf, index=False, na_rep=""
        )
        return buf.getvalue()


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value
