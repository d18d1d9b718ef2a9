"""The grid of cells a view shows (queries/cells.py) on the real build of the small extract:
every area shows, an area without a row is [c] (0..9: nothing of it is published), the matrix has every area x single
period, rates divide by the residents of the chosen age band, a region has its members'
residents, a drill-down (`within=`) shows the parts of `area_parts`, and area_compare's city
value is the city's own cell. Expected values are read straight from the served file."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from queries import parse_filters, run_view
from queries.catalogue import ALL
from queries.cells import Lookup, grid


@pytest.fixture(scope="module")
def con(queries_serving_path):
    c = duckdb.connect(str(queries_serving_path), read_only=True)
    yield c
    c.close()


def _cells(con, level: str, kind: str, period: str, what: str = ALL, **breakdowns: str):
    """area_code -> row of the served cells of one key (every area of the level)."""
    key = {"age_band": ALL, "client_group": ALL, "gender": ALL, "ethnic_group": ALL}
    key.update(breakdowns)
    return (
        con.execute(
            "SELECT * FROM cells WHERE level = $level AND period_kind = $kind AND period = $period "
            "AND what = $what AND age_band = $age_band AND client_group = $client_group "
            "AND gender = $gender AND ethnic_group = $ethnic_group",
            {"level": level, "kind": kind, "period": period, "what": what, **key},
        )
        .df()
        .set_index("area_code")
    )


def _residents(con, level: str, band: str) -> dict[str, float]:
    if band == ALL:
        sql = "SELECT area_code, population FROM areas WHERE level = $level"
        params = {"level": level}
    else:
        sql = (
            "SELECT area_code, population FROM area_population "
            "WHERE level = $level AND age_band = $band"
        )
        params = {"level": level, "band": band}
    return dict(con.execute(sql, params).fetchall())


def test_every_area_shows_and_areas_without_a_row_are_suppressed(queries_db, con):
    ref = queries_db.reference
    # A cell some wards have a row for and others not (nothing published there).
    for kind, element in (("year", "HSSU65PL"), ("year", "OAEHSGCO"), ("fy", "CHIRDRT")):
        period = ref.periods[kind][-2]
        served = _cells(con, "ward", kind, period, f"element:{element}")
        if 0 < len(served) < len(ref.areas["ward"]):
            break
    f = parse_filters(
        {"level": "ward", "period_kind": kind, "from": period, "to": period,
         "elements": element},
        ref,
    )  # fmt: skip
    rows = run_view(queries_db, "area_map", f).rows
    assert list(rows["area_code"]) == sorted(ref.areas["ward"])
    absent = rows[~rows["area_code"].isin(served.index)]
    present = rows[rows["area_code"].isin(served.index)]
    assert len(absent) > 0 and len(present) > 0, "the cell should exist in some wards only"
    assert absent["people"].isna().all() and absent["value"].isna().all()
    assert (absent["people_status"] == "[c]").all() and (absent["value_status"] == "[c]").all()
    expected = served.loc[present["area_code"], "people"].to_numpy(dtype="float64")
    shown = present["people"].to_numpy(dtype="float64", na_value=np.nan)
    np.testing.assert_array_equal(shown, expected)


def test_grid_shows_an_absent_cell_as_suppressed_in_every_measure(queries_db, con):
    ref = queries_db.reference
    period = ref.periods["year"][-1]
    served = _cells(con, "sector", "year", period, "element:CHIRDRT")
    empty = sorted(set(ref.areas["sector"]) - set(served.index))[:2]
    with_row = sorted(served.index)[:2]
    lookup = Lookup(
        "sector", "year", (period,), whats=("element:CHIRDRT",), areas=(*empty, *with_row)
    )
    cells = grid(queries_db, lookup, ("area_code",))
    assert list(cells["area_code"]) == [*empty, *with_row]
    measures = [
        "people", "agreements_active", "agreements_started", "people_over_6w", "cost",
        "cost_beyond_42",
    ]  # fmt: skip
    assert all(pd.isna(cells[m][:2]).all() for m in measures)
    for i, code in enumerate(with_row, start=2):
        for m in measures:
            assert pd.isna(cells[m][i]) == pd.isna(served.loc[code, m]), (code, m)
            if not pd.isna(served.loc[code, m]):
                assert cells[m][i] == served.loc[code, m], (code, m)
    with pytest.raises(ValueError, match="areas"):
        grid(queries_db, Lookup("sector", "year", (period,)), ("area_code",))


def test_matrix_has_a_cell_for_every_area_and_single_period(queries_db, con):
    ref = queries_db.reference
    years = ref.periods["year"][-4:]
    f = parse_filters({"level": "district", "from": years[0], "to": years[-1]}, ref)
    rows = run_view(queries_db, "matrix", f).rows
    assert len(rows) == len(ref.areas["district"]) * len(years)
    assert not rows.duplicated(["area_code", "period"]).any()
    assert set(rows["period"]) == set(years) and set(rows["area_code"]) == set(
        ref.areas["district"]
    )
    for year in years:
        served = _cells(con, "district", "year", year)
        part = rows[rows["period"] == year].set_index("area_code")
        absent = ~part.index.isin(served.index)
        expected = (
            served["people"].reindex(part.index).to_numpy(dtype="float64", na_value=np.nan).copy()
        )
        expected[absent] = np.nan  # no row: [c] (0..9 in every measure)
        shown = part["value"].to_numpy(dtype="float64", na_value=np.nan)
        np.testing.assert_array_equal(shown, expected, err_msg=year)
        assert (part.loc[np.isnan(expected), "value_status"] == "[c]").all()


@pytest.mark.parametrize(("level", "band"), [("ward", "65+"), ("district", "25-64"), ("city", ALL)])
def test_rates_divide_by_the_residents_of_the_chosen_age_band(queries_db, con, level, band):
    ref = queries_db.reference
    params = {"level": level, "measure": "rate_per_1000"}
    if band != ALL:
        params["age_bands"] = band
    f = parse_filters(params, ref)
    rows = run_view(queries_db, "area_map", f).rows
    residents = _residents(con, level, band)
    shown = rows[rows["value"].notna()]
    assert len(shown) > 0
    for code, people, rate in zip(shown["area_code"], shown["people"], shown["value"], strict=True):
        assert rate == pytest.approx(round(1000 * people / residents[code], 2), abs=1e-9)
    served = _cells(con, level, "year", f.period, age_band=band)
    assert (rows.set_index("area_code")["people"].dropna() > 0).any()
    for code, people in rows.set_index("area_code")["people"].dropna().items():
        assert people == (served.loc[code, "people"] if code in served.index else 0)


def test_a_region_has_the_residents_of_its_members(queries_db, con):
    ref = queries_db.reference
    members = con.execute("SELECT area_code, member_level, member_code FROM region_members").df()
    assert set(members["area_code"]) == set(ref.areas["region"])
    for band in (ALL, *ref.age_bands[:4]):
        member_residents = {
            level: _residents(con, level, band) for level in set(members["member_level"])
        }
        region_residents = _residents(con, "region", band)
        for region, part in members.groupby("area_code"):
            expected = sum(
                member_residents[level][code]
                for level, code in zip(part["member_level"], part["member_code"], strict=True)
            )
            assert region_residents[region] == pytest.approx(expected, rel=1e-6), (region, band)
    f = parse_filters({"level": "region", "measure": "rate_per_1000", "age_bands": "65+"}, ref)
    rows = run_view(queries_db, "area_map", f).rows
    assert list(rows["area_code"]) == sorted(ref.level_areas("region", "nes"))
    residents = _residents(con, "region", "65+")
    for code, people, rate in zip(rows["area_code"], rows["people"], rows["value"], strict=True):
        assert rate == pytest.approx(round(1000 * people / residents[code], 2), abs=1e-9)


@pytest.mark.parametrize("level", ["sector", "h3r7", "h3r8"])
@pytest.mark.parametrize("container_level", ["ward", "district"])
def test_drilled_into_a_ward_or_district_the_rows_are_its_area_parts(
    queries_db, con, level, container_level
):
    ref = queries_db.reference
    container, n_parts = con.execute(
        "SELECT container, count(*) FROM area_parts WHERE container_level = $c AND level = $l "
        "GROUP BY container ORDER BY 2 DESC, 1 LIMIT 1",
        {"c": container_level, "l": level},
    ).fetchone()
    parts = {
        r[0]
        for r in con.execute(
            "SELECT area_code FROM area_parts WHERE container = $c AND level = $l",
            {"c": container, "l": level},
        ).fetchall()
    }
    assert len(parts) == n_parts > 1
    f = parse_filters({"level": level, "within": container}, ref)
    rows = run_view(queries_db, "area_map", f).rows
    assert sorted(rows["area_code"]) == sorted(parts)
    # Each part shows its whole published cell (the drill-down selects rows, not people).
    served = _cells(con, level, "year", f.period)
    for code, people in zip(rows["area_code"], rows["people"], strict=True):
        expected = served.loc[code, "people"] if code in served.index else pd.NA
        assert (pd.isna(people) and pd.isna(expected)) or people == expected, code


def _city_rate(con, ref, f) -> float:
    cell = _cells(con, "city", f.period_kind, f.period, f.what, age_band=f.age_band)
    people = cell["people"].iloc[0] if len(cell) else np.nan
    if pd.isna(people):
        return np.nan  # nothing published: no rate
    if f.age_band == ALL:
        residents = ref.areas["city"][ref.city_code()].population
    else:
        residents = _residents(con, "city", f.age_band)[ref.city_code()]
    return round(1000 * people / residents, 2)


@pytest.mark.parametrize(
    "params",
    [
        {"level": "ward"},
        {"level": "district", "age_bands": "65+", "themes": "MIA3"},
        {"level": "sector", "from": "2011", "to": "2015"},
        {"level": "h3r8", "provision": "Internal"},
        {"level": "region", "period_kind": "quarter", "from": "2014-Q2", "to": "2014-Q2"},
    ],
)
def test_area_compare_city_value_is_the_city_cell(queries_db, con, params):
    ref = queries_db.reference
    f = parse_filters({"measure": "rate_per_1000", **params}, ref)
    rows = run_view(queries_db, "area_compare", f).rows
    assert len(rows) > 1
    expected = _city_rate(con, ref, f)
    np.testing.assert_array_equal(rows["city_value"].to_numpy(), np.full(len(rows), expected))
    assert (rows["city_status"] == rows["city_status"][0]).all()
    city = run_view(queries_db, "area_compare", parse_filters({**params, "level": "city"}, ref))
    np.testing.assert_array_equal(
        [city.rows["value"][0], city.rows["city_value"][0]], [expected, expected]
    )


def test_area_compare_internal_share_city_value_is_the_city_cells(queries_db, con):
    ref = queries_db.reference
    f = parse_filters({"level": "ward", "measure": "internal_share"}, ref)
    rows = run_view(queries_db, "area_compare", f).rows
    internal = _cells(con, "city", "year", f.period, "provision:Internal")["people"].iloc[0]
    external = _cells(con, "city", "year", f.period, "provision:External")["people"].iloc[0]
    expected = round(min(1.0, internal / (internal + external)), 4)
    assert (rows["city_value"] == expected).all()


def test_area_compare_internal_share_of_a_theme(queries_db, con):
    ref = queries_db.reference
    f = parse_filters({"level": "ward", "measure": "internal_share", "themes": "MIA3"}, ref)
    rows = run_view(queries_db, "area_compare", f).rows
    internal = _cells(con, "city", "year", f.period, "theme:MIA3:Internal")["people"].iloc[0]
    external = _cells(con, "city", "year", f.period, "theme:MIA3:External")["people"].iloc[0]
    assert (rows["city_value"] == round(min(1.0, internal / (internal + external)), 4)).all()


@pytest.mark.parametrize("measure", ["internal_share", "people", "rate_per_1000"])
def test_area_compare_at_city_level_compares_the_city_with_itself(queries_db, measure):
    ref = queries_db.reference
    rows = run_view(
        queries_db, "area_compare", parse_filters({"level": "city", "measure": measure}, ref)
    ).rows
    assert list(rows["area_code"]) == [ref.city_code()]
    assert rows["value"][0] == rows["city_value"][0]
    assert rows["value_status"][0] == rows["city_status"][0]
    assert rows["comparison"][0] in ("similar", "")


@pytest.mark.parametrize(
    ("level", "region_set", "city"),
    [
        ("ward", None, False),
        ("sector", None, True),
        ("region", "nes", False),
        ("city", None, False),
    ],
)
def test_a_whole_level_reads_the_same_rows_as_the_list_of_its_areas(
    queries_db, level, region_set, city
):
    """read() drops the area filter when a lookup names every area of its level (faster for
    big grids); the rows must be those the list of areas selects, and a region set that is not
    every region keeps its list."""
    from queries.cells import _SQL, lookup_params, read

    ref = queries_db.reference
    areas = list(ref.level_areas(level, region_set))
    if city:
        areas.append(ref.city_code())
    years = ref.periods["year"][-3:]
    lookup = Lookup(level, "year", years, whats=(ALL, "provision:Internal"), areas=tuple(areas),
                    city=city)  # fmt: skip
    listed = queries_db.arrays(_SQL, lookup_params(lookup))  # the areas' list, as written
    got = read(queries_db, lookup)

    def rows(arrays: dict) -> set:
        columns = (np.asarray(arrays[c]).tolist() for c in ("area_code", "period", "what"))
        return set(zip(*columns, strict=True))

    assert rows(got) == rows(listed) and len(got["area_code"]) == len(listed["area_code"]) > 0
