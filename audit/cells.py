"""The published cells and their truth, as integer-coded arrays the attacks can work on fast.

A cell's key has seven dimensions (geography, period, what, age band, client group, gender,
ethnic group); each is coded as an integer into a small vocabulary, so a parent's key is the
child's key with one code replaced, and millions of cells join by integer lookups instead of
string merges. Frames come from hand-made tables (tests) or, encoded inside DuckDB, from the
served database and the build workspace (`load`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from audit.noise import SUPPRESSED

#: Dimension -> the key columns that name one of its members.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "geo": ("level", "area_code"),
    "period": ("period_kind", "period"),
    "what": ("what",),
    "age": ("age_band",),
    "client": ("client_group",),
    "gender": ("gender",),
    "ethnic": ("ethnic_group",),
}
KEY_COLUMNS: tuple[str, ...] = tuple(c for cols in DIMENSIONS.values() for c in cols)
COUNT_MEASURES = ("people", "agreements_active", "agreements_started", "people_over_6w")
MONEY_MEASURES = ("cost", "cost_beyond_42")


@dataclass
class CellTable:
    """Every published cell (one row per key), coded, with what was published and the truth."""

    codes: dict[str, np.ndarray]  # dimension -> int64 code per cell
    vocab: dict[str, pd.DataFrame]  # dimension -> its key columns, row = code
    published: dict[str, np.ndarray]  # count measure -> int64, SUPPRESSED for [c]
    true_n: dict[str, np.ndarray]  # count measure -> true count
    money: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # cost -> arrays
    true_ckey: dict[str, np.ndarray] = field(default_factory=dict)  # count measure -> cell key
    _index: dict[str, dict[tuple[str, ...], int]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(next(iter(self.codes.values())))

    @property
    def packed(self) -> np.ndarray:
        """One int64 per cell: the seven codes in mixed radix (unique per key)."""
        out = np.zeros(len(self), dtype=np.int64)
        for dim in DIMENSIONS:
            out = out * self.radix(dim) + self.codes[dim]
        return out

    def radix(self, dim: str) -> int:
        return len(self.vocab[dim]) + 1

    def multiplier(self, dim: str) -> int:
        """What one step of `dim`'s code adds to the packed key."""
        dims = list(DIMENSIONS)
        m = 1
        for later in dims[dims.index(dim) + 1 :]:
            m *= self.radix(later)
        return m

    def code_of(self, dim: str, *values: str) -> int:
        """The code of one member (-1 when no cell uses it)."""
        index = self._index.get(dim)
        if index is None:
            rows = self.vocab[dim].itertuples(index=False, name=None)
            index = self._index[dim] = {tuple(map(str, r)): i for i, r in enumerate(rows)}
        return index.get(tuple(values), -1)

    def describe(self, i: int) -> str:
        """A cell's key in words, for the report: only the dimensions that are not 'all'."""
        parts = []
        for dim, cols in DIMENSIONS.items():
            row = self.vocab[dim].iloc[int(self.codes[dim][i])]
            values = [str(row[c]) for c in cols]
            if dim == "geo":
                parts.append(values[1] if values[0] == "city" else f"{values[0]} {values[1]}")
            elif dim == "period":
                parts.append(values[1])
            elif values[0] != "all":
                parts.append(values[0])
        return ", ".join(parts)


def _encode(frame: pd.DataFrame) -> tuple[dict[str, np.ndarray], dict[str, pd.DataFrame]]:
    codes, vocab = {}, {}
    for dim, cols in DIMENSIONS.items():
        members = frame[list(cols)].drop_duplicates().sort_values(list(cols))
        members = members.reset_index(drop=True)
        index = pd.MultiIndex.from_frame(members) if len(cols) > 1 else pd.Index(members[cols[0]])
        keys = pd.MultiIndex.from_frame(frame[list(cols)]) if len(cols) > 1 else frame[cols[0]]
        codes[dim] = index.get_indexer(keys).astype(np.int64)
        vocab[dim] = members
    return codes, vocab


def from_frames(published: pd.DataFrame, truth: pd.DataFrame) -> CellTable:
    """Join the served `cells` and the workspace `cells_truth` frames (same key columns)."""
    frame = published.merge(truth, on=list(KEY_COLUMNS), how="inner", validate="1:1")
    codes, vocab = _encode(frame)
    return _table(frame, codes, vocab)


def _table(
    frame: pd.DataFrame, codes: dict[str, np.ndarray], vocab: dict[str, pd.DataFrame]
) -> CellTable:
    published, true_n, ckeys = {}, {}, {}
    for m in COUNT_MEASURES:
        if m not in frame or f"{m}_n" not in frame:
            continue
        published[m] = frame[m].fillna(SUPPRESSED).to_numpy(dtype=np.int64)
        true_n[m] = frame[f"{m}_n"].fillna(0).to_numpy(dtype=np.int64)
        if f"{m}_ckey" in frame:
            ckeys[m] = frame[f"{m}_ckey"].fillna(0).to_numpy(dtype=np.int64)
    money = {}
    for c in MONEY_MEASURES:
        if c not in frame or f"{c}_total" not in frame:
            continue
        money[c] = {
            "published": frame[c].to_numpy(dtype=float),
            "total": frame[f"{c}_total"].fillna(0).to_numpy(dtype=float),
            "top1": frame[f"{c}_top1"].fillna(0).to_numpy(dtype=float),
        }
    return CellTable(codes, vocab, published, true_n, money, ckeys)


def load(served: Path, workspace: Path) -> CellTable:
    """Read both files in one DuckDB session (read-only), coding the keys inside DuckDB."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{served}' AS s (READ_ONLY)")
        con.execute(f"ATTACH '{workspace}' AS w (READ_ONLY)")
        # Every true cell; one the served file has no row for is [c] in every measure.
        key_join = " AND ".join(f"c.{k} = t.{k}" for k in KEY_COLUMNS)
        truth_cols = [
            f"t.{m}_{part}"
            for m in COUNT_MEASURES
            for part in ("n", "ckey")
            if _has(con, "w", "cells_truth", f"{m}_{part}")
        ] + [
            f"t.{c}_{part}"
            for c in MONEY_MEASURES
            for part in ("total", "top1")
            if _has(con, "w", "cells_truth", f"{c}_{part}")
        ]
        measures = [m for m in (*COUNT_MEASURES, *MONEY_MEASURES) if _has(con, "s", "cells", m)]
        con.execute(
            "CREATE TEMP TABLE joined AS SELECT "
            + ", ".join([*(f"t.{k}" for k in KEY_COLUMNS), *(f"c.{m}" for m in measures)])
            + (", " + ", ".join(truth_cols) if truth_cols else "")
            + f" FROM w.cells_truth t LEFT JOIN s.cells c ON {key_join}"
        )
        codes, vocab = {}, {}
        selects = []
        for dim, cols in DIMENSIONS.items():
            col_list = ", ".join(cols)
            vocab[dim] = con.execute(
                f"SELECT DISTINCT {col_list} FROM joined ORDER BY {col_list}"
            ).df()
            con.execute(
                f"CREATE TEMP TABLE v_{dim} AS SELECT {col_list}, "
                f"(row_number() OVER (ORDER BY {col_list}) - 1)::BIGINT AS code "
                f"FROM (SELECT DISTINCT {col_list} FROM joined)"
            )
            selects.append(dim)
        joins = " ".join(
            f"JOIN v_{d} ON " + " AND ".join(f"j.{c} = v_{d}.{c}" for c in DIMENSIONS[d])
            for d in selects
        )
        value_cols = [*measures, *(c.split(".")[1] for c in truth_cols)]
        arrays = con.execute(
            "SELECT "
            + ", ".join(
                [*(f"v_{d}.code AS code_{d}" for d in selects), *(f"j.{v}" for v in value_cols)]
            )
            + f" FROM joined j {joins}"
            # Row order is the cell index the attacks and the seeded sample use: fix it, so the
            # same build (and a rebuild of the same extract) is attacked on the same sample.
            + " ORDER BY "
            + ", ".join(f"code_{d}" for d in selects)
        ).df()
    finally:
        con.close()
    for dim in DIMENSIONS:
        codes[dim] = arrays[f"code_{dim}"].to_numpy(dtype=np.int64)
    return _table(arrays, codes, vocab)


def _has(con: object, db: str, table: str, column: str) -> bool:
    rows = con.execute(  # type: ignore[attr-defined]
        "SELECT 1 FROM duckdb_columns() WHERE database_name = ? AND table_name = ? "
        "AND column_name = ?",
        [db, table, column],
    ).fetchall()
    return bool(rows)


def reference(served: Path) -> dict[str, pd.DataFrame]:
    """The served reference tables the relations are read from (small)."""
    import duckdb

    con = duckdb.connect(str(served), read_only=True)
    try:
        names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        wanted = ("areas", "elements", "region_members", "period_members", "periods", "meta")
        return {t: con.execute(f"SELECT * FROM {t}").df() for t in wanted if t in names}
    finally:
        con.close()
