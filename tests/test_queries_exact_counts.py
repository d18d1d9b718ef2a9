"""Every view's people and agreement cells hold the exact distinct count and record-key sum.

The views count people from person_periods (most rows without a DISTINCT) and agreements from
facts without a DISTINCT; this holds them to the plain definition, a DISTINCT over the filtered
facts, on a database built by `care-atlas build` (persons who move, change age band or element,
so every counting path is used). A probe ptable (pvalue = 10,000 x ckey, no threshold) makes
each published count carry the cell's true count n (value mod 10,000) and its ckey (value div
10,000), so n and ckey are compared, not only the perturbed value.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from queries import FilterError, open_database, parse_filters, run_view
from queries.database import plain_frame
from queries.filters import MEASURES, Filters
from queries.views import (
    _agreements_both,
    _people_both,
    _provision_columns,
    _shares_both,
)
from tests.test_queries_properties import filter_states

PROBE = 10_000
AREA_COLUMN = {
    "ward": "ward_code",
    "district": "district",
    "sector": "sector",
    "h3r7": "h3r7",
    "h3r8": "h3r8",
}
LIST_COLUMNS = {
    "age_bands": "age_band",
    "elements": "element_code",
    "services": "service_code",
    "themes": "mia_theme",
    "provision": "provision_type",
    "client_groups": "client_group",
    "genders": "gender",
    "ethnic_groups": "ethnic_group",
}
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def _open_probe(serving: Path, tmp_path_factory):
    """The serving database opened with the probe ptable and no threshold."""
    rows = [(pcv, ckey, PROBE * ckey) for pcv in range(751) for ckey in range(256)]
    path = tmp_path_factory.mktemp("probe") / "probe_ptable.csv"
    pd.DataFrame(rows, columns=["pcv", "ckey", "pvalue"]).to_csv(path, index=False)
    return open_database(serving, ptable=path, threshold=0)


@pytest.fixture(scope="module")
def probe_db(small_serving_db: Path, tmp_path_factory):
    db = _open_probe(small_serving_db, tmp_path_factory)
    yield db
    db.close()


@pytest.fixture(scope="module")
def facts_con(small_serving_db: Path):
    con = duckdb.connect(str(small_serving_db), read_only=True)
    yield con
    con.close()


def _facts(con, f: Filters, *, by_area: bool, skip: tuple[str, ...] = ()) -> pd.DataFrame:
    """The filtered facts, with `area` (a row per region holding it when by_area)."""
    where = ["period_kind = $kind", "period BETWEEN $a AND $b"]
    params: dict = {"kind": f.period_kind, "a": f.period_from, "b": f.period_to}
    for name, column in LIST_COLUMNS.items():
        if getattr(f, name) and name not in skip:
            where.append(f"{column} IN (SELECT unnest(${name}))")
            params[name] = list(getattr(f, name))
    if f.areas:
        where.append(f"{AREA_COLUMN[f.level]} IN (SELECT unnest($areas))")
        params["areas"] = list(f.areas)
    if f.within:
        where.append("(ward_code = $within OR district = $within)")
        params["within"] = f.within
    df = con.execute(f"SELECT * FROM facts WHERE {' AND '.join(where)}", params).df()
    if f.level == "region":
        parts = [
            df[df.district.isin(r.members) | df.ward_code.isin(r.members)].assign(area=r.name)
            for r in f.regions
        ]
        if not by_area:
            return pd.concat(parts).drop_duplicates(subset=["agreement_idx", "period"])
        return pd.concat(parts)
    area = AREA_COLUMN.get(f.level)
    return df.assign(area=df[area] if area and by_area else "city")


def _truth(df: pd.DataFrame, dims: list[str], unit: str, key: str) -> dict:
    """Cell -> (distinct units, sum of their record keys mod 256), non-empty cells only."""
    units = df.drop_duplicates(subset=dims + [unit])
    agg = units.groupby(dims, dropna=False)[key].agg(["count", "sum"])
    return {k if isinstance(k, tuple) else (k,): (int(n), int(s) % 256) for k, (n, s) in
            agg.iterrows()}  # fmt: skip


def _ours(rows: pd.DataFrame, dims: list[str], column: str) -> dict:
    """Cell -> (n, ckey) decoded from probe-published counts; zero cells left out."""
    out = {}
    for key, value in zip(rows[dims].itertuples(index=False), rows[column], strict=True):
        assert not pd.isna(value), f"{column} {tuple(key)}: nothing is suppressed without threshold"
        if int(value):
            out[tuple(key)] = (int(value) % PROBE, int(value) // PROBE)
    return out


def _check(rows: pd.DataFrame, dims: list[str], column: str, expected: dict, what: str) -> None:
    got = _ours(rows, dims, column)
    assert got == expected, f"{what}: cells differ: " + str(
        {
            k: (got.get(k), expected.get(k))
            for k in set(got) | set(expected)
            if got.get(k) != expected.get(k)
        }  # fmt: skip
    )


def _run(db, view: str, f: Filters) -> pd.DataFrame:
    return run_view(db, view, f).rows


def check_state(db, con, params: dict[str, str]) -> None:
    f = parse_filters(params, db.reference)
    by_range = dataclasses.replace(f, measure="people")
    period = ["area", "period"]
    # area_map: people over the range, and agreements active / started.
    rows = _run(db, "area_map", by_range).rename(columns={"area_code": "area"})
    df = _facts(con, f, by_area=True)
    _check(rows, ["area"], "people", _truth(df, ["area"], "person_idx", "person_key"), "people")
    for measure, subset in (("agreements_active", df), ("agreements_started", df[df.started])):
        g = dataclasses.replace(f, measure=measure)
        rows = _run(db, "area_map", g).rename(columns={"area_code": "area"})
        truth = _truth(subset, ["area"], "agreement_idx", "agreement_key")
        _check(rows, ["area"], "value", truth, measure)
    # matrix and provision: per area x period.
    rows = _run(db, "matrix", by_range).rename(columns={"area_code": "area"})
    _check(rows, period, "value", _truth(df, period, "person_idx", "person_key"), "matrix")
    wide = _run(db, "provision", f).rename(columns={"area_code": "area"})
    for prefix, ptype in (("internal", "Internal"), ("external", "External"), ("direct", "Direct payment")):  # fmt: skip
        truth = _truth(df[df.provision_type == ptype], period, "person_idx", "person_key")
        _check(wide, period, f"{prefix}_people", truth, f"provision {ptype}")
    # The same per type over the whole range (area_map / area_compare with internal_share).
    wide = plain_frame(_provision_columns(db, f, by_period=False))
    wide = wide.rename(columns={"area_code": "area"})
    _check(wide, ["area"], "people", _truth(df, ["area"], "person_idx", "person_key"), "range")
    for prefix, ptype in (("internal", "Internal"), ("external", "External"), ("direct", "Direct payment")):  # fmt: skip
        truth = _truth(df[df.provision_type == ptype], ["area"], "person_idx", "person_key")
        _check(wide, ["area"], f"{prefix}_people", truth, f"range provision {ptype}")
    # area_compare's city cell, counted in one query with every area of the level (which
    # together make up the city, chosen areas or not).
    if f.level not in ("city", "region") and not f.within:
        counted = dataclasses.replace(f, areas=())
        city_f = dataclasses.replace(f, level="city", areas=())
        city_df = _facts(con, city_f, by_area=True)
        _, city = _people_both(db, f, city_f, counted)
        city = plain_frame(city).rename(columns={"area_code": "area"})
        truth = _truth(city_df, ["area"], "person_idx", "person_key")
        _check(city, ["area"], "people", truth, "compare city people")
        _, city = _shares_both(db, f, city_f, counted)
        city = plain_frame(city).rename(columns={"area_code": "area"})
        for prefix, ptype in (("internal", "Internal"), ("external", "External"), ("direct", "Direct payment")):  # fmt: skip
            truth = _truth(city_df[city_df.provision_type == ptype], ["area"], "person_idx", "person_key")  # fmt: skip
            _check(city, ["area"], f"{prefix}_people", truth, f"compare city {ptype}")
        for measure, subset in (("agreements_active", city_df), ("agreements_started", city_df[city_df.started])):  # fmt: skip
            g, c = (dataclasses.replace(x, measure=measure) for x in (f, counted))
            _, city = _agreements_both(db, g, dataclasses.replace(city_f, measure=measure), c)
            # The city's agreements can pass PROBE, so compare the published value itself.
            ((n, ckey),) = _truth(subset, ["area"], "agreement_idx", "agreement_key").values()
            assert int(city["value_count"][0]) == n + PROBE * ckey, f"compare city {measure}"
    # Views over the whole selection (regions as their union).
    whole = _facts(con, f, by_area=False)
    rows = _run(db, "trend", f)
    _check(
        rows, ["period"], "people", _truth(whole, ["period"], "person_idx", "person_key"), "trend"
    )
    truth = _truth(whole, ["period"], "agreement_idx", "agreement_key")
    _check(rows, ["period"], "agreements", truth, "trend agreements")
    rows = _run(db, "elements", dataclasses.replace(f, top_n=50))
    for column, unit, key in (("people", "person_idx", "person_key"), ("agreements", "agreement_idx", "agreement_key")):  # fmt: skip
        truth = _truth(whole, ["element_code"], unit, key)
        assert len(rows) == min(50, len(truth))
        _check(rows, ["element_code"], column, {k: truth[k] for k in _ours(rows, ["element_code"], column)}, f"elements {column}")  # fmt: skip
    rows = _run(db, "demographics", f)
    dim = f.dimension
    _check(rows, ["category"], "people", _truth(whole, [dim], "person_idx", "person_key"), dim)
    total = run_view(db, "demographics", f).meta["total_people"]
    expected = _truth(whole.assign(all="all"), ["all"], "person_idx", "person_key").get(("all",))
    assert (total % PROBE, total // PROBE) == expected if total else expected is None
    # element_compare: element A and B per area, the elements filter not applied.
    rows = _run(db, "element_compare", f).rename(columns={"area_code": "area"})
    pair = _facts(con, f, by_area=True, skip=("elements",))
    for column, element in (("a_people", f.element_a), ("b_people", f.element_b)):
        truth = _truth(pair[pair.element_code == element], ["area"], "person_idx", "person_key")
        _check(rows, ["area"], column, truth, f"element_compare {column}")
    if f.period_kind == "quarter":
        rows = _run(db, "quarterly_users", f)
        users = _facts(con, f, by_area=False, skip=("elements",))
        users = users[users.element_code == f.element]
        truth = _truth(users, ["period"], "person_idx", "person_key")
        _check(rows, ["period"], "people", truth, "quarterly_users")


def test_the_probe_decodes_a_known_cell(probe_db, facts_con):
    """The probe is not vacuous: a city cell's count and key sum come back as computed here."""
    f = parse_filters({"level": "city", "from": "2012", "to": "2014"}, probe_db.reference)
    people = _run(probe_db, "area_map", f)["people"].iloc[0]
    n, keysum = facts_con.execute(
        "SELECT count(*), sum(person_key) FROM (SELECT DISTINCT person_idx, person_key FROM "
        "facts WHERE period_kind = 'year' AND period BETWEEN '2012' AND '2014')"
    ).fetchone()
    assert n > 100
    assert (people % PROBE, people // PROBE) == (n, keysum % 256)


def test_a_region_naming_a_district_and_its_ward_counts_each_unit_once(probe_db, facts_con):
    district, ward = facts_con.execute(
        "SELECT district, ward_code FROM facts WHERE period_kind = 'year' AND period = '2013' "
        "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    ref = probe_db.reference
    elements = list(ref.elements)
    params = {"level": "region", "regions": f"Both:{district}+{ward};Ward:{ward}",
              "from": "2012", "to": "2014", "element_a": elements[0], "element_b": elements[1],
              "element": elements[0]}  # fmt: skip
    check_state(probe_db, facts_con, params)


def test_the_built_database_exercises_every_counting_path(small_serving_db):
    """People with several rows in a period, several grain combinations, changing elements."""
    with duckdb.connect(str(small_serving_db), read_only=True) as con:
        multi, combos, changing = con.execute(
            "SELECT count(*) FILTER (WHERE NOT single_row), count(*) FILTER (WHERE NOT one_combo),"
            " count(*) FILTER (WHERE one_combo AND stable_mask <> element_mask)"
            " FROM person_periods"
        ).fetchone()
    assert multi > 50 and combos > 50 and changing > 50


@pytest.mark.parametrize(
    "params",
    [
        {"level": "sector", "from": "2010", "to": "2015", "elements": "OAEHSGCO,OAIHSENB"},
        {"level": "ward", "period_kind": "quarter", "from": "2013-Q1", "to": "2013-Q4"},
        {"level": "region", "regions": "N:B23+B24;S:B24+B29", "provision": "Internal"},
        {"level": "district", "from": "2014", "to": "2014", "themes": "MIA3"},
    ],
)
def test_chosen_states_count_exactly(probe_db, facts_con, params):
    ref = probe_db.reference
    elements = list(ref.elements)
    state = {"element": elements[0], "element_a": elements[0], "element_b": elements[1]}
    try:
        check_state(probe_db, facts_con, {**state, **params})
    except FilterError as exc:  # a district or element the built extract lacks
        pytest.skip(str(exc))


def test_random_states_count_exactly(probe_db, facts_con):
    ref = probe_db.reference

    @SETTINGS
    @given(filter_states(ref))
    def check(params):
        try:
            parse_filters(params, ref)
        except FilterError:
            return
        check_state(probe_db, facts_con, params)

    check()


def test_presummed_and_facts_paths_publish_the_same_tables(small_serving_db):
    """person_periods' pre-summed agreements and cost (read when no element-attribute filter
    applies) give every view the same published table as summing facts does."""
    fast = open_database(small_serving_db)
    slow = open_database(small_serving_db)
    assert fast.presummed, "the fixture is built with ingest/sql/085_person_periods.sql"
    slow.presummed = False
    ref = fast.reference
    views = ("area_map", "matrix", "trend", "provision", "area_compare")

    @SETTINGS
    @given(filter_states(ref))
    def check(params):
        try:
            state = parse_filters(params, ref)
        except FilterError:
            return
        for measure, view in itertools.product(MEASURES, views):
            f = dataclasses.replace(state, measure=measure)
            try:
                a, b = run_view(fast, view, f).rows, run_view(slow, view, f).rows
            except FilterError:
                continue
            what = f"{view} {measure}"
            pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, obj=what)

    try:
        check()
    finally:
        fast.close()
        slow.close()


def _recording(db) -> list[str]:
    """The SQL texts db runs from now on (the views' hot path, Database.query_arrays)."""
    read: list[str] = []
    query_arrays = db.query_arrays

    def recording(sql, params=None):
        read.append(sql)
        return query_arrays(sql, params)

    db.query_arrays = recording
    return read


@contextlib.contextmanager
def _with_and_without(path: Path, table: str):
    """(fast, slow, read): two databases on one build, `fast` reading the pre-counted `table`
    (the Database flag of that name) and recording the SQL it runs in `read`, `slow` counting
    as if the build had no such table."""
    fast, slow = open_database(path), open_database(path)
    assert getattr(fast, table), f"the fixture is built with the {table} step"
    setattr(slow, table, False)
    read = _recording(fast)
    try:
        yield fast, slow, read
    finally:
        fast.close()
        slow.close()


def test_area_cells_and_person_periods_publish_the_same_tables(small_serving_db):
    """The build's area cells (provision_cells per period, provision_spans over a range: read
    for states with no filter but the period range, the areas, at most one provision type and,
    per period, at most one age band) give every view that counts areas the same published
    table as counting person_periods does: at every level they hold, for every measure, over
    one period and over ranges, with and without chosen areas, a provision type, an age band."""
    with _with_and_without(small_serving_db, "provision_cells") as (fast, slow, read):
        slow.provision_spans = False
        ref = fast.reference
        levels = ("city", "ward", "district", "sector", "h3r7", "h3r8")
        measures = [m for m in MEASURES if m != "cost"]
        spans = banded = 0
        for i, (kind, level) in enumerate(itertools.product(("year", "fy", "quarter"), levels)):
            periods = ref.periods[kind]
            first = periods[i % len(periods)]
            last = periods[min(len(periods) - 1, i % len(periods) + 2)]
            params = {"period_kind": kind, "from": first, "to": last, "level": level}
            if level != "city" and i % 2:
                params["areas"] = ",".join(list(ref.areas[level])[:3])
            if i % 3 == 1:
                params["provision"] = ref.provision_types[i % len(ref.provision_types)]
            if i % 4 == 2:
                params["age_bands"] = ref.age_bands[i % len(ref.age_bands)]
            ranged = parse_filters({**params, "measure": MEASURES[i % len(MEASURES)]}, ref)
            single = dataclasses.replace(ranged, period_to=ranged.period_from)
            views = [("provision", ranged), ("matrix", ranged), ("area_map", single)]
            views += [("area_map", dataclasses.replace(ranged, measure=m)) for m in MEASURES]
            views += [("area_compare", dataclasses.replace(x, measure=m))
                      for x in (single, ranged) for m in measures]  # fmt: skip
            for view, f in views:
                read.clear()
                a, b = run_view(fast, view, f).rows, run_view(slow, view, f).rows
                pd.testing.assert_frame_equal(a, b, obj=f"{view} {f.measure} {params}")
                per_period = view in ("provision", "matrix") or f.period_from == f.period_to
                agreements = f.measure.startswith("agreements") and view != "provision"
                # Agreements are not counted by provision type, nor age bands over a range.
                if not (agreements and f.provision) and (per_period or not f.age_bands):
                    assert any("FROM provision_cells" in sql for sql in read), (view, params)
                    banded += bool(f.age_bands)
                spans += any("FROM provision_spans" in sql for sql in read)
        assert spans > 50 and banded > 20
        # A filter the cells were not counted under sends the view back to person_periods.
        for change in (
            {"age_bands": tuple(ref.age_bands[:2])},
            {"provision": tuple(ref.provision_types[:2])},
            {"elements": (next(iter(ref.elements)),)},
        ):
            read.clear()
            run_view(fast, "provision", dataclasses.replace(ranged, **change))
            assert read and not any("FROM provision_" in sql for sql in read), change


def test_people_who_move_count_exactly_in_the_area_cells(movers_serving_db, tmp_path_factory):
    """provision_spans follows a person who moves cell by cell: over any range each cell counts
    them once, in all and by provision type, as a DISTINCT over the facts does (check_state)."""
    db = _open_probe(movers_serving_db, tmp_path_factory)
    con = duckdb.connect(str(movers_serving_db), read_only=True)
    try:
        movers = con.execute(
            "SELECT count(*) FROM (SELECT person_idx FROM person_periods GROUP BY person_idx "
            "HAVING count(DISTINCT (sector, ward_code, h3r8)) > 1)"
        ).fetchone()[0]
        assert movers > 100 and db.provision_spans
        read = _recording(db)
        elements = list(db.reference.elements)
        for kind, level in itertools.product(("year", "quarter"), ("city", "ward", "sector", "h3r8")):  # fmt: skip
            periods = db.reference.periods[kind]
            for first in (len(periods) // 3, len(periods) // 2):
                params = {"period_kind": kind, "from": periods[first],
                          "to": periods[first + 3], "level": level, "element": elements[0],
                          "element_a": elements[0], "element_b": elements[1]}  # fmt: skip
                check_state(db, con, params)
        assert sum("FROM provision_spans" in sql for sql in read) > 16
    finally:
        con.close()
        db.close()


def test_element_periods_and_facts_publish_the_same_elements(small_serving_db):
    """The build's element_periods and element_spans (read by the elements view for the whole
    city with no filter but the period range) give the same published table as counting facts
    and person_periods does, for single periods and ranges of every period kind."""
    with _with_and_without(small_serving_db, "element_periods") as (fast, slow, read):
        slow.element_spans = False
        ref = fast.reference
        for kind, level in itertools.product(("year", "fy", "quarter"), ("city", "ward", "h3r8")):
            periods = ref.periods[kind]
            for first, span in ((0, 0), (1, 3), (len(periods) - 3, 2)):
                last = periods[min(len(periods) - 1, first + span)]
                params = {"period_kind": kind, "from": periods[first], "to": last,
                          "level": level, "top_n": "50"}  # fmt: skip
                f = parse_filters(params, ref)
                read.clear()
                a, b = run_view(fast, "elements", f).rows, run_view(slow, "elements", f).rows
                assert any("FROM element_periods" in sql for sql in read), params
                assert any("FROM element_spans" in sql for sql in read), params
                assert len(a) > 0
                pd.testing.assert_frame_equal(a, b, obj=f"elements {params}")
        # A filter the table was not counted under sends the view back to facts.
        ward = next(iter(ref.areas["ward"]))
        for change in ({"age_bands": (ref.age_bands[0],)}, {"areas": (ward,)}):
            read.clear()
            run_view(fast, "elements", dataclasses.replace(f, **change))
            assert read and not any("FROM element_" in sql for sql in read), change
