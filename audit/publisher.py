"""The attack surface: protected tables exactly as the dashboard and API receive them.

A Publisher answers a view name and a query-string mapping with the view's rows, through
queries.parse_filters and queries.run_view (the same code path as the dashboard and the API).
Tests substitute other publishers (a deliberately unprotected view) with the same two methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import pandas as pd

from queries import Database, Reference, parse_filters, run_view

Params = tuple[tuple[str, str], ...]


def freeze(params: Mapping[str, str]) -> Params:
    """A hashable, order-independent form of a query-string mapping."""
    return tuple(sorted((str(k), str(v)) for k, v in params.items()))


def query_string(view: str, params: Params) -> str:
    """How the query looks as an API call (for the report: what the attacker asked)."""
    return f"/api/v1/views/{view}?" + "&".join(f"{k}={v}" for k, v in params)


class Publishing(Protocol):
    """Anything that publishes area-keyed tables for a view and filter mapping."""

    reference: Reference
    queries: int

    def table(self, view: str, params: Params, *, fresh: bool = False) -> pd.DataFrame: ...


class Publisher:
    """Runs views through the query layer; remembers answers so a plan can be replayed.

    `fresh=True` asks the query layer again (the averaging attack repeats questions).
    `queries` counts every view call actually made.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.reference = db.reference
        self.queries = 0
        self._answers: dict[tuple[str, Params], pd.DataFrame] = {}

    def table(self, view: str, params: Params, *, fresh: bool = False) -> pd.DataFrame:
        key = (view, params)
        if fresh or key not in self._answers:
            filters = parse_filters(dict(params), self.reference)
            self.queries += 1
            self._answers[key] = run_view(self.db, view, filters).rows
        return self._answers[key]


def column_counts(rows: pd.DataFrame, column: str) -> dict[str, int | None]:
    """area_code -> published count of `column` (None where suppressed)."""
    out: dict[str, int | None] = {}
    for area, value in zip(rows["area_code"], rows[column], strict=True):
        out[str(area)] = None if pd.isna(value) else int(value)
    return out


def column_values(rows: pd.DataFrame, column: str) -> dict[str, float | None]:
    """area_code -> published amount of `column` (None where suppressed or unknown)."""
    return {
        str(a): None if pd.isna(v) else float(v)
        for a, v in zip(rows["area_code"], rows[column], strict=True)
    }
