"""``build_serving_database``: one raw extract in, one read-only serving DuckDB file out.

The steps are the numbered files in ``ingest/sql``, run in order in a working database; the
serving database is attached beside it and receives only what PRIVACY.md §1 allows. Python
here only reads the inputs, sets the session variables the SQL uses, writes the quarantine
file and the meta table, and publishes the result atomically (:mod:`ingest.workspace`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb
from tqdm import tqdm

from boundaries.regions import check_region_sets, load_region_sets, region_tables
from care_atlas import __version__
from care_atlas.config import Settings, load_settings
from care_atlas.errors import UserError
from care_atlas.ptables import noise_summary
from ingest.audit_gate import audit_before_publishing
from ingest.cells import PLACEHOLDER, cell_slices, register_catalogue, run_cells_step
from ingest.extract import load_extract, sql_string
from ingest.inputs import load_catalogue, load_ptable, register_geography, register_reference
from ingest.keys import DEMO_KEY, hmac_pads, key_id
from ingest.mapping import load_mapping
from ingest.reasons import EARLIEST_START, MAX_AGE_YEARS, MAX_WEEKLY_COST
from ingest.workspace import (
    publish,
    quarantine_path,
    workspace,
    workspace_path,
    write_quarantine,
)
from queries.catalogue import VERSION as CATALOGUE_VERSION

__all__ = ["DEMO_KEY", "BuildSummary", "build_serving_database", "sql_steps"]

#: Keeps a 10M-row build under 4 GB; DuckDB spills to the work folder beyond it.
MEMORY_LIMIT = "2500MB"
H3_RESOLUTIONS = "7,8"


@dataclass
class BuildSummary:
    """What a build did: the counts the equation rows_read = loaded + quarantined is made of."""

    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    quarantine: dict[str, int]
    repairs: dict[str, int]
    out: Path
    quarantine_path: Path
    seconds: float
    data_date: dt.date | None = None
    meta: dict[str, str] = field(default_factory=dict)
    #: Seconds per step, in the order they ran ("read", the SQL file names, "quarantine file",
    #: ...): where a slow build spends its time.
    step_seconds: dict[str, float] = field(default_factory=dict)
    #: "<level> <period kind>" -> (cells, cells whose people count is published)
    cells: dict[str, tuple[int, int]] = field(default_factory=dict)
    served_bytes: int = 0
    workspace_bytes: int = 0
    #: The build's audit in one line ("" when it did not run); its report is ingest.audit_gate.audit_path(out).
    audit: str = ""


def sql_steps() -> list[tuple[str, str]]:
    """(file name, SQL) of every step, in the order they run."""
    folder = resources.files("ingest").joinpath("sql")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(name, folder.joinpath(name).read_text(encoding="utf-8")) for name in names]


def code_version() -> str:
    """The package version plus a digest of the build's own code and SQL."""
    digest = hashlib.sha256()
    root = resources.files("ingest")
    for name in sorted(p.name for p in root.iterdir() if p.name.endswith(".py")):
        digest.update(root.joinpath(name).read_bytes())
    for name, text in sql_steps():
        digest.update(name.encode() + text.encode())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(4 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(extract: Path) -> dict:
    """The generator's manifest beside a synthetic extract, or {} (real extracts have none)."""
    path = extract.with_name(extract.name + ".manifest.json")
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def _manifest_data_date(manifest: dict) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(manifest["data_date"]))
    except (KeyError, ValueError):
        return None


def _set_variables(
    con: duckdb.DuckDBPyConnection, key: bytes, as_of: dt.date | None, today: dt.date
) -> None:
    from boundaries.postcodes import POSTCODE_PATTERN

    ipad, opad = hmac_pads(key)
    values: dict[str, object] = {
        "hmac_ipad": ipad,
        "hmac_opad": opad,
        "build_date": today,
        "earliest_start": EARLIEST_START,
        "max_weekly_cost": float(MAX_WEEKLY_COST),
        "max_age_years": int(MAX_AGE_YEARS),
        "postcode_pattern": POSTCODE_PATTERN.pattern,
    }
    for name, value in values.items():
        con.execute(f"SET VARIABLE {name} = $value", {"value": value})
    if as_of is None:
        con.execute("SET VARIABLE as_of = NULL::DATE")
    else:
        con.execute("SET VARIABLE as_of = $value::DATE", {"value": as_of})


class _StepClock:
    """Times the build's steps one after another and moves the progress bar along."""

    def __init__(self, timings: dict[str, float], bar: tqdm) -> None:
        self._timings = timings
        self._bar = bar
        self._name: str | None = None
        self._since = 0.0

    def start(self, name: str) -> None:
        self.stop()
        self._name, self._since = name, time.monotonic()
        self._bar.set_postfix_str(name)

    def stop(self) -> None:
        if self._name is not None:
            self._timings[self._name] = time.monotonic() - self._since
            self._bar.update()
            self._name = None


def _register_regions(con: duckdb.DuckDBPyConnection, sets: tuple, path: Path | None) -> None:
    """Check the council's region sets against the areas, then add the regions to the areas
    and their population (summed from whole members) and register their members."""
    from boundaries.regions import default_regions_file

    areas = con.execute("SELECT * FROM ref_areas").df()
    population = con.execute("SELECT * FROM ref_area_population").df()
    check_region_sets(sets, areas, Path(path) if path else default_regions_file())
    tables = region_tables(sets, areas, population)
    for name, frame in tables.items():
        con.register("_frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE ref_{name} AS SELECT * FROM _frame")
        con.unregister("_frame")
    con.execute("INSERT INTO ref_areas BY NAME SELECT * FROM ref_region_areas")
    con.execute("INSERT INTO ref_area_population BY NAME SELECT * FROM ref_region_population")


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], dict[str, int]]:
    quarantine: dict[str, int] = {}
    repairs: dict[str, int] = {}
    for code, action, n in con.execute(
        "SELECT code, action, n FROM reason_counts ORDER BY ordinal"
    ).fetchall():
        (quarantine if action == "quarantine" else repairs)[code] = int(n)
    return quarantine, repairs


def build_serving_database(
    extract: Path,
    out: Path,
    *,
    key: bytes,
    key_is_demo: bool = False,
    mapping: Path | None = None,
    catalogue: Path | None = None,
    as_of: dt.date | None = None,
    settings: Settings | None = None,
    progress: bool = True,
    synthetic: bool = False,
    ptable: Path | None = None,
    regions: Path | None = None,
    audit: bool = False,
) -> BuildSummary:
    """Build ``out`` from ``extract``; the previous ``out`` is replaced only on success.

    Raises UserError for anything wrong with the inputs (the extract, mapping, catalogue,
    ptable or geography), before any output is touched. With ``audit`` (the CLI's default) a
    sampled `care-atlas audit` attacks the new files before they are published and its report
    is written beside the output; a catalogue of real data from which it recovers a small
    count is not published at all (UserError). Synthetic data describes nobody, so its build
    is published with the finding in the summary and the report.
    """
    started = time.monotonic()
    extract, out = Path(extract), Path(out)
    settings = settings or load_settings()
    if out.resolve() == extract.resolve():
        raise UserError(f"--out {out} is the extract itself; choose another file")
    column_map = load_mapping(mapping)
    catalogue_frame = load_catalogue(catalogue)
    ptable_frame, ptable_name = load_ptable(ptable)
    region_sets = load_region_sets(regions)
    manifest = read_manifest(extract)
    data_date_source = "--as-of"
    if as_of is None and (as_of := _manifest_data_date(manifest)) is not None:
        data_date_source = "manifest"
    elif as_of is None:
        data_date_source = "latest date in the extract"
    is_synthetic = synthetic or manifest.get("synthetic") is True
    today = dt.date.today()

    steps = sql_steps()
    timings: dict[str, float] = {}
    total = len(steps) + 5 + len(cell_slices()) + int(audit)
    bar = tqdm(total=total, desc="build", unit="step", disable=not progress, leave=False)
    try:
        with workspace(out) as work:
            con = duckdb.connect(str(work / "work.duckdb"))
            try:
                con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
                con.execute(f"SET temp_directory = {sql_string(str(work / 'spill'))}")
                con.execute("SET preserve_insertion_order = true")
                con.execute("SET enable_progress_bar = false")
                clock = _StepClock(timings, bar)
                clock.start("read extract")
                rows_read = load_extract(con, extract, column_map, work)
                # Row numbers are raw_rows' rowids, fixed now; every later order that matters
                # is an ORDER BY or a window's, so DuckDB may write in whatever order is fastest.
                con.execute("SET preserve_insertion_order = false")
                clock.start("reference and geography")
                register_reference(con, catalogue_frame, ptable_frame)
                register_geography(con, settings)
                _register_regions(con, region_sets, regions)
                register_catalogue(con)
                _set_variables(con, key, as_of, today)
                built = work / "serving.duckdb"
                workspace_built = work / "workspace.duckdb"
                # Small row groups: a view reads a few hundred cells, and DuckDB skips row groups
                # by their min/max, so 16k-row groups read about 8x less than the default 122k
                # (a 69-ward lookup 13.7 -> 3.1 ms at 215k, bench/README.md).
                con.execute(f"ATTACH {sql_string(str(built))} AS serving (ROW_GROUP_SIZE 16384)")
                con.execute(f"ATTACH {sql_string(str(workspace_built))} AS workspace")
                for name, sql in steps:
                    clock.start(name)
                    if PLACEHOLDER in sql:
                        run_cells_step(
                            con,
                            sql,
                            lambda level, kind, step=name: clock.start(f"{step} {level} {kind}"),
                        )
                    else:
                        con.execute(sql)
                clock.start("quarantine file")
                quarantine_built = work / "quarantine.csv"
                write_quarantine(con, "SELECT * FROM quarantine_rows", quarantine_built)
                clock.start("meta")
                quarantine, repairs = _counts(con)
                rows_loaded = con.execute("SELECT count(*) FROM loaded").fetchall()[0][0]
                rows_quarantined = sum(quarantine.values())
                if rows_loaded + rows_quarantined != rows_read:  # a bug, never a data problem
                    raise RuntimeError(
                        f"rows read {rows_read} != loaded {rows_loaded} + quarantined "
                        f"{rows_quarantined}"
                    )
                data_date = con.execute("SELECT data_date FROM build_dates").fetchall()[0][0]
                # Exact row counts: in the workspace's meta only (see 095).
                row_counts = {
                    "rows_read": str(rows_read),
                    "rows_loaded": str(rows_loaded),
                    "rows_quarantined": str(rows_quarantined),
                    "rows_repaired": str(
                        con.execute(
                            "SELECT count(*) FROM classified WHERE quarantine_reason IS NULL "
                            "AND (dob_flag IS NOT NULL OR cost_missing OR end_after_data_date "
                            "OR gender_unrecognised OR ethnicity_unrecognised "
                            "OR service_mismatch OR client_group_unrecognised)"
                        ).fetchall()[0][0]
                    ),
                }
                meta = {
                    "build_id": uuid.uuid4().hex,
                    "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "build_date": today.isoformat(),
                    "data_date": data_date.isoformat(),
                    "data_date_source": data_date_source,
                    "source_file": extract.name,
                    "source_sha256": file_sha256(extract),
                    "key_id": key_id(key),
                    "key_is_demo": "true" if key_is_demo else "false",
                    "code_version": code_version(),
                    "synthetic": "true" if is_synthetic else "false",
                    "h3_resolutions": H3_RESOLUTIONS,
                    "ptable": ptable_name,
                    "mapping": Path(column_map.source).name,
                    "catalogue_version": CATALOGUE_VERSION,
                    "ptable_D": str(noise_summary(ptable_frame)[0]),
                    "ptable_V": str(noise_summary(ptable_frame)[1]),
                    "role": "served",
                }
                con.execute("CREATE TABLE serving.meta (key VARCHAR, value VARCHAR)")
                con.executemany("INSERT INTO serving.meta VALUES (?, ?)", list(meta.items()))
                cells = {
                    f"{level} {kind}": (int(n), int(published))
                    for level, kind, n, published in con.execute(
                        "SELECT level, period_kind, count(*), count(people) FROM serving.cells "
                        "GROUP BY ALL ORDER BY ALL"
                    ).fetchall()
                }
                con.execute("CREATE TABLE workspace.meta (key VARCHAR, value VARCHAR)")
                con.executemany(
                    "INSERT INTO workspace.meta VALUES (?, ?)",
                    [
                        (k, "workspace" if k == "role" else v)
                        for k, v in {**meta, **row_counts}.items()
                    ],
                )
                con.execute("DETACH serving")
                con.execute("DETACH workspace")
                clock.stop()
            except (duckdb.Error, RuntimeError) as exc:
                # Ctrl-C or SIGTERM inside DuckDB surfaces as "Query interrupted", or, when it
                # lands while DuckDB runs Python (reading a registered frame), as a duckdb.Error
                # carrying the KeyboardInterrupt's traceback; report it as the interruption it
                # is (the CLI exits 130), not as a failure.
                if (
                    isinstance(exc, duckdb.InterruptException)
                    or "interrupted" in str(exc)
                    or "KeyboardInterrupt" in str(exc)
                ):
                    raise KeyboardInterrupt from exc
                raise
            finally:
                con.close()
            audit_line = ""
            if audit:
                clock.start("audit (sampled)")
                audit_line = audit_before_publishing(
                    built, workspace_built, out, ptable, block=not is_synthetic
                )
            clock.start("publish")
            publish(built, out, quarantine_built, workspace_built)
            clock.stop()
    finally:
        bar.close()
    return BuildSummary(
        rows_read=rows_read,
        rows_loaded=int(rows_loaded),
        rows_quarantined=rows_quarantined,
        quarantine=quarantine,
        repairs=repairs,
        out=out,
        quarantine_path=quarantine_path(out),
        seconds=time.monotonic() - started,
        data_date=data_date,
        meta=meta,
        step_seconds=timings,
        cells=cells,
        served_bytes=out.stat().st_size,
        audit=audit_line,
        workspace_bytes=workspace_path(out).stat().st_size,
    )
