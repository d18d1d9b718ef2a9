"""Open the serving database read-only and load what every query needs once.

The serving file is attached READ_ONLY to an in-memory DuckDB instance: the in-memory side
holds the ptable (the serving one, or a drop-in override, PRIVACY.md §2) and the perturbation
macros, which cannot be written into the read-only file. Each query runs on its own cursor, so
Flask threads share one Database safely.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype

from care_atlas.vocab import CLIENT_GROUPS, ETHNICITIES, GENDERS, ethnic_group

SQL_DIR = Path(__file__).resolve().parent / "sql"
PTABLE_ENV = "CARE_ATLAS_PTABLE"
#: Counts whose perturbed value is under this are suppressed (ONS 10-5 rule).
DEFAULT_THRESHOLD = 10
AREA_LEVELS: tuple[str, ...] = ("ward", "district", "sector", "h3r7", "h3r8")
#: person_periods' pre-summed facts; databases built before them are read through facts.
PRESUMMED_COLUMNS: tuple[str, ...] = (
    "agreements",
    "agreement_keys",
    "started",
    "started_keys",
    "cost",
    "internal_cost",
    "external_cost",
    "direct_cost",
)
#: serving.provision_cells' columns as ingest/sql/087_provision_cells.sql writes them now.
PROVISION_CELL_COLUMNS: tuple[str, ...] = (
    "n_all", "k_all", "n_i", "k_i", "n_e", "k_e", "n_d", "k_d", "internal_cost",
    "external_cost", "direct_cost", "cost", "agreements", "agreement_keys", "started",
    "started_keys", "age_band",
)  # fmt: skip


class DatabaseError(RuntimeError):
    """The serving database is missing, unreadable or not to the ARCHITECTURE.md §2 schema."""


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    parent_ward_code: str | None
    district: str | None
    #: residents of every age (apportioned below ward level, so not a whole number)
    population: float | None


@dataclass(frozen=True)
class Element:
    code: str
    description: str
    service_code: str
    provision_type: str
    mia_theme: str | None


@dataclass(frozen=True)
class Reference:
    """Allowed filter values, read once from the serving database's reference tables."""

    periods: dict[str, tuple[str, ...]]
    period_dates: dict[tuple[str, str], tuple[str, str]]
    areas: dict[str, dict[str, Area]]
    elements: dict[str, Element]
    services: tuple[str, ...]
    themes: tuple[str, ...]
    provision_types: tuple[str, ...]
    client_groups: tuple[str, ...]
    genders: tuple[str, ...]
    ethnic_groups: tuple[str, ...]
    age_bands: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "periods": {k: list(v) for k, v in self.periods.items()},
            "areas": {
                level: [
                    {
                        "code": a.code,
                        "name": a.name,
                        "parent_ward_code": a.parent_ward_code,
                        "district": a.district,
                    }
                    for a in areas.values()
                ]
                for level, areas in self.areas.items()
            },
            "elements": [
                {
                    "code": e.code,
                    "description": e.description,
                    "service_code": e.service_code,
                    "provision_type": e.provision_type,
                    "mia_theme": e.mia_theme,
                }
                for e in self.elements.values()
            ],
            "services": list(self.services),
            "themes": list(self.themes),
            "provision_types": list(self.provision_types),
            "client_groups": list(self.client_groups),
            "genders": list(self.genders),
            "ethnic_groups": list(self.ethnic_groups),
            "age_bands": list(self.age_bands),
        }


@dataclass
class Database:
    """A read-only serving database plus the query layer's in-memory side (ptable, reference)."""

    path: Path
    meta: dict[str, str]
    reference: Reference
    ptable_id: str
    threshold: int
    #: What the ptable in force is, for every result's rule text (meta "ptable", or the override).
    ptable_name: str
    _con: duckdb.DuckDBPyConnection = field(repr=False)
    cache: Any = field(default=None, repr=False)
    #: element_code -> its bit in person_periods.element_mask (ingest/sql/085_person_periods.sql)
    element_bits: dict[str, int] = field(default_factory=dict, repr=False)
    #: (period_kind, period) -> periods.ordinal (person_periods.direct_before compares to it)
    period_ordinals: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: pvalue by [pcv, ckey] (0 where the ptable has no row), for perturb()
    pvalues: np.ndarray = field(default_factory=lambda: np.zeros((1, 1), np.int64), repr=False)
    #: person_periods carries pre-summed agreements and cost (ingest/sql/085_person_periods.sql)
    presummed: bool = False
    #: serving.provision_cells holds unfiltered provision cells (ingest/sql/087_provision_cells.sql)
    provision_cells: bool = False
    #: serving.provision_spans holds unfiltered people over any range (089): read with
    #: provision_cells
    provision_spans: bool = False
    #: serving.element_spans holds the whole city's people per element over any range (086)
    element_spans: bool = False
    #: serving.element_periods holds unfiltered agreements per element and period (088)
    element_periods: bool = False
    #: (level, area_code) -> age band -> residents (area_population)
    band_populations: dict[tuple[str, str], dict[str, float | None]] = field(
        default_factory=dict, repr=False
    )
    #: ward or district code -> level -> areas with data inside it (a sector can straddle wards)
    areas_inside: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict, repr=False)

    @property
    def synthetic(self) -> bool:
        return self.meta.get("synthetic", "").lower() in ("true", "1", "yes")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for one query (DuckDB connections are not shared by threads)."""
        with self._lock:
            cur = self._con.cursor()
        cur.execute("USE serving")
        return cur

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run parameterised SQL; user values only ever travel in `params`."""
        cur = self.cursor()
        try:
            return cur.execute(sql, params or {}).df()
        finally:
            cur.close()

    def query_arrays(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """As query, but built from numpy arrays (no per-column pandas inference): the views'
        hot path. Text columns are object arrays, numbers float64 with NaN for NULL."""
        cur = self.cursor()
        try:
            arrays = cur.execute(sql, params or {}).fetchnumpy()
        finally:
            cur.close()
        out = {}
        for name, arr in arrays.items():
            if isinstance(arr, np.ma.MaskedArray):
                if arr.dtype.kind in "iufb":
                    arr = arr.astype("float64").filled(np.nan)
                else:
                    arr = arr.astype(object).filled(None)
            out[name] = arr
        return plain_frame(out)

    def perturb(self, n: Any, keysum: Any) -> pd.Series:
        """Published counts of cells with n distinct units whose record keys sum to keysum.

        Cell key perturbation (PRIVACY.md §2), vectorised: 0 for a true zero (no units; NaN n
        is a cell with no row, a true zero); NA ([c]) when n + pvalue is under the threshold;
        else n + pvalue, pvalue at (pcv(n), keysum mod ckey_mod), 0 where the ptable has none.
        """
        n_arr = np.nan_to_num(np.asarray(n, dtype="float64")).astype(np.int64)
        k_arr = np.nan_to_num(np.asarray(keysum, dtype="float64")).astype(np.int64)
        pcv = np.where(n_arr <= 750, n_arr, (n_arr - 1) % 250 + 501)
        rows, mod = self.pvalues.shape
        inside = (pcv >= 0) & (pcv < rows)
        pvalue = np.where(inside, self.pvalues[np.clip(pcv, 0, rows - 1), k_arr % mod], 0)
        published = n_arr + pvalue
        values = np.where(n_arr == 0, 0, published)
        na = (n_arr != 0) & (published < self.threshold)
        return pd.Series(pd.arrays.IntegerArray(values, na))

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        self._con.close()


def column_array(values: Any) -> Any:
    """A Series' values as its array (extension arrays kept, e.g. nullable Int64); arrays as
    they are."""
    if isinstance(values, pd.Series):
        return values.array if isinstance(values.dtype, ExtensionDtype) else values.to_numpy()
    return values


def plain_frame(columns: dict[str, Any]) -> pd.DataFrame:
    """A frame numbered 0..n-1 from columns of equal length (numpy arrays, pandas extension
    arrays, or Series numbered so), text and column labels kept as plain object.

    pandas 3 would infer its Arrow-backed str dtype for both: then every column a view adds
    costs about 0.4 ms (inserting a label into a str index), and takes and sorts cost more.
    The frame is assembled from the finished arrays (DataFrame._from_arrays, without the
    per-column checks of the dict constructor, which cost about 0.5 ms a frame: as much as a
    small view's arithmetic); tests/test_queries_on_built_db.py checks what it gives.
    """
    arrays = []
    for name, values in columns.items():
        values = column_array(values)
        if not isinstance(values, np.ndarray | ExtensionArray):
            raise TypeError(f"column {name!r}: expected an array or Series, not {type(values)}")
        if values.ndim != 1:
            raise ValueError(f"column {name!r} is not one-dimensional")
        if pd.api.types.is_object_dtype(values.dtype):
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


def sql_text(name: str) -> str:
    """A SQL file shipped in queries/sql/."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


def _load_ptable(
    con: duckdb.DuckDBPyConnection, override: Path | None
) -> tuple[str, int, np.ndarray]:
    """The ptable in force: the override CSV, else the serving database's own.

    Returns (id, ckey_mod, pvalues): pvalues[pcv, ckey] is the dense table perturb() reads.
    """
    if override is not None:
        if not override.is_file():
            raise DatabaseError(f"ptable {override} does not exist")
        try:
            df = pd.read_csv(override)
        except Exception as exc:  # pandas raises many kinds for a bad CSV
            raise DatabaseError(f"ptable {override} is not a readable CSV: {exc}") from exc
    else:
        df = con.execute("SELECT pcv, ckey, pvalue FROM serving.ptable ORDER BY pcv, ckey").df()
    missing = {"pcv", "ckey", "pvalue"} - set(df.columns)
    if missing:
        raise DatabaseError(f"ptable lacks column(s) {sorted(missing)}")
    try:
        df = df[["pcv", "ckey", "pvalue"]].astype("int64")
    except (ValueError, TypeError) as exc:
        raise DatabaseError(f"ptable values must be whole numbers: {exc}") from exc
    if df.empty or df["pcv"].min() < 0 or df["ckey"].min() < 0:
        raise DatabaseError("ptable is empty or has negative pcv/ckey values")
    ckey_mod = int(df["ckey"].max()) + 1
    digest = hashlib.sha256(pd.util.hash_pandas_object(df, index=False).values.tobytes())
    pvalues = np.zeros((max(751, int(df["pcv"].max()) + 1), ckey_mod), dtype=np.int64)
    pvalues[df["pcv"].to_numpy(), df["ckey"].to_numpy()] = df["pvalue"].to_numpy()
    return digest.hexdigest()[:16], ckey_mod, pvalues


def _distinct(con: duckdb.DuckDBPyConnection, column: str, preferred: tuple[str, ...]) -> tuple:
    """Values present in facts, in vocabulary order first (column names are constants here)."""
    found = {r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM facts").fetchall()}
    found.discard(None)
    ordered = [v for v in preferred if v in found]
    return tuple(ordered + sorted(found - set(ordered)))


def _load_reference(con: duckdb.DuckDBPyConnection) -> Reference:
    periods: dict[str, tuple[str, ...]] = {}
    period_dates: dict[tuple[str, str], tuple[str, str]] = {}
    rows = con.execute(
        "SELECT period_kind, period, start_date::VARCHAR, end_date::VARCHAR FROM periods "
        "ORDER BY period_kind, ordinal"
    ).fetchall()
    for kind, period, start, end in rows:
        periods.setdefault(kind, ())
        periods[kind] = (*periods[kind], period)
        period_dates[(kind, period)] = (start, end)
    for kind, labels in periods.items():
        # Views filter periods with BETWEEN so DuckDB can prune facts' row groups: that needs
        # label order to be time order.
        if list(labels) != sorted(labels):
            raise DatabaseError(f"period labels of kind {kind} do not sort in time order")
    areas: dict[str, dict[str, Area]] = {level: {} for level in AREA_LEVELS}
    for level, code, name, ward, district, pop in con.execute(
        "SELECT level, area_code, area_name, parent_ward_code, district, population FROM areas "
        "ORDER BY level, area_code"
    ).fetchall():
        if level in areas:
            areas[level][code] = Area(
                code, name or code, ward, district, None if pop is None else float(pop)
            )
    elements = {
        r[0]: Element(r[0], r[1] or r[0], r[2], r[3], r[4])
        for r in con.execute(
            "SELECT element_code, element_description, service_code, provision_type, mia_theme "
            "FROM elements ORDER BY element_code"
        ).fetchall()
    }
    age_bands = tuple(
        r[0] for r in con.execute("SELECT age_band FROM age_bands ORDER BY ordinal").fetchall()
    )
    ethnic_groups = tuple(dict.fromkeys(ethnic_group(e) for e in ETHNICITIES))
    return Reference(
        periods=periods,
        period_dates=period_dates,
        areas=areas,
        elements=elements,
        services=tuple(sorted({e.service_code for e in elements.values()})),
        themes=tuple(sorted({e.mia_theme for e in elements.values() if e.mia_theme})),
        provision_types=tuple(dict.fromkeys(e.provision_type for e in elements.values())),
        client_groups=_distinct(con, "client_group", CLIENT_GROUPS),
        genders=_distinct(con, "gender", GENDERS),
        ethnic_groups=_distinct(con, "ethnic_group", ethnic_groups),
        age_bands=age_bands,
    )


def _load_band_populations(
    con: duckdb.DuckDBPyConnection,
) -> dict[tuple[str, str], dict[str, float | None]]:
    """Residents per area and age band: the denominators of age-band rates (queries.cells);
    every age's are the areas' own (Area.population)."""
    bands: dict[tuple[str, str], dict[str, float | None]] = {}
    for level, code, band, pop in con.execute(
        "SELECT level, area_code, age_band, population FROM area_population"
    ).fetchall():
        bands.setdefault((level, code), {})[band] = pop
    return bands


def _load_areas_inside(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, frozenset[str]]]:
    """Ward or district -> level -> the areas with data inside it, in any period.

    Calendar years cover every day from the first agreement's start to the data date, so
    their rows hold every combination of areas the data has.
    """
    inside: dict[str, dict[str, set[str]]] = {}
    for row in con.execute(
        "SELECT DISTINCT ward_code, district, sector, h3r7, h3r8 FROM person_periods "
        "WHERE period_kind = 'year'"
    ).fetchall():
        codes = dict(zip(("ward", "district", "sector", "h3r7", "h3r8"), row, strict=True))
        for container in (codes["ward"], codes["district"]):
            if container is None:
                continue
            levels = inside.setdefault(container, {})
            for level, code in codes.items():
                if code is not None:
                    levels.setdefault(level, set()).add(code)
    return {
        container: {level: frozenset(codes) for level, codes in levels.items()}
        for container, levels in inside.items()
    }


def _load_element_bits(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]]
) -> dict[str, int]:
    """Element -> mask bit; person_periods must be there too (people counts need both)."""
    missing = {"element_bits", "person_periods"} - set(tables)
    if missing:
        raise DatabaseError(
            f"lacks table(s) {sorted(missing)}: built by older code, rebuild it with care-atlas build"
        )
    return dict(con.execute("SELECT element_code, element_bit FROM element_bits").fetchall())


def open_database(
    path: str | os.PathLike[str],
    *,
    ptable: Path | None = None,
    cache_dir: Path | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    threads: int | None = None,
) -> Database:
    """Open a serving database read-only; `ptable` (or CARE_ATLAS_PTABLE) overrides its ptable.

    `cache_dir` turns on a result cache on disk, shared by server worker processes.
    """
    db_path = Path(path)
    if not db_path.is_file():
        raise DatabaseError(f"serving database {db_path} does not exist")
    if ptable is None and os.environ.get(PTABLE_ENV):
        ptable = Path(os.environ[PTABLE_ENV])
    con = duckdb.connect(":memory:")
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        # Results are small and ordered by the views themselves where order matters.
        con.execute("SET preserve_insertion_order = false")
        con.execute("ATTACH $path AS serving (READ_ONLY)", {"path": str(db_path)})
        con.execute("USE serving")
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        ptable_id, ckey_mod, pvalues = _load_ptable(con, ptable)
        reference = _load_reference(con)
        band_populations = _load_band_populations(con)
        tables: dict[str, set[str]] = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'serving'"
        ).fetchall():
            tables.setdefault(table, set()).add(column)
        element_bits = _load_element_bits(con, tables)
        areas_inside = _load_areas_inside(con)
        con.execute(sql_text("district_wards.sql"))
        period_ordinals = {
            (kind, period): int(ordinal)
            for kind, period, ordinal in con.execute(
                "SELECT period_kind, period, ordinal FROM periods"
            ).fetchall()
        }
    except duckdb.Error as exc:
        con.close()
        raise DatabaseError(f"{db_path} is not a readable serving database: {exc}") from exc
    except DatabaseError:
        con.close()
        raise
    cache = None
    if cache_dir is not None:
        import diskcache

        cache = diskcache.Cache(str(cache_dir), size_limit=512 * 1024 * 1024)
    return Database(
        path=db_path,
        meta={str(k): str(v) for k, v in meta.items()},
        reference=reference,
        ptable_id=ptable_id,
        threshold=int(threshold),
        # Builds before the ptable was recorded in meta used the ONS 10-5 table.
        ptable_name=(
            f"ptable file {ptable.name}" if ptable else meta.get("ptable", "ONS 10-5 ptable")
        ),
        _con=con,
        cache=cache,
        element_bits=element_bits,
        period_ordinals=period_ordinals,
        pvalues=pvalues,
        # A table of an older build's shape is not read (its query would fail).
        presummed=tables.get("person_periods", set()) >= set(PRESUMMED_COLUMNS),
        provision_cells=tables.get("provision_cells", set()) >= set(PROVISION_CELL_COLUMNS),
        provision_spans="provision_spans" in tables,
        element_periods="element_periods" in tables,
        element_spans="element_spans" in tables,
        band_populations=band_populations,
        areas_inside=areas_inside,
    )
