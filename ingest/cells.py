"""The catalogue's cells, counted: step 115 run once per level and period kind.

The one place where the publication catalogue (queries/catalogue.py) becomes SQL: each
level's breakdown sets are rendered as a UNION ALL of the slice's rows, once per set, for
``115_cells_truth.sql``, which then runs a level and a period kind at a time so memory stays
bounded by the largest such slice, not the whole catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from string import Template

import duckdb
import pandas as pd

from queries.catalogue import (
    COUNT_THRESHOLD,
    DOMINANCE_SHARE,
    LEVEL_RULES,
    PRESET_RANGES,
    RANGE_PERIOD_KINDS,
    WHAT_KINDS,
    CrossSet,
    cross_sets,
)

#: The attributes a cell can break down by, in slice_rows' column order (115).
_ATTRIBUTES = (
    "element_code",
    "service_code",
    "mia_theme",
    "provision_type",
    "age_band",
    "client_group",
    "gender",
    "ethnic_group",
)
#: The person and their summed agreements: carried by every set's rows (115).
_MEASURES = (
    "person_key",
    "active_n",
    "active_keys",
    "started_n",
    "started_keys",
    "cost",
    "over_6w",
    "cost_beyond_42",
)
#: The marker that makes a SQL step a per-level cells step.
PLACEHOLDER = "${set_rows}"
#: At most this many agreement member rows (105) per run of 115: several period members
#: together while they fit; a member with more is counted in parts of its people, each about
#: this size. 115's person grouping holds a run's rows in memory: at 1M agreements a whole year
#: slice (4M rows) ran out of the build's 2.5 GB, and at 10M so did the whole-series member
#: alone (9.85M rows).
CHUNK_ROWS = 1_500_000


@dataclass(frozen=True)
class Chunk:
    """One run of 115's period members, counted in ``parts`` parts of their people."""

    first: int
    last: int
    parts: int = 1


def _columns(cross: CrossSet) -> tuple[str, ...]:
    """The attributes a breakdown set groups by."""
    out = list(WHAT_KINDS[cross.what_kind])
    if cross.age_band:
        out.append("age_band")
    if cross.client_group:
        out.append("client_group")
    if cross.demographic:
        out.append(cross.demographic)
    return tuple(out)


def _single_flag(grouped: tuple[str, ...]) -> str:
    """Which of slice_rows' flags (115) marks a row as its person's whole part of its cell in
    a set: their only row with its element or service in a set that breaks down by it (a
    finer breakdown keeps it alone), else their only row in the area and period."""
    for attribute, flag in (("element_code", "single_element"), ("service_code", "single_service")):
        if attribute in grouped:
            return f"{flag} AS single"
    return "single"


def set_rows_sql(level: str, period_kind: str) -> str:
    """The slice's rows once per breakdown set, as one UNION ALL (see 115's comment): a set's
    own attributes as they are, the others NULL ("all"); a set by MIA theme leaves out the
    rows with no theme, which are no member of it."""
    selects = []
    for cross in cross_sets(level, period_kind):
        grouped = _columns(cross)
        attributes = [a if a in grouped else f"CAST(NULL AS {a}_t) AS {a}" for a in _ATTRIBUTES]
        columns = ", ".join(
            ["area_id", "member", "person_idx", *attributes, *_MEASURES, _single_flag(grouped)]
        )
        where = " WHERE mia_theme IS NOT NULL" if "mia_theme" in grouped else ""
        selects.append(f"SELECT {columns} FROM slice_rows{where}")
    return "\n    UNION ALL\n    ".join(selects)


def cell_slices() -> list[tuple[str, str]]:
    """(level, period kind) of every slice the catalogue publishes, in build order."""
    return [(level, kind) for level, rule in LEVEL_RULES.items() for kind in rule.period_kinds]


def register_catalogue(con: duckdb.DuckDBPyConnection) -> None:
    """The catalogue's period presets and protection rules, for steps 100 and 120."""
    presets = pd.DataFrame(
        [
            (name, label, latest, position)
            for position, (name, (label, latest)) in enumerate(PRESET_RANGES.items())
        ],
        columns=["preset", "label", "latest", "position"],
    )
    presets["latest"] = presets["latest"].astype("Int64")
    kinds = pd.DataFrame({"period_kind": list(RANGE_PERIOD_KINDS)})
    for name, frame in (("catalogue_presets", presets), ("catalogue_range_kinds", kinds)):
        con.register("_frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _frame")
        con.unregister("_frame")
    con.execute("SET VARIABLE count_threshold = $v", {"v": COUNT_THRESHOLD})
    con.execute("SET VARIABLE dominance_share = $v", {"v": DOMINANCE_SHARE})


def member_chunks(con: duckdb.DuckDBPyConnection, period_kind: str) -> list[Chunk]:
    """The runs of 115 for a period kind: members in position order, packed while their rows
    (cell_member_rows, 110) stay under CHUNK_ROWS; a member over it alone, in as many parts
    of its people as keep each part about that size. A cell is of one member, so the chunks'
    cells never overlap; the parts' cells are merged by 115."""
    chunks: list[Chunk] = []
    rows = 0
    for position, n in con.execute(
        "SELECT position, n FROM cell_member_rows WHERE period_kind = $k ORDER BY position",
        {"k": period_kind},
    ).fetchall():
        if chunks and chunks[-1].parts == 1 and rows + n <= CHUNK_ROWS:
            chunks[-1] = Chunk(chunks[-1].first, position)
            rows += n
        else:
            chunks.append(Chunk(position, position, max(1, math.ceil(n / CHUNK_ROWS))))
            rows = n
    return chunks


def run_cells_step(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    on_slice: Callable[[str, str], None] | None = None,
) -> None:
    """Run a per-level cells step over every slice of the catalogue, a chunk of its period
    members and a part of their people at a time (member_chunks) so memory stays bounded as
    the extract grows."""
    template = Template(sql)
    for level, kind in cell_slices():
        if on_slice is not None:
            on_slice(level, kind)
        con.execute("SET VARIABLE cell_level = $v", {"v": level})
        con.execute("SET VARIABLE cell_period_kind = $v", {"v": kind})
        script = template.substitute(set_rows=set_rows_sql(level, kind))
        for chunk in member_chunks(con, kind):
            con.execute("SET VARIABLE cell_member_first = $v", {"v": chunk.first})
            con.execute("SET VARIABLE cell_member_last = $v", {"v": chunk.last})
            con.execute("SET VARIABLE cell_parts = $v", {"v": chunk.parts})
            for part in range(chunk.parts):
                con.execute("SET VARIABLE cell_part = $v", {"v": part})
                con.execute(script)
