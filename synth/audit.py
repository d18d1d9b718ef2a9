"""Audit an extract independently of the generator: derive every row's reasons from its text.

The generator counts what it plants; this module re-derives the same counts from the written
file with DuckDB, following ``ingest/reasons.py`` (first quarantine reason in order; repairs
only on loaded rows), so a test can hold the manifest to what a correct build would report.
It also exposes the loaded rows as the view ``loaded`` for measuring the shapes of §6.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb

from boundaries.sources import read_postcodes
from care_atlas.config import Settings, load_settings
from care_atlas.reference import load_element_catalogue
from care_atlas.vocab import CLIENT_GROUPS, ETHNICITIES, GENDERS
from ingest.reasons import EARLIEST_START, MAX_AGE_YEARS, MAX_WEEKLY_COST, REPAIR_CODES
from synth.model import DATA_DATE

DOB_FLAGS = (
    "DOB_MISSING",
    "DOB_UNPARSEABLE",
    "DOB_IN_FUTURE",
    "DOB_AFTER_START",
    "DOB_IMPLAUSIBLE",
)


def sql_text(name: str) -> str:
    return resources.files("synth").joinpath("sql", name).read_text(encoding="utf-8")


def open_audit(extract: Path, settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the tables ``audited`` (every row) and view ``loaded``."""
    settings = settings or load_settings()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    path = str(extract)
    if extract.suffix.lower() == ".parquet":
        con.execute(
            "CREATE TEMP TABLE raw AS SELECT * EXCLUDE (file_row_number), "
            "file_row_number AS row_no FROM read_parquet(?, file_row_number = true)",
            [path],
        )
    else:
        con.execute("SET preserve_insertion_order = true")
        con.execute(
            "CREATE TEMP TABLE raw AS SELECT *, row_number() OVER () AS row_no "
            "FROM read_csv(?, all_varchar = true, header = true)",
            [path],
        )
    units = read_postcodes(settings)
    units = units.assign(
        non_geographic=(units["shared_multi_sector"].astype(int) == 1)
        | (units["district"] == "B99")
    )[["postcode", "district", "non_geographic"]]
    con.register("units_frame", units)
    con.execute("CREATE TEMP TABLE city_postcodes AS SELECT * FROM units_frame")
    con.register("catalogue_frame", load_element_catalogue())
    con.execute("CREATE TEMP TABLE catalogue AS SELECT * FROM catalogue_frame")
    con.execute("CREATE TEMP TABLE genders AS SELECT unnest(?) AS value", [list(GENDERS)])
    con.execute("CREATE TEMP TABLE ethnicities AS SELECT unnest(?) AS value", [list(ETHNICITIES)])
    con.execute(
        "CREATE TEMP TABLE client_groups AS SELECT unnest(?) AS value", [list(CLIENT_GROUPS)]
    )
    # DDL cannot take prepared parameters; these are our own constants, inlined as literals.
    literals = {
        "$data_date": f"'{DATA_DATE}'",
        "$earliest_start": f"'{EARLIEST_START}'",
        "$max_cost": repr(float(MAX_WEEKLY_COST)),
        "$max_age": str(int(MAX_AGE_YEARS)),
    }
    script = sql_text("audit.sql")
    for name, literal in literals.items():
        script = script.replace(name, literal)
    con.execute(script)
    return con


def reason_counts(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], dict[str, int]]:
    """Rows per quarantine reason, and rows per repair reason among loaded rows."""
    quarantine = dict(
        con.execute(
            "SELECT quarantine_reason, count(*) FROM audited "
            "WHERE quarantine_reason IS NOT NULL GROUP BY 1"
        ).fetchall()
    )
    flags = con.execute(
        """
        SELECT
            count(*) FILTER (cost_missing),
            count(*) FILTER (end_after_data_date),
            count(*) FILTER (gender_unrecognised),
            count(*) FILTER (ethnicity_unrecognised),
            count(*) FILTER (service_mismatch),
            count(*) FILTER (client_group_unrecognised)
        FROM audited WHERE quarantine_reason IS NULL
        """
    ).fetchone()
    repair = dict.fromkeys(REPAIR_CODES, 0)
    for code, n in zip(
        (
            "COST_MISSING",
            "END_AFTER_DATA_DATE",
            "GENDER_UNRECOGNISED",
            "ETHNICITY_UNRECOGNISED",
            "SERVICE_MISMATCH",
            "CLIENT_GROUP_UNRECOGNISED",
        ),
        flags,
        strict=True,
    ):
        repair[code] = int(n)
    for code, n in con.execute(
        "SELECT dob_flag, count(*) FROM audited "
        "WHERE quarantine_reason IS NULL AND dob_flag IS NOT NULL GROUP BY 1"
    ).fetchall():
        repair[code] = int(n)
    return {k: int(v) for k, v in quarantine.items()}, repair
