"""The views the budget and directors' pages show (mia_targets, mia_saving, enablement_groups,
enablement_areas, area_profiles) on the real build: every value is the published cell it
comes from (read straight from the served file), or derived from published values only."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from care_atlas.reference import load_mia_targets
from queries import FilterError, parse_filters, run_view
from queries.region_views import WARD_SET_NOTE
from queries.saving_views import AVERAGE_LABEL

FY = {"period_kind": "fy", "from": "2012/13", "to": "2014/15"}
MEASURES = ("people", "people_over_6w", "cost_beyond_42")


@pytest.fixture(scope="module")
def cells(queries_serving_path) -> pd.DataFrame:
    """Every published cell of every area and period, with no age band, client group, gender
    or ethnic group breakdown: the oracle, read without the query layer."""
    con = duckdb.connect(str(queries_serving_path), read_only=True)
    try:
        return con.execute(
            "SELECT level, period_kind, period, area_code, what, age_band, ethnic_group, people, "
            "people_over_6w, cost, cost_beyond_42 FROM cells WHERE client_group = 'all' "
            "AND gender = 'all' AND (age_band = 'all' OR ethnic_group = 'all')"
        ).df()
    finally:
        con.close()


def published(cells: pd.DataFrame, **key: str) -> pd.Series | None:
    """The one published cell with these keys (others 'all'); None when the file has no row
    (a cell with nothing published)."""
    key = {"age_band": "all", "ethnic_group": "all", **key}
    found = cells
    for column, value in key.items():
        found = found[found[column] == value]
    assert len(found) <= 1, key
    return None if found.empty else found.iloc[0]


def same(shown: object, cell: pd.Series | None, measure: str) -> bool:
    """A view's value is its cell's: both withheld, or equal."""
    truth = None if cell is None else cell[measure]
    if truth is None or pd.isna(truth):
        return pd.isna(shown)
    return not pd.isna(shown) and float(shown) == float(truth)


def view(db, name: str, **params: str):  # noqa: ANN001, ANN201
    return run_view(db, name, parse_filters(params, db.reference))


def test_enablement_groups_are_the_citys_cells_of_each_element_and_of_mia17(queries_db, cells):
    result = view(queries_db, "enablement_groups", **FY, themes="MIA17")
    rows = result.rows
    assert list(dict.fromkeys(rows["period"])) == ["2012/13", "2013/14", "2014/15"]
    assert list(rows["group"][:4]) == ["LD", "OA", "PD", "all"]
    whats = {"LD": "element:LDIHSENB", "OA": "element:OAIHSENB", "PD": "element:PDIHSENB"}
    city = queries_db.reference.city_code()
    for row in rows.itertuples():
        cell = published(
            cells,
            level="city",
            period_kind="fy",
            period=row.period,
            area_code=city,
            what=whats.get(row.group, "theme:MIA17"),
        )
        for measure in MEASURES:
            assert same(getattr(row, measure), cell, measure), (row.period, row.group, measure)
        if not pd.isna(row.share_over_6w):
            assert row.share_over_6w == round(row.people_over_6w / row.people, 4)
    assert rows["group_label"].iloc[0] == "Learning disability (LD) (LDIHSENB)"
    assert rows["group_label"].iloc[3] == "All enablement"


def test_enablement_areas_are_the_enablement_view_year_by_year(queries_db, cells):
    result = view(queries_db, "enablement_areas", **FY, level="district", themes="MIA17")
    rows = result.rows
    for year in ("2012/13", "2013/14", "2014/15"):
        alone = view(queries_db, "enablement", period_kind="fy", **{"from": year, "to": year},
                     level="district").rows  # fmt: skip
        mine = rows[rows["period"] == year].drop(columns="period").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)
        for row in mine.itertuples():
            cell = published(
                cells, level="district", period_kind="fy", period=year,
                area_code=row.area_code, what="theme:MIA17",
            )  # fmt: skip
            assert same(row.people, cell, "people") and same(
                row.cost_beyond_42, cell, "cost_beyond_42"
            )
    internal = view(queries_db, "enablement_areas", **FY, themes="MIA17", provision="Internal")
    assert internal.meta["what"] == "theme:MIA17:Internal"


def test_mia_targets_are_table_14_in_pounds_labelled_budget_figures(queries_db):
    result = view(queries_db, "mia_targets", themes="MIA5")
    table = load_mia_targets()
    mia5 = table[table["theme"] == "MIA5"].sort_values("financial_year")
    assert list(result.rows["financial_year"]) == list(mia5["financial_year"])
    assert list(result.rows["saving"]) == [round(v * 1e6) for v in mia5["saving_m"]]
    assert set(result.rows["net_spend_2015_16"]) == {
        round(mia5["net_spend_2015_16_m"].iloc[0] * 1e6)
    }
    kinds = {c.name: c.kind for c in result.columns}
    assert kinds["saving"] == kinds["net_spend_2015_16"] == "budget"
    assert "not reconcile" in " ".join(result.meta["notes"])
    every = view(queries_db, "mia_targets")
    assert list(dict.fromkeys(every.rows["theme"])) == ["MIA3", "MIA5", "MIA17"]  # by number


def test_table_14_is_read_once_with_the_reference_not_per_request(queries_db, monkeypatch):
    """Table 14 is static reference data: opening the file reads it, and the views showing it
    run no SQL for it (mia_targets none at all)."""
    table = load_mia_targets()
    assert len(queries_db.reference.mia_targets) == len(table)

    def no_sql(*args: object, **kwargs: object) -> None:
        raise AssertionError("a request read Table 14 from the file")

    monkeypatch.setattr(queries_db, "query", no_sql)
    monkeypatch.setattr(queries_db, "arrays", no_sql)
    result = view(queries_db, "mia_targets", themes="MIA3")
    assert set(result.rows["theme"]) == {"MIA3"}


def test_the_saving_reads_the_trends_published_people_and_cost(queries_db):
    params = {**FY, "to": "2015/16", "themes": "MIA3"}
    result = view(queries_db, "mia_saving", **params)
    trend = view(queries_db, "trend", **params, level="city").rows.set_index("period")
    rows = result.rows
    assert list(rows["saving_year"]) == ["2016/17", "2017/18", "2018/19", "2019/20", AVERAGE_LABEL]
    # The data runs to 2015-12-31, so 2015/16 is a part year: "today" is 2014/15.
    assert set(rows["basis_year"]) == {"2014/15"}
    basis = trend.loc["2014/15"]
    assert set(rows["basis_people"]) == {basis["people"]} and set(rows["basis_cost"]) == {
        basis["cost"]
    }
    for row in rows.itertuples():
        assert row.people_fewer == round(row.saving / row.net_spend_2015_16 * basis["cost"]
                                         / (basis["cost"] / basis["people"]))  # fmt: skip
    assert result.meta["withheld"] == ""
    kinds = {c.name: c.kind for c in result.columns}
    assert kinds["saving"] == "budget" and kinds["people_fewer"] == "change"


def test_a_part_year_alone_withholds_the_people_implied(queries_db):
    result = view(queries_db, "mia_saving", period_kind="fy", themes="MIA3",
                  **{"from": "2015/16", "to": "2015/16"})  # fmt: skip
    assert "no whole financial year" in result.meta["withheld"]
    assert set(result.rows["people_fewer_status"]) == {"[x]"}
    assert result.rows["people_fewer"].isna().all()


def test_each_regions_profile_is_its_own_demographics(queries_db, cells):
    state = {"level": "region", "region_set": "nes", "from": "2013", "to": "2013"}
    rows = view(queries_db, "area_profiles", **state).rows
    assert set(rows["dimension"]) == {"age_band", "ethnic_group"}
    for code in queries_db.reference.level_areas("region", "nes"):
        for dimension in ("age_band", "ethnic_group"):
            alone = view(queries_db, "demographics", **state, areas=code, dimension=dimension).rows
            mine = rows[(rows["area_code"] == code) & (rows["dimension"] == dimension)]
            columns = list(alone.columns)
            pd.testing.assert_frame_equal(mine[columns].reset_index(drop=True), alone)
            for row in mine.itertuples():
                cell = published(cells, level="region", period_kind="year", period="2013",
                                 area_code=code, what="all", **{dimension: row.category})  # fmt: skip
                assert same(row.people, cell, "people"), (code, row.category)


def test_an_age_band_keeps_the_age_profile_whole_and_says_why_ethnicity_is_not_shown(queries_db):
    state = {"level": "region", "region_set": "nes", "from": "2013", "to": "2013"}
    whole = view(queries_db, "area_profiles", **state).rows
    banded = view(queries_db, "area_profiles", **state, age_bands="65+")
    assert set(banded.rows["dimension"]) == {"age_band"}
    ages = whole[whole["dimension"] == "age_band"].reset_index(drop=True)
    pd.testing.assert_frame_equal(banded.rows, ages)
    assert "[z]" in banded.meta["ethnicity_withheld"]
    assert any("age band filter" in note for note in banded.meta["notes"])


def test_a_set_of_wards_has_no_ethnicity_profile(queries_db, monkeypatch):
    monkeypatch.setitem(queries_db.reference.region_set_kinds, "nes", "ward")
    result = view(queries_db, "area_profiles", level="region", region_set="nes")
    assert set(result.rows["dimension"]) == {"age_band"}
    assert result.meta["ethnicity_withheld"] == WARD_SET_NOTE


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("enablement_groups", {"themes": "MIA3"}, "themes"),
        ("enablement_areas", {"elements": "OAEHSGCO"}, "elements"),
        ("mia_targets", {"services": "OAHS"}, "services"),
        ("mia_saving", {"period_kind": "fy"}, "themes"),
        ("mia_saving", {"themes": "MIA3"}, "period_kind"),
        ("area_profiles", {"level": "district", "ethnic_groups": "Asian"}, "ethnic_groups"),
    ],
)
def test_what_a_view_does_not_show_is_refused_naming_the_field(queries_db, name, params, field):
    with pytest.raises(FilterError) as info:
        view(queries_db, name, **params)
    assert info.value.field == field
