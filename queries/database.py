"""Open the served database read-only and load the reference every request needs once.

The served file holds only protected cells and reference tables (PRIVACY.md §1): nothing here
protects anything, it reads what the build published. A person-level workspace file is
refused. Each thread reads through a cursor of its own (made on its first lookup, closed with
the Database), so Flask threads share one Database safely.
"""

from __future__ import annotations

import os
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype

from queries.reference import Reference, load_reference

#: Tables a served database must have (ingest/sql/090-120).
SERVED_TABLES: frozenset[str] = frozenset(
    {"meta", "cells", "areas", "area_population", "area_parts", "periods", "period_members",
     "elements", "age_bands", "region_sets", "region_members", "mia_targets"}
)  # fmt: skip
#: Columns added to a served table since it first shipped: a file without them was built by
#: older code (checked on open, so the message says "rebuild" rather than a SQL error).
SERVED_COLUMNS: dict[str, frozenset[str]] = {"periods": frozenset({"data_from", "data_to"})}
#: Tables only a person-level workspace has: a file holding any of them is never served.
PERSON_LEVEL_TABLES: frozenset[str] = frozenset(
    {"persons", "agreements", "facts", "cells_truth", "person_periods", "ptable"}
)


#: The served file's name in its connection: each open attaches it to a DuckDB instance of its
#: own, as ``duckdb.connect(path)`` would hand back the instance still open on that path (the
#: file it replaced, when a rebuild was renamed over it; dashboard/reopen.py).
SERVED_ALIAS = "served"


class DatabaseError(RuntimeError):
    """The served database is missing, unreadable, a workspace, or not to the schema."""


@dataclass
class Database:
    """A read-only served database and its reference."""

    path: Path
    meta: dict[str, str]
    reference: Reference
    _con: duckdb.DuckDBPyConnection = field(repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: each thread's cursor (held by the thread, so it goes with it) and all of them, to close
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _cursors: weakref.WeakSet = field(default_factory=weakref.WeakSet, repr=False)

    @property
    def synthetic(self) -> bool:
        return self.meta.get("synthetic", "").lower() in ("true", "1", "yes")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor (DuckDB connections are not shared by threads), made on the
        thread's first lookup: a fresh cursor per lookup cost about 0.2 ms of a 1.5 ms one."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            with self._lock:
                cur = self._con.cursor()
                self._cursors.add(cur)
            cur.execute(f"USE {SERVED_ALIAS}")  # a cursor starts in the instance's own catalogue
            self._local.cursor = cur
        return cur

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run parameterised SQL; user values only ever travel in `params`."""
        return self.cursor().execute(sql, params or {}).df()

    def arrays(self, sql: str, params: dict[str, Any] | None = None) -> dict[str, np.ndarray]:
        """Run parameterised SQL, the result as arrays by column (masked where NULL): no
        DataFrame is built for a lookup whose rows are laid out by the caller."""
        return self.cursor().execute(sql, params or {}).fetchnumpy()

    def close(self) -> None:
        with self._lock:
            for cur in list(self._cursors):
                cur.close()
        self._con.close()


def column_array(values: Any) -> Any:
    """A Series' values as its array (extension arrays kept); arrays as they are."""
    if isinstance(values, pd.Series):
        return values.array if isinstance(values.dtype, ExtensionDtype) else values.to_numpy()
    return values


def plain_frame(columns: dict[str, Any]) -> pd.DataFrame:
    """A frame numbered 0..n-1 from columns of equal length, text kept as plain object (not
    pandas 3's inferred Arrow strings, which the views' exports and tests do not expect)."""
    arrays = []
    for name, values in columns.items():
        values = column_array(values)
        if not isinstance(values, np.ndarray | ExtensionArray):
            raise TypeError(f"column {name!r}: expected an array or Series, not {type(values)}")
        if pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype):
            values = np.asarray(values, dtype=object)
        arrays.append(values)
    length = len(arrays[0]) if arrays else 0
    if any(len(values) != length for values in arrays):
        raise ValueError("columns differ in length")
    return pd.DataFrame._from_arrays(
        arrays,
        columns=pd.Index(list(columns), dtype=object),
        index=pd.RangeIndex(length),
        verify_integrity=False,
    )


def check_served(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    """The file's meta, after refusing a workspace or a file of another shape."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    person_level = sorted(tables & PERSON_LEVEL_TABLES)
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall()) if "meta" in tables else {}
    if person_level or meta.get("role") == "workspace":
        raise DatabaseError(
            f"{path} holds person-level data ({', '.join(person_level) or 'a build workspace'}) "
            "and is never served: serve the build's served file, not its workspace"
        )
    missing = sorted(SERVED_TABLES - tables)
    if missing:
        raise DatabaseError(
            f"{path} lacks table(s) {', '.join(missing)}: built by older code or not a Care "
            "Atlas served database; rebuild it with care-atlas build"
        )
    for table, wanted in SERVED_COLUMNS.items():
        have = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        if not wanted <= have:
            raise DatabaseError(
                f"{path}: table {table} lacks {', '.join(sorted(wanted - have))}: built by "
                "older code; rebuild it with care-atlas build"
            )
    return {str(k): str(v) for k, v in meta.items()}


def open_database(path: str | os.PathLike[str], *, threads: int | None = None) -> Database:
    """Open a served database read-only (never a workspace)."""
    db_path = Path(path)
    if not db_path.is_file():
        raise DatabaseError(f"served database {db_path} does not exist")
    con = duckdb.connect(":memory:")
    try:
        quoted = str(db_path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS {SERVED_ALIAS} (READ_ONLY)")
        con.execute(f"USE {SERVED_ALIAS}")
    except duckdb.Error as exc:
        con.close()
        raise DatabaseError(f"{db_path} is not a readable DuckDB file: {exc}") from exc
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        meta = check_served(con, db_path)
        reference = load_reference(con)
    except duckdb.Error as exc:
        con.close()
        raise DatabaseError(f"{db_path} is not a readable served database: {exc}") from exc
    except DatabaseError:
        con.close()
        raise
    return Database(path=db_path, meta=meta, reference=reference, _con=con)
