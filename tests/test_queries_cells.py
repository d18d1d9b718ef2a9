"""The grid of cells a view shows (queries/cells.py): every area, true zeros, residents."""

from __future__ import annotations

import duckdb
import pytest

from queries import open_database, parse_filters, run_view


@pytest.fixture(scope="module")
def built_db(small_serving_db):
    db = open_database(small_serving_db)
    yield db
    db.close()


@pytest.fixture(scope="module")
def con(small_serving_db):
    c = duckdb.connect(str(small_serving_db), read_only=True)
    yield c
    c.close()


def _residents(con, level: str, bands: list[str]) -> dict[str, float]:
    rows = con.execute(
        "SELECT area_code, sum(population) FROM area_population "
        "WHERE level = $level AND list_contains($bands, age_band) GROUP BY area_code",
        {"level": level, "bands": bands},
    ).fetchall()
    return {code: pop for code, pop in rows}


def test_every_area_shows_and_areas_without_data_are_true_zeros(built_db, con):
    ref = built_db.reference
    quarter = ref.periods["quarter"][-1]
    element = next(iter(ref.elements))
    f = parse_filters(
        {"level": "ward", "period_kind": "quarter", "from": quarter, "to": quarter,
         "elements": element},
        ref,
    )  # fmt: skip
    rows = run_view(built_db, "area_map", f).rows
    assert list(rows["area_code"]) == sorted(ref.areas["ward"])
    with_data = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT ward_code FROM facts WHERE period_kind = 'quarter' "
            "AND period = $q AND element_code = $e",
            {"q": quarter, "e": element},
        ).fetchall()
    }
    empty = rows[~rows["area_code"].isin(with_data)]
    assert len(empty) > 0, "the filter should leave some wards without data"
    assert (empty["people"] == 0).all() and (empty["people_status"] == "").all()


def test_matrix_has_a_cell_for_every_area_and_period(built_db):
    ref = built_db.reference
    years = ref.periods["year"][-3:]
    f = parse_filters({"level": "district", "from": years[0], "to": years[-1]}, ref)
    rows = run_view(built_db, "matrix", f).rows
    assert len(rows) == len(ref.areas["district"]) * 3
    assert set(rows["period"]) == set(years)


def test_rates_divide_by_the_residents_of_the_chosen_age_bands(built_db, con):
    ref = built_db.reference
    bands = list(ref.age_bands[2:4])
    params = {"level": "ward", "measure": "rate_per_1000", "age_bands": ",".join(bands)}
    rows = run_view(built_db, "area_map", parse_filters(params, ref)).rows
    residents = _residents(con, "ward", bands)
    shown = rows[rows["value"].notna()]
    assert len(shown) > 0
    for code, people, rate in zip(shown["area_code"], shown["people"], shown["value"], strict=True):
        assert rate == pytest.approx(round(1000 * people / residents[code], 2), abs=0.006)
    city = run_view(built_db, "area_map", parse_filters({**params, "level": "city"}, ref)).rows
    expected = round(1000 * city["people"][0] / sum(residents.values()), 2)
    assert city["value"][0] == pytest.approx(expected, abs=0.006)


def test_a_region_has_the_residents_of_its_members(built_db, con):
    ref = built_db.reference
    districts = sorted(ref.areas["district"])[:3]
    params = {
        "level": "region",
        "regions": f"East:{'+'.join(districts[:2])};West:{districts[2]}",
        "measure": "rate_per_1000",
    }
    rows = run_view(built_db, "area_map", parse_filters(params, ref)).rows
    assert list(rows["area_code"]) == ["East", "West"]
    residents = dict(
        con.execute("SELECT area_code, population FROM areas WHERE level = 'district'").fetchall()
    )
    for region, members in (("East", districts[:2]), ("West", districts[2:3])):
        row = rows[rows["area_code"] == region].iloc[0]
        expected = round(1000 * row["people"] / sum(residents[m] for m in members), 2)
        assert row["value"] == pytest.approx(expected, abs=0.006)


def test_drilled_into_a_ward_the_areas_inside_it_and_those_with_data_there(built_db, con):
    ref = built_db.reference
    straddling = con.execute(
        "SELECT f.ward_code, count(DISTINCT f.sector) FROM facts f "
        "JOIN areas a ON a.level = 'sector' AND a.area_code = f.sector "
        "WHERE a.parent_ward_code IS DISTINCT FROM f.ward_code "
        "GROUP BY f.ward_code ORDER BY 2 DESC LIMIT 1"
    ).fetchone()
    assert straddling, "the built database should have sectors that straddle wards"
    ward = straddling[0]
    rows = run_view(
        built_db, "area_map", parse_filters({"level": "sector", "within": ward}, ref)
    ).rows
    inside = {code for code, a in ref.areas["sector"].items() if a.parent_ward_code == ward}
    with_data = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT sector FROM facts WHERE ward_code = $w", {"w": ward}
        ).fetchall()
    }
    assert set(rows["area_code"]) == inside | (with_data & set(ref.areas["sector"]))
    assert with_data - inside, "a sector with data in the ward but parented elsewhere shows"


@pytest.mark.parametrize(
    "measure", ["rate_per_1000", "internal_share", "agreements_active", "agreements_started"]
)
@pytest.mark.parametrize(
    "params",
    [
        {"level": "ward"},
        {"level": "sector", "period_kind": "quarter"},
        {"level": "h3r8", "age_bands": "65+"},
        {"level": "district", "elements": "OAERSRES,OAIHSENB,OAIRSCC"},
        {"level": "h3r7", "one_period": True},
    ],
)
def test_area_compare_city_cell_from_the_areas_query_matches_the_city_query(
    built_db, params, measure
):
    """With no chosen areas the city's cell is counted in the areas' own query
    (people_total.sql, provision_city_types.sql); it must equal what the city level counts on
    its own, over a range of periods and in one."""
    ref = built_db.reference
    params = dict(params)
    years = ref.periods.get(params.get("period_kind", "year"))
    first = years[-1] if params.pop("one_period", False) else years[-4]
    state = {"measure": measure, "from": first, "to": years[-1], **params}
    areas = run_view(built_db, "area_compare", parse_filters(state, ref)).rows
    city = run_view(built_db, "area_compare", parse_filters({**state, "level": "city"}, ref)).rows
    assert len(areas) > 1 and len(city) == 1
    assert (areas["city_value"] == city["value"][0]).all()
    assert (areas["city_status"] == city["value_status"][0]).all()


@pytest.mark.parametrize("measure", ["internal_share", "agreements_active", "rate_per_1000"])
def test_area_compare_at_city_level_compares_the_city_with_itself(built_db, measure):
    ref = built_db.reference
    f = parse_filters({"level": "city", "measure": measure}, ref)
    rows = run_view(built_db, "area_compare", f).rows
    assert list(rows["area_code"]) == ["city"]
    assert rows["value"][0] == rows["city_value"][0]
    assert rows["value_status"][0] == rows["city_status"][0]
    assert rows["comparison"][0] in ("similar", "")
