"""The query benchmark's two peers: the TRUE values of the cells a view shows, computed from
the person-level facts of the build's workspace as a competent analyst would.

- PolarsPeer: the facts held in memory, one frame per period kind sorted by period (a period
  or a range is a slice), text categorical, a region column per region set; one lazy filter +
  group_by per lookup.
- SqlPeer: plain DuckDB SQL over the workspace file (facts sorted by period kind and period,
  so the period filter prunes row groups); one GROUP BY with COUNT(DISTINCT) per lookup.

A lookup the view reads at once can be several computations for a peer (`peer_parts`): the
city's cell apart from the areas' (area_compare), one per what kind (elements beside their
theme), and a breakdown's "all" apart from its members (a profile and its own total): people
are distinct counts, so a total is never the sum of its parts.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from queries.catalogue import ALL, LEVELS, PERIOD_KINDS, RANGE_SEPARATOR, WHAT_KINDS, what_kind
from queries.cells import Lookup
from queries.database import Database

#: The facts column of each fixed level's areas (city: every row; region: a column per set).
LEVEL_COLUMN = {
    "ward": "ward_code",
    "district": "district",
    "sector": "sector",
    "h3r7": "h3r7",
    "h3r8": "h3r8",
}
#: Lookup field -> facts column of the non-what breakdowns.
BREAKDOWN_FIELDS = {
    "age_bands": "age_band",
    "client_groups": "client_group",
    "genders": "gender",
    "ethnic_groups": "ethnic_group",
}
FACT_COLUMNS = (
    "period",
    "person_idx",
    "agreement_idx",
    "started",
    "cost_in_period",
    "over_6_weeks",
    "cost_beyond_42",
    "element_code",
    "service_code",
    "mia_theme",
    "provision_type",
    "age_band",
    "client_group",
    "gender",
    "ethnic_group",
    "ward_code",
    "district",
    "sector",
    "h3r7",
    "h3r8",
)
MEASURES = ("people", "agreements_active", "agreements_started", "cost")
ENABLEMENT_MEASURES = (*MEASURES, "people_over_6w", "cost_beyond_42")


def measures_of(view: str) -> tuple[str, ...]:
    return ENABLEMENT_MEASURES if view == "enablement" else MEASURES


def region_maps(db: Database) -> dict[str, tuple[str, dict[str, str]]]:
    """Region set -> (member level, member code -> region code), from the served file."""
    out: dict[str, tuple[str, dict[str, str]]] = {}
    rows = db.query(
        "SELECT area_code, member_level, member_code FROM region_members ORDER BY ALL"
    ).itertuples(index=False)
    for area_code, member_level, member_code in rows:
        set_id = area_code.split("/", 1)[0]
        level, mapping = out.setdefault(set_id, (member_level, {}))
        if level != member_level:
            raise SystemExit(f"region set {set_id} mixes member levels: the peers assume one")
        mapping[member_code] = area_code
    return out


def _region_set(lookup: Lookup) -> str:
    return lookup.areas[0].split("/", 1)[0]


def what_columns(lookup: Lookup) -> tuple[str, tuple[str, ...], list[tuple[str, ...]]]:
    """(kind, attribute columns, each member's attribute values); one kind per lookup."""
    kinds = {what_kind(w) for w in lookup.whats}
    if len(kinds) != 1:
        raise ValueError(f"a lookup mixes what kinds: {lookup.whats}")
    kind = kinds.pop()
    return kind, WHAT_KINDS[kind], [tuple(w.split(":")[1:]) for w in lookup.whats]


def no_cells(lookup: Lookup) -> bool:
    """A lookup of no cell (e.g. the elements of a theme part that has none)."""
    lists = [lookup.periods, lookup.whats, *(getattr(lookup, n) for n in BREAKDOWN_FIELDS)]
    return lookup.areas == () or any(len(members) == 0 for members in lists)


def peer_parts(lookup: Lookup) -> list[Lookup]:
    """The lookup as a peer computes it: the city's cell apart from the areas' (another
    level), one part per what kind (each kind filters its own columns), and a breakdown
    listing "all" beside its members split into the "all" cells and the members' cells."""
    if lookup.city and lookup.areas is not None:
        *areas, city = lookup.areas
        return [
            *peer_parts(replace(lookup, areas=tuple(areas), city=False)),
            *peer_parts(replace(lookup, level="city", areas=(city,), city=False)),
        ]
    kinds = dict.fromkeys(what_kind(w) for w in lookup.whats)
    if len(kinds) > 1:
        return [
            part
            for kind in kinds
            for part in peer_parts(
                replace(lookup, whats=tuple(w for w in lookup.whats if what_kind(w) == kind))
            )
        ]
    for name in BREAKDOWN_FIELDS:
        members = getattr(lookup, name)
        if ALL in members and len(members) > 1:
            rest = tuple(m for m in members if m != ALL)
            return [
                *peer_parts(replace(lookup, **{name: (ALL,)})),
                *peer_parts(replace(lookup, **{name: rest})),
            ]
    return [lookup]


class PolarsPeer:
    """Facts in memory, one frame per period kind sorted by period: a range is a slice."""

    def __init__(self, workspace: Path, db: Database) -> None:
        import polars as pl

        self.pl = pl
        self.ref = db.reference
        self.regions = region_maps(db)
        self.frames = {}
        self.spans: dict[tuple[str, str], tuple[int, int]] = {}
        self.all_areas = {level: set(self.ref.areas.get(level, {})) for level in LEVELS}
        columns = ", ".join(FACT_COLUMNS)
        with duckdb.connect(str(workspace), read_only=True) as con:
            for kind in PERIOD_KINDS:
                labels = self.ref.periods.get(kind, ())
                table = con.sql(
                    f"SELECT {columns} FROM facts WHERE period_kind = '{kind}' ORDER BY period"
                ).to_arrow_table()
                frame = pl.from_arrow(table).with_columns(pl.col("period").cast(pl.Categorical))
                for set_id, (member_level, mapping) in self.regions.items():
                    source = LEVEL_COLUMN[member_level]
                    frame = frame.with_columns(
                        pl.col(source)
                        .cast(pl.String)
                        .replace_strict(mapping, default=None, return_dtype=pl.String)
                        .cast(pl.Categorical)
                        .alias(f"region_{set_id}")
                    )
                self.frames[kind] = frame.rechunk()
                counts = dict(
                    frame.group_by("period")
                    .len()
                    .select(pl.col("period").cast(pl.String), "len")
                    .iter_rows()
                )
                offset = 0
                for label in labels:  # labels sort as periods do: the frame's order
                    n = counts.get(label, 0)
                    self.spans[(kind, label)] = (offset, offset + n)
                    offset += n
                if offset != frame.height:
                    raise SystemExit(f"{kind} facts hold periods the served file lacks")

    def memory_mb(self) -> float:
        return sum(f.estimated_size() for f in self.frames.values()) / 1e6

    def rows(self) -> int:
        return sum(f.height for f in self.frames.values())

    def _span(self, kind: str, member: str) -> tuple[int, int]:
        first, _, last = member.partition(RANGE_SEPARATOR)
        return self.spans[(kind, first)][0], self.spans[(kind, last or first)][1]

    def compute(self, lookup: Lookup, measures: tuple[str, ...]):
        pl = self.pl
        if no_cells(lookup):
            return pl.DataFrame(), []
        kind, periods = lookup.period_kind, lookup.periods
        by_period = len(periods) > 1
        if by_period:  # single periods, in order: one slice, grouped by period
            labels = self.ref.periods[kind]
            if any(RANGE_SEPARATOR in p for p in periods) or list(periods) != list(
                labels[labels.index(periods[0]) : labels.index(periods[-1]) + 1]
            ):
                raise ValueError(f"periods are not a run of single periods: {periods}")
            lo, hi = self.spans[(kind, periods[0])][0], self.spans[(kind, periods[-1])][1]
        else:
            lo, hi = self._span(kind, periods[0])
        frame = self.frames[kind].slice(lo, hi - lo).lazy()
        conditions, keys = [], []
        if lookup.level != "city":
            column = (
                f"region_{_region_set(lookup)}"
                if lookup.level == "region"
                else LEVEL_COLUMN[lookup.level]
            )
            if lookup.areas is not None and set(lookup.areas) != self.all_areas[lookup.level]:
                conditions.append(pl.col(column).is_in(list(lookup.areas)))
            else:
                conditions.append(pl.col(column).is_not_null())
            keys.append(column)
        if by_period:
            keys.append("period")
        _kind, attributes, values = what_columns(lookup)
        for i, attribute in enumerate(attributes):
            chosen = sorted({v[i] for v in values})
            if len(lookup.whats) == 1:
                conditions.append(pl.col(attribute) == chosen[0])
            else:
                conditions.append(pl.col(attribute).is_in(chosen))
                keys.append(attribute)
        for name, column in BREAKDOWN_FIELDS.items():
            members = getattr(lookup, name)
            if len(members) > 1:
                conditions.append(pl.col(column).is_in([m for m in members if m != ALL]))
                keys.append(column)
            elif members[0] != ALL:
                conditions.append(pl.col(column) == members[0])
        aggregations = {
            "people": pl.col("person_idx").n_unique(),
            "agreements_active": pl.col("agreement_idx").n_unique(),
            "agreements_started": pl.col("agreement_idx").filter(pl.col("started")).n_unique(),
            "cost": pl.col("cost_in_period").sum(),
            "people_over_6w": pl.col("person_idx").filter(pl.col("over_6_weeks")).n_unique(),
            "cost_beyond_42": pl.col("cost_beyond_42").sum(),
        }
        aggs = [aggregations[m].alias(m) for m in measures]
        if conditions:
            frame = frame.filter(*conditions)
        out = frame.group_by(keys).agg(aggs) if keys else frame.select(aggs)
        return out.collect(), keys

    def answer(self, result: Any) -> tuple[list[dict], list[str]]:
        """The peer's rows and their keys (outside the timing: for the check only)."""
        frame, keys = result
        return frame.to_dicts(), keys


class SqlPeer:
    """Plain DuckDB SQL over the workspace file: one GROUP BY with COUNT(DISTINCT)."""

    def __init__(self, workspace: Path, db: Database) -> None:
        self.ref = db.reference
        self.con = duckdb.connect(str(workspace), read_only=True)
        self.regions = region_maps(db)
        self.con.execute(
            "CREATE TEMP TABLE region_members "
            "(set_id VARCHAR, member_level VARCHAR, member_code VARCHAR, area_code VARCHAR)"
        )
        self.con.executemany(
            "INSERT INTO region_members VALUES (?, ?, ?, ?)",
            [
                (set_id, level, code, area)
                for set_id, (level, mapping) in self.regions.items()
                for code, area in mapping.items()
            ],
        )
        self.all_areas = {level: set(self.ref.areas.get(level, {})) for level in LEVELS}

    def compute(self, lookup: Lookup, measures: tuple[str, ...]):
        if no_cells(lookup):
            return pd.DataFrame(), []
        kind, periods = lookup.period_kind, lookup.periods
        params: dict[str, object] = {"kind": kind}
        where = ["f.period_kind = $kind"]
        keys: list[str] = []
        select: list[str] = []
        join = ""
        first = periods[0].partition(RANGE_SEPARATOR)[0]
        last = periods[-1].partition(RANGE_SEPARATOR)[2] or periods[-1]
        # Labels of a kind sort as their periods do (2011, 2011/12, 2011-Q1).
        if first == last:
            where.append("f.period = $first")
            params["first"] = first
        else:
            where.append("f.period BETWEEN $first AND $last")
            params.update(first=first, last=last)
        if len(periods) > 1:
            keys.append("f.period")
            select.append("f.period AS period")
        if lookup.level == "region":
            set_id = _region_set(lookup)
            level, _mapping = self.regions[set_id]
            join = (
                "JOIN region_members AS r ON r.set_id = $set_id "
                f"AND r.member_code = CAST(f.{LEVEL_COLUMN[level]} AS VARCHAR)"
            )
            params["set_id"] = set_id
            column = "r.area_code"
        elif lookup.level != "city":
            column = f"f.{LEVEL_COLUMN[lookup.level]}"
        if lookup.level != "city":
            if lookup.areas is not None and set(lookup.areas) != self.all_areas[lookup.level]:
                where.append(f"{column} IN (SELECT unnest($areas))")
                params["areas"] = list(lookup.areas)
            else:
                where.append(f"{column} IS NOT NULL")
            keys.append(column)
            select.append(f"{column} AS area_code")
        _kind, attributes, values = what_columns(lookup)
        for i, attribute in enumerate(attributes):
            chosen = sorted({v[i] for v in values})
            if len(lookup.whats) == 1:
                where.append(f"f.{attribute} = $w{i}")
                params[f"w{i}"] = chosen[0]
            else:
                where.append(f"f.{attribute} IN (SELECT unnest($w{i}))")
                params[f"w{i}"] = chosen
                keys.append(f"f.{attribute}")
                select.append(f"f.{attribute} AS {attribute}")
        for name, column in BREAKDOWN_FIELDS.items():
            members = getattr(lookup, name)
            if len(members) > 1:
                where.append(f"f.{column} IN (SELECT unnest(${column}))")
                params[column] = [m for m in members if m != ALL]
                keys.append(f"f.{column}")
                select.append(f"f.{column} AS {column}")
            elif members[0] != ALL:
                where.append(f"f.{column} = ${column}")
                params[column] = members[0]
        aggregations = {
            "people": "count(DISTINCT f.person_idx)",
            "agreements_active": "count(DISTINCT f.agreement_idx)",
            "agreements_started": "count(DISTINCT f.agreement_idx) FILTER (WHERE f.started)",
            "cost": "sum(f.cost_in_period)",
            "people_over_6w": "count(DISTINCT f.person_idx) FILTER (WHERE f.over_6_weeks)",
            "cost_beyond_42": "sum(f.cost_beyond_42)",
        }
        select += [f"{aggregations[m]} AS {m}" for m in measures]
        sql = f"SELECT {', '.join(select)} FROM facts AS f {join} WHERE {' AND '.join(where)}"
        if keys:
            sql += f" GROUP BY {', '.join(keys)}"
        frame = self.con.execute(sql, params).df()
        names = [k.split(".")[1] if k != "r.area_code" else "area_code" for k in keys]
        return frame, names

    def answer(self, result: Any) -> tuple[list[dict], list[str]]:
        """The peer's rows and their keys, areas under area_code (for the check only)."""
        frame, keys = result
        keys = ["area_code" if k in LEVEL_COLUMN.values() else k for k in keys]
        frame = frame.rename(columns={c: "area_code" for c in LEVEL_COLUMN.values()})
        return frame.to_dict(orient="records"), keys
