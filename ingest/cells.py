"""The catalogue's cells, counted: step 115 run once per level and period kind.

The one place where the publication catalogue (queries/catalogue.py) becomes SQL: each
level's breakdown sets are rendered as a GROUPING SETS list for ``115_cells_truth.sql``,
which then runs a level and a period kind at a time so memory stays bounded by the largest
such slice, not the whole catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
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

#: Columns in every set: the cell's area and period, and the person (counted once per cell).
_BASE = ("area_code", "period", "person_idx")
#: The attributes GROUPING() reads in 115, in its bit order.
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
#: The marker that makes a SQL step a per-level cells step.
PLACEHOLDER = "${grouping_sets}"


def _columns(cross: CrossSet) -> tuple[str, ...]:
    out = list(_BASE) + list(WHAT_KINDS[cross.what_kind])
    if cross.age_band:
        out.append("age_band")
    if cross.client_group:
        out.append("client_group")
    if cross.demographic:
        out.append(cross.demographic)
    return tuple(out)


def grouping_sets_sql(level: str, period_kind: str) -> str:
    """The slice's GROUPING SETS list, ending with the finest set (see 115's comment)."""
    sets = [_columns(cross) for cross in cross_sets(level, period_kind)]
    sets.append(_BASE + _ATTRIBUTES)
    return ",\n        ".join("(" + ", ".join(cols) + ")" for cols in sets)


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


def run_cells_step(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    on_slice: Callable[[str, str], None] | None = None,
) -> None:
    """Run a per-level cells step over every slice of the catalogue."""
    template = Template(sql)
    for level, kind in cell_slices():
        if on_slice is not None:
            on_slice(level, kind)
        con.execute("SET VARIABLE cell_level = $v", {"v": level})
        con.execute("SET VARIABLE cell_period_kind = $v", {"v": kind})
        con.execute(template.substitute(grouping_sets=grouping_sets_sql(level, kind)))
