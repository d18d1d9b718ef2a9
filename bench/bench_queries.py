"""Benchmark the query layer (published cells) against its floor and two peers.

    .venv/bin/python -m bench.bench_queries --db var/bench/serving-1m.duckdb --states 200

The served file (``--db``) holds the protected cells; its workspace (``<stem>.workspace.duckdb``
beside it, or ``--workspace``) holds the person-level facts the peers compute from and
``cells_truth``, the true values of every cell.

1. States: random requests per view, drawn over the whole parameter space (period kinds,
   single periods, preset and free ranges, every level and region set, one area, drill-down,
   every what kind, breakdowns, measures); a state is kept when it parses and the view
   accepts it (the catalogue publishes every cell it reads). Refusals are counted apart:
   by parse_filters and by the view. ``--states`` kept states per view.
2. Per view: p50 / p95 of ``run_view`` (there is no cache), and of its floor: the view's cell
   lookups (``queries.cells.read``, recorded during one run of the view) run alone, i.e.
   queries/sql/cells.sql executed with the same parameters and fetched as a DataFrame. The
   ratio run_view / floor is what the view costs beyond reading its cells.
3. Peers, computing the TRUE numbers of the same cells (people, agreements active and
   started, cost; for enablement also people beyond 6 weeks and cost beyond day 42):
   (a) polars over the workspace facts held in memory, split by period kind and sorted by
   period, so a period or a range is a slice, with text columns categorical and a region
   column per region set; a lookup is one lazy filter + group_by per period slice;
   (b) plain DuckDB SQL over the workspace file (facts sorted by period kind and period, so
   the period filter prunes row groups): one GROUP BY per lookup with COUNT(DISTINCT).
   A sample of states per view (``--check``) is held cell by cell to ``cells_truth``, so
   both peers provably compute what the cells hold; a mismatch fails the run.
4. Timing is interleaved state by state (state i of every view, each state timed on every
   system in a rotating order) after an untimed warm-up, so a change in the host's speed
   hits all systems alike. The machine, the load and a fixed host-speed probe are printed at
   the start and the end; the tables are markdown (``--json`` also writes the figures).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

import queries.cells as cells_module
from queries import VIEWS, FilterError, open_database, parse_filters, run_view
from queries.catalogue import ALL, LEVELS, PERIOD_KINDS, RANGE_SEPARATOR, WHAT_KINDS, what_kind
from queries.cells import Lookup
from queries.database import Database
from queries.filters import DIMENSIONS, VIEW_MEASURES

#: The facts column of each fixed level's areas (city: every row; region: see _region_column).
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
#: cells_truth column of each measure.
TRUTH_COLUMN = {
    "people": "people_n",
    "agreements_active": "agreements_active_n",
    "agreements_started": "agreements_started_n",
    "cost": "cost_total",
    "people_over_6w": "people_over_6w_n",
    "cost_beyond_42": "cost_beyond_42_total",
}
CELL_KEY = ("area_code", "period", "what", "age_band", "client_group", "gender", "ethnic_group")
SYSTEMS = ("run_view", "floor", "polars", "sql")


def measures_of(view: str) -> tuple[str, ...]:
    return ENABLEMENT_MEASURES if view == "enablement" else MEASURES


# --- random states ------------------------------------------------------------------------


def random_state(rng: random.Random, ref) -> dict[str, str]:
    """A random request over the whole parameter space; many are refused, and counted."""
    kind = rng.choice(PERIOD_KINDS)
    labels = ref.periods[kind]
    presets = [m for m in ref.period_members.get(kind, {}) if RANGE_SEPARATOR in m]
    draw = rng.random()
    if draw < 0.5 or len(labels) < 2:
        first = last = rng.choice(labels)
    elif draw < 0.8 and presets:
        first, last = rng.choice(presets).split(RANGE_SEPARATOR)
    else:
        i = rng.randrange(len(labels) - 1)
        first, last = labels[i], labels[rng.randrange(i + 1, min(len(labels), i + 8))]
    level = rng.choice(LEVELS)
    p = {"period_kind": kind, "from": first, "to": last, "level": level}
    region_set = None
    if level == "region":
        region_set = rng.choice(list(ref.region_sets))
        p["region_set"] = region_set
    areas = list(ref.level_areas(level, region_set))
    if level != "city" and rng.random() < 0.2:
        p["areas"] = rng.choice(areas)
    if level in ("sector", "h3r7", "h3r8") and rng.random() < 0.2:
        p["within"] = rng.choice(list(ref.areas["ward"]) + list(ref.areas["district"]))
    elements = list(ref.elements)
    draw = rng.random()
    if draw < 0.35:
        pass
    elif draw < 0.5:
        p["elements"] = rng.choice(elements)
    elif draw < 0.6:
        p["services"] = rng.choice(ref.services)
    elif draw < 0.75:
        p["themes"] = rng.choice(ref.themes)
    elif draw < 0.85:
        p["themes"], p["provision"] = rng.choice(ref.themes), rng.choice(ref.provision_types)
    else:
        p["provision"] = rng.choice(ref.provision_types)
    for param, chance in (
        ("age_bands", 0.25),
        ("client_groups", 0.2),
        ("genders", 0.1),
        ("ethnic_groups", 0.1),
    ):
        if rng.random() < chance:
            p[param] = rng.choice(getattr(ref, param))
    p["measure"] = rng.choice(VIEW_MEASURES)
    p["top_n"] = str(rng.choice((5, 10, 10, 20, 50)))
    p["element"] = rng.choice(elements)
    p["element_a"], p["element_b"] = rng.sample(elements, 2)
    p["dimension"] = rng.choice(DIMENSIONS)
    return p


@dataclass
class State:
    view: str
    params: dict[str, str]
    filters: object
    lookups: list[Lookup]
    times: dict[str, float] = field(default_factory=dict)


def record_lookups(db: Database, view: str, filters) -> list[Lookup]:
    """Run the view once with queries.cells.read wrapped: the lookups it makes."""
    recorded: list[Lookup] = []
    original = cells_module.read

    def recording(db_: Database, lookup: Lookup):
        recorded.append(lookup)
        return original(db_, lookup)

    cells_module.read = recording
    try:
        run_view(db, view, filters)
    finally:
        cells_module.read = original
    return recorded


def draw_states(
    db: Database, views: list[str], n: int, seed: int
) -> tuple[dict[str, list[State]], dict[str, dict[str, int]]]:
    """n accepted states per view, and the refusals met on the way (by parse / by view)."""
    states: dict[str, list[State]] = {}
    refused: dict[str, dict[str, int]] = {}
    for view in views:
        rng = random.Random(f"{seed}-{view}")
        states[view], refused[view] = [], {"parse": 0, "view": 0, "view_what_member": 0}
        attempts = 0
        while len(states[view]) < n and attempts < 200 * n:
            attempts += 1
            params = random_state(rng, db.reference)
            try:
                f = parse_filters(params, db.reference)
            except FilterError:
                refused[view]["parse"] += 1
                continue
            try:
                lookups = record_lookups(db, view, f)
            except FilterError as exc:
                refused[view]["view"] += 1
                # the view built a member the catalogue cannot parse (a bug, not a refusal
                # the catalogue means): e.g. provision with a theme at this commit
                refused[view]["view_what_member"] += "is not a what member" in exc.message
                continue
            states[view].append(State(view, params, f, lookups))
    return states, refused


# --- the peers ------------------------------------------------------------------------------


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


def _whats(lookup: Lookup) -> tuple[str, tuple[str, ...], list[tuple[str, ...]]]:
    """(kind, attribute columns, each member's attribute values); one kind per lookup."""
    kinds = {what_kind(w) for w in lookup.whats}
    if len(kinds) != 1:
        raise ValueError(f"a lookup mixes what kinds: {lookup.whats}")
    kind = kinds.pop()
    return kind, WHAT_KINDS[kind], [tuple(w.split(":")[1:]) for w in lookup.whats]


def _empty(lookup: Lookup) -> bool:
    """A lookup of no cell (e.g. the elements of a theme part that has none)."""
    lists = [lookup.periods, lookup.whats, *(getattr(lookup, n) for n in BREAKDOWN_FIELDS)]
    return lookup.areas == () or any(len(members) == 0 for members in lists)


def _what_member(kind: str, values: tuple[str, ...]) -> str:
    return ":".join((kind, *values)) if values else ALL


#: At this commit the query layer spells a theme x provision member "theme_provision:T:P"
#: (queries.catalogue.what_member) while the build writes "theme:T:P" (115_cells_truth.sql):
#: such lookups find no cell. The check maps the spelling so the peers are held to the cells
#: the request means; main() counts the states that meet it.
MISSPELT = "theme_provision:"


def built_what(member: str) -> str:
    """A what member as the build writes it."""
    return "theme:" + member[len(MISSPELT) :] if member.startswith(MISSPELT) else member


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
        if _empty(lookup):
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
        _kind, attributes, values = _whats(lookup)
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

    def cells(self, lookup: Lookup, result) -> dict[tuple, dict[str, float]]:
        """The peer's answer keyed as cells (outside the timing: for the check only)."""
        frame, keys = result
        return _keyed(
            lookup,
            frame.to_dicts(),
            keys,
            self.ref.city_code(),
        )


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
        if _empty(lookup):
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
        _kind, attributes, values = _whats(lookup)
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

    def cells(self, lookup: Lookup, result) -> dict[tuple, dict[str, float]]:
        frame, keys = result
        keys = ["area_code" if k in LEVEL_COLUMN.values() else k for k in keys]
        frame = frame.rename(columns={c: "area_code" for c in LEVEL_COLUMN.values()})
        return _keyed(lookup, frame.to_dict(orient="records"), keys, self.ref.city_code())

    def truth(self, lookup: Lookup, measures: tuple[str, ...]) -> dict[tuple, dict[str, float]]:
        """cells_truth for the lookup's cells (rows only where a cell has people)."""
        columns = ", ".join(f"{TRUTH_COLUMN[m]} AS {m}" for m in measures)
        spelling = {built_what(w): w for w in lookup.whats}
        sql = (
            f"SELECT {', '.join(CELL_KEY)}, {columns} FROM cells_truth "
            "WHERE level = $level AND period_kind = $kind AND list_contains($periods, period) "
            "AND list_contains($whats, what) AND list_contains($age_bands, age_band) "
            "AND list_contains($client_groups, client_group) "
            "AND list_contains($genders, gender) AND list_contains($ethnic_groups, ethnic_group) "
            "AND ($areas IS NULL OR list_contains($areas, area_code))"
        )
        rows = self.con.execute(
            sql,
            {
                "level": lookup.level,
                "kind": lookup.period_kind,
                "periods": list(lookup.periods),
                "whats": list(spelling),
                "age_bands": list(lookup.age_bands),
                "client_groups": list(lookup.client_groups),
                "genders": list(lookup.genders),
                "ethnic_groups": list(lookup.ethnic_groups),
                "areas": None if lookup.areas is None else list(lookup.areas),
            },
        ).fetchall()
        return {
            (r[0], r[1], spelling[r[2]], *r[3 : len(CELL_KEY)]): dict(
                zip(measures, r[len(CELL_KEY) :], strict=True)
            )
            for r in rows
        }


def _keyed(
    lookup: Lookup, rows: list[dict], keys: list[str], city: str
) -> dict[tuple, dict[str, float]]:
    """Peer rows (grouped by `keys`) -> cell key -> measures, for cells with people."""
    out: dict[tuple, dict[str, float]] = {}
    if _empty(lookup):
        return out
    kind, attributes, _values = _whats(lookup)
    for row in rows:
        if not row.get("people"):
            continue
        area = city if lookup.level == "city" else str(row[_area_key(keys)])
        period = str(row["period"]) if "period" in keys else lookup.periods[0]
        if len(lookup.whats) > 1:
            what = _what_member(kind, tuple(str(row[a]) for a in attributes))
            if what not in lookup.whats:
                continue
        else:
            what = lookup.whats[0]
        breakdowns = []
        for name, column in BREAKDOWN_FIELDS.items():
            members = getattr(lookup, name)
            breakdowns.append(str(row[column]) if len(members) > 1 else members[0])
        measures = {k: v for k, v in row.items() if k in TRUTH_COLUMN}
        out[(area, period, what, *breakdowns)] = measures
    return out


def _area_key(keys: list[str]) -> str:
    for k in keys:
        if k == "area_code" or k in LEVEL_COLUMN.values() or k.startswith("region_"):
            return k
    raise KeyError("no area key")


def _same(a, b) -> bool:
    a = 0.0 if a is None or a != a else float(a)  # NULL / NaN cost = no known cost = 0
    b = 0.0 if b is None or b != b else float(b)
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def check_peer(name: str, peer, truth_source: SqlPeer, states: list[State]) -> tuple[int, int]:
    """(lookups, cells) checked; SystemExit on the first cell that differs from the truth."""
    n_lookups = n_cells = 0
    for state in states:
        measures = measures_of(state.view)
        for lookup in state.lookups:
            truth = truth_source.truth(lookup, measures)
            got = peer.cells(lookup, peer.compute(lookup, measures))
            n_lookups += 1
            n_cells += len(truth)
            for key in set(truth) | set(got):
                t, g = truth.get(key), got.get(key)
                if t is None or g is None or not all(_same(t[m], g[m]) for m in measures):
                    raise SystemExit(
                        f"{name} differs from cells_truth in {state.view} {state.params} "
                        f"cell {key}: truth {t}, {name} {g}"
                    )
    return n_lookups, n_cells


# --- the machine ----------------------------------------------------------------------------


def machine() -> dict[str, object]:
    """CPU model, cores, RAM, versions and load: timings mean little without them."""
    model, ram_gb = platform.processor() or platform.machine(), None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    try:
        import polars

        polars_version = polars.__version__
        polars_threads = polars.thread_pool_size()
    except ImportError:
        polars_version, polars_threads = None, None
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": polars_version,
        "polars_threads": polars_threads,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def host_speed() -> dict[str, float]:
    """Milliseconds (best of 3) of a fixed DuckDB aggregation on one thread and a fixed Python
    loop: the same work on every run, so runs at different hours of a shared host compare (a
    VM's neighbours slow it without showing as load inside it)."""
    con = duckdb.connect()
    con.execute("SET threads = 1")
    duck, python = [], []
    for _ in range(3):
        t = time.perf_counter()
        con.execute("SELECT sum(hash(range % 1000)) FROM range(10000000)").fetchall()
        duck.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        python.append((time.perf_counter() - t) * 1000)
    con.close()
    return {"duckdb_ms": round(min(duck), 1), "python_ms": round(min(python), 1)}


# --- timing ---------------------------------------------------------------------------------


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def runners(db: Database, polars_peer, sql_peer) -> dict[str, Callable[[State], object]]:
    read = cells_module.read

    def floor(state: State) -> None:
        for lookup in state.lookups:
            read(db, lookup)

    def polars(state: State) -> None:
        for lookup in state.lookups:
            polars_peer.compute(lookup, measures_of(state.view))

    def sql(state: State) -> None:
        for lookup in state.lookups:
            sql_peer.compute(lookup, measures_of(state.view))

    out: dict[str, Callable[[State], object]] = {
        "run_view": lambda s: run_view(db, s.view, s.filters),
        "floor": floor,
    }
    if polars_peer is not None:
        out["polars"] = polars
    if sql_peer is not None:
        out["sql"] = sql
    return out


def pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _cells_of(lookup: Lookup) -> int:
    n = len(lookup.areas) if lookup.areas is not None else 1
    for name in ("periods", "whats", *BREAKDOWN_FIELDS):
        n *= len(getattr(lookup, name))
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True, help="served database (DuckDB)")
    ap.add_argument("--workspace", type=Path, help="default: <stem>.workspace.duckdb beside --db")
    ap.add_argument("--states", type=int, default=200, help="accepted states per view")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--views", default=",".join(VIEWS), help="comma-separated views")
    ap.add_argument("--check", type=int, default=10, help="states per view held to cells_truth")
    ap.add_argument("--no-peers", action="store_true", help="time run_view and the floor only")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    workspace = args.workspace or args.db.with_name(f"{args.db.stem}.workspace.duckdb")
    for path in (args.db, None if args.no_peers else workspace):
        if path is not None and not path.is_file():
            print(f"error: {path} does not exist", file=sys.stderr)
            return 2
    views = [v for v in args.views.split(",") if v]
    start = machine()
    print(
        f"machine: {start['cpu']}, {start['cpus']} CPUs, {start['ram_gb']} GB RAM; Python "
        f"{start['python']}, DuckDB {start['duckdb']}, polars {start['polars']} "
        f"({start['polars_threads']} threads); load average at start {start['load_average']}"
    )
    speed_start = host_speed()
    print(f"host speed at start (fixed work, ms, lower is faster): {speed_start}")
    db = open_database(args.db)
    cells_total = int(db.query("SELECT count(*) AS n FROM cells")["n"].iloc[0])
    print(f"served file {args.db}: {cells_total:,} cell rows")

    t = time.perf_counter()
    states, refused = draw_states(db, views, args.states, args.seed)
    print(f"drew states in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    polars_peer = sql_peer = None
    if not args.no_peers:
        t = time.perf_counter()
        polars_peer = PolarsPeer(workspace, db)
        print(
            f"polars peer: {polars_peer.rows():,} facts rows in memory "
            f"({polars_peer.memory_mb():,.0f} MB), loaded in {time.perf_counter() - t:.1f} s"
        )
        sql_peer = SqlPeer(workspace, db)
        checked = {}
        for name, peer in (("polars", polars_peer), ("sql", sql_peer)):
            lookups = cells = 0
            for view in views:
                sample = random.Random(f"check-{view}").sample(
                    states[view], min(args.check, len(states[view]))
                )
                n_l, n_c = check_peer(name, peer, sql_peer, sample)
                lookups, cells = lookups + n_l, cells + n_c
            checked[name] = {"lookups": lookups, "cells": cells}
        print(
            f"peers checked against cells_truth: {args.check} states per view, "
            + "; ".join(
                f"{k}: {v['lookups']} lookups, {v['cells']:,} cells equal"
                for k, v in checked.items()
            )
        )
    systems = runners(db, polars_peer, sql_peer)
    names = list(systems)
    # Warm-up (untimed): every system on a few states of each view.
    for view in views:
        for state in states[view][:3]:
            for name in names:
                systems[name](state)
    # Interleaved: state i of every view, each on every system, the order rotating by state.
    rounds = max((len(s) for s in states.values()), default=0)
    print(f"timing {rounds} rounds x {len(views)} views x {len(names)} systems", file=sys.stderr)
    for i in range(rounds):
        for view in views:
            if i >= len(states[view]):
                continue
            state = states[view][i]
            k = (i + views.index(view)) % len(names)
            for name in names[k:] + names[:k]:
                state.times[name] = _timed(lambda name=name, state=state: systems[name](state))
    end_load = [round(x, 2) for x in os.getloadavg()]
    speed_end = host_speed()
    misspelt = {
        view: sum(any(w.startswith(MISSPELT) for lk in s.lookups for w in lk.whats) for s in chosen)
        for view, chosen in states.items()
    }

    results: dict[str, dict] = {}
    pooled = [s for view in views for s in states[view]]
    for view in [*views, "all views"]:
        chosen = pooled if view == "all views" else states[view]
        row: dict[str, object] = {"states": len(chosen)}
        if view != "all views":
            row["refused_parse"] = refused[view]["parse"]
            row["refused_view"] = refused[view]["view"]
        row["lookups_per_state"] = statistics.mean(len(s.lookups) for s in chosen)
        row["cells_per_state"] = statistics.median(
            sum(_cells_of(lk) for lk in s.lookups) for s in chosen
        )
        for name in names:
            values = [s.times[name] for s in chosen]
            row[f"{name}_p50"] = pct(values, 50)
            row[f"{name}_p95"] = pct(values, 95)
        for name in names[1:]:
            # Median over states of (other / run_view): paired, so host swings cancel.
            row[f"{name}_ratio"] = statistics.median(
                s.times[name] / s.times["run_view"] for s in chosen
            )
        results[view] = row

    print(
        f"\nload average at start {start['load_average']}, at end {end_load}; host speed at "
        f"start {speed_start}, at end {speed_end}\n"
    )
    header = ["view", "states", "refused parse/view", "lookups", "cells", "run_view p50 ms"]
    header += ["p95", "floor p50", "p95", "run_view / floor"]
    if polars_peer is not None:
        header += ["polars p50", "p95", "polars / run_view", "SQL p50", "p95", "SQL / run_view"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * 2 + "---:|" * (len(header) - 2))
    for view, r in results.items():
        refusals = f"{r['refused_parse']} / {r['refused_view']}" if "refused_parse" in r else ""
        cells = [
            view,
            str(r["states"]),
            refusals,
            f"{r['lookups_per_state']:.1f}",
            f"{r['cells_per_state']:,.0f}",
            f"{r['run_view_p50']:.1f}",
            f"{r['run_view_p95']:.1f}",
            f"{r['floor_p50']:.1f}",
            f"{r['floor_p95']:.1f}",
            f"{1 / r['floor_ratio']:.1f}x",
        ]
        if polars_peer is not None:
            cells += [
                f"{r['polars_p50']:.1f}",
                f"{r['polars_p95']:.1f}",
                f"{r['polars_ratio']:.1f}x",
                f"{r['sql_p50']:.1f}",
                f"{r['sql_p95']:.1f}",
                f"{r['sql_ratio']:.1f}x",
            ]
        print("| " + " | ".join(cells) + " |")
    print(
        "\nms per state; lookups: cell lookups per state (mean); cells: cells per state "
        "(median). Ratios are medians over states of the paired times (each state timed on "
        "every system back to back): run_view / floor = the view's cost over reading its "
        "cells; peer / run_view = how many times faster the query layer answers than the peer."
    )
    bad_members = {v: r["view_what_member"] for v, r in refused.items() if r["view_what_member"]}
    if any(misspelt.values()) or bad_members:
        print(
            "\nquery-layer defects met (queries/ at this commit): states whose lookups name "
            f"'{MISSPELT}T:P' members, which the build writes 'theme:T:P', so they read no cell "
            f"and show true zeros: {json.dumps({v: n for v, n in misspelt.items() if n})}; "
            "refusals where the view built a what member the catalogue cannot parse: "
            f"{json.dumps(bad_members)}"
        )
    if args.json:
        payload = {
            "refused": refused,
            "misspelt_theme_provision_states": misspelt,
            "db": str(args.db),
            "machine": start,
            "load_average_end": end_load,
            "host_speed": {"start": speed_start, "end": speed_end},
            "states_per_view": args.states,
            "seed": args.seed,
            "results": results,
            "states": [
                {"view": s.view, "params": s.params, "lookups": len(s.lookups), **s.times}
                for s in itertools.chain.from_iterable(states.values())
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
