"""The directors' page without a browser: hotspot classes, region state, figures, numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.choices import choices_from_reference
from dashboard.pagekit import parse_page_state
from dashboard.pages.directors import (
    IDS,
    PRESET_REGIONS,
    add_region,
    builder_update,
    check_regions,
    format_regions,
    hotspot_outputs,
    parse_regions,
    query_of,
    region_compare,
    region_profiles,
    remove_region,
)
from dashboard.views import Context
from layers.area_map import MapView
from layers.hotspots import (
    HIGHER_95,
    HIGHER_998,
    LOWER_95,
    LOWER_998,
    NOT_COMPARED,
    SIMILAR,
    WITHHELD,
    hotspot_class,
    hotspot_map_figure,
    hotspot_rank_figure,
    summary_text,
)
from layers.regions import cost_per_person, profile_figure, region_compare_figure
from queries import parse_filters, run_view

PRESET_TEXT = "North:B16+B18+B19+B20+B21;East:B9+B10+B25+B26+B33;South:B13+B14+B30+B31"


def compare_rows() -> pd.DataFrame:
    """area_compare-shaped rows: one of each class, and a withheld area."""
    return pd.DataFrame(
        {
            "area_code": ["A", "B", "C", "D", "E", "F"],
            "area_name": ["Ash", "Birch", "Cedar", "Dale", "Elm", "Fern"],
            "value": [90.0, 84.0, 78.0, 72.0, 60.0, None],
            "value_status": ["", "", "[u]", "", "", "[c]"],
            "lower95": [86.0, 79.0, 70.0, 70.0, 57.0, None],
            "upper95": [94.0, 89.0, 86.0, 75.0, 63.0, None],
            "lower998": [84.0, 76.0, 66.0, 68.0, 55.0, None],
            "upper998": [96.0, 92.0, 90.0, 77.5, 65.0, None],
            "city_value": [77.8] * 6,
            "city_status": [""] * 6,
            "comparison": ["higher", "higher", "similar", "lower", "lower", ""],
            "comparison_998": ["higher", "similar", "similar", "similar", "lower", ""],
        }
    )


# --- hotspot classes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("c95", "c998", "status", "expected"),
    [
        ("higher", "higher", "", HIGHER_998.key),
        ("higher", "similar", "", HIGHER_95.key),
        ("similar", "similar", "[u]", SIMILAR.key),
        ("lower", "similar", "", LOWER_95.key),
        ("lower", "lower", "", LOWER_998.key),
        ("", "", "[c]", WITHHELD.key),
        (None, None, "[z]", NOT_COMPARED.key),
    ],
)
def test_each_area_gets_fingertips_class_from_both_intervals(c95, c998, status, expected) -> None:  # noqa: ANN001
    assert hotspot_class(c95, c998, status) == expected


def test_summary_counts_areas_by_class_and_names_the_withheld() -> None:
    text = summary_text(compare_rows(), "wards")
    assert text == (
        "Of 6 wards: 2 higher (1 at 99.8%), 1 similar, 2 lower (1 at 99.8%), 1 withheld [c]."
    )


def test_the_map_puts_every_area_in_exactly_one_class_and_withheld_ones_grey() -> None:
    fig = hotspot_map_figure(
        compare_rows(),
        geojson_url="/geometry/ward.geojson",
        outline_url=None,
        view=MapView(52.48, -1.89, 9.5),
        revision="ward",
    )
    by_name = {t.name: list(t.locations) for t in fig.data}
    assert by_name[WITHHELD.label] == ["F"]
    assert by_name[HIGHER_998.label] == ["A"] and by_name[LOWER_95.label] == ["D"]
    assert sorted(c for codes in by_name.values() for c in codes) == list("ABCDEF")
    withheld = next(t for t in fig.data if t.name == WITHHELD.label)
    assert "[c] fewer than 10" in withheld.text[0]


def test_the_ranked_chart_orders_by_rate_and_lists_withheld_areas_as_c_not_zero() -> None:
    fig = hotspot_rank_figure(compare_rows(), area_word="wards")
    assert list(fig.layout.yaxis.categoryarray) == ["Ash", "Birch", "Cedar", "Dale", "Elm", "Fern"]
    withheld = next(t for t in fig.data if t.name == WITHHELD.label)
    assert list(withheld.y) == ["Fern"] and list(withheld.text) == ["[c] fewer than 10"]
    shown = {
        y: x
        for t in fig.data[1:]
        if t.name != WITHHELD.label
        for x, y in zip(t.x, t.y, strict=True)
    }
    assert "Fern" not in shown and shown["Ash"] == 90.0
    # The 95% interval is drawn around each published value from the query layer's bounds.
    higher = next(t for t in fig.data if t.name == HIGHER_998.label)
    assert list(higher.error_x.array) == [4.0] and list(higher.error_x.arrayminus) == [4.0]


# --- cost per person ---------------------------------------------------------------------


def test_cost_per_person_comes_from_published_values_and_is_withheld_with_them() -> None:
    assert cost_per_person(2_500_000.0, "", 275, "") == (9090.0, "")
    assert cost_per_person(None, "[c]", None, "[c]") == (None, "[c]")
    assert cost_per_person(2_500_000.0, "", None, "[c]") == (None, "[c]")
    assert cost_per_person(None, "[x]", 40, "") == (None, "[x]")


# --- region state ------------------------------------------------------------------------


def test_regions_round_trip_and_accept_a_url_decoded_plus() -> None:
    regions = parse_regions(PRESET_TEXT)
    assert regions == list(PRESET_REGIONS)
    assert format_regions(regions) == PRESET_TEXT
    assert parse_regions("North:B16 B18;;bad;Empty:") == [("North", ("B16", "B18"))]


def test_adding_updating_and_removing_regions() -> None:
    regions, message = add_region([], "North West", ["B16", "B17"])
    assert regions == [("North West", ("B16", "B17"))] and message.startswith("Added")
    regions, message = add_region(regions, "North West", ["B17"])
    assert regions == [("North West", ("B17",))] and message.startswith("Updated")
    same, message = add_region(regions, "Other", ["B17", "B9"])
    assert same == regions and "already in North West" in message
    assert add_region(regions, "", ["B9"])[1] == "Give the region a name."
    assert "at least one" in add_region(regions, "X", [])[1]
    assert remove_region(regions, "North West") == []


def test_the_builder_writes_regions_into_the_url_and_keeps_other_keys() -> None:
    search, _ = builder_update(
        IDS.element("region-preset"), True, "?from=2013&level=district", None, None
    )
    assert search is not None
    state = parse_page_state(search)
    assert state["from"] == "2013" and state["level"] == "district"
    assert parse_regions(state["regions"]) == list(PRESET_REGIONS)
    removed, message = builder_update(
        {"type": "region-remove", "page": "directors", "name": "East"}, True, search, None, None
    )
    assert [n for n, _ in parse_regions(parse_page_state(removed)["regions"])] == ["North", "South"]
    assert message == "Removed East."
    cleared, _ = builder_update(IDS.element("region-clear"), True, search, None, None)
    assert "regions" not in parse_page_state(cleared)
    # A remove button that appears (n_clicks 0) is not a click.
    assert builder_update({"type": "region-remove", "name": "East"}, False, search, None, None) == (
        None,
        "",
    )


# --- on the test database ----------------------------------------------------------------


@pytest.fixture(scope="module")
def context(queries_db) -> Context:  # noqa: ANN001
    return Context(db=queries_db, choices=choices_from_reference(queries_db.reference))


def test_the_hotspot_card_asks_area_compare_for_rates_at_ward_or_district(context: Context) -> None:
    state = {"from": "2013", "age_bands": "65+", "level": "district", "regions": PRESET_TEXT}
    query = query_of(context, "hotspots", state)
    assert query is not None and query.view == "area_compare"
    assert query.params == {
        "from": "2013",
        "age_bands": "65+",
        "level": "district",
        "measure": "rate_per_1000",
    }
    assert query_of(context, "hotspots", {"level": "region"}).params["level"] == "ward"


def test_hotspots_show_the_query_layers_judgements(context: Context) -> None:
    state = {"from": "2013", "to": "2013", "level": "district"}
    _, rank, summary, _ = hotspot_outputs(context, state)
    reference = run_view(
        context.db,
        "area_compare",
        parse_filters({**state, "measure": "rate_per_1000"}, context.db.reference),
    ).rows
    assert summary.startswith(f"Of {len(reference)} postcode districts")
    drawn = {
        y: x for t in rank.data[1:] if t.x is not None for x, y in zip(t.x, t.y, strict=True) if x
    }
    for row in reference.itertuples():
        if row.value_status != "[c]" and not pd.isna(row.value):
            assert drawn[row.area_name] == pytest.approx(row.value)


def test_regions_side_by_side_equal_the_query_layer_at_level_region(context: Context) -> None:
    # The tiny test database has districts B1..B6 with cells of 1..9 people: some withheld.
    regions = [("West", ("B1", "B2")), ("East", ("B3", "B4")), ("Small", ("B6",))]
    state = {"from": "2012"}
    table, lines = region_compare(context, state, regions)
    assert table is not None, lines
    ref = context.db.reference
    params = {"from": "2012", "level": "region", "regions": format_regions(regions)}
    people = run_view(context.db, "area_map", parse_filters({**params, "measure": "people"}, ref))
    cost = run_view(context.db, "area_map", parse_filters({**params, "measure": "cost"}, ref))
    for row, p, c in zip(
        table.rows.itertuples(), people.rows.itertuples(), cost.rows.itertuples(), strict=True
    ):
        assert row.region == p.area_code and row.people_status == p.value_status
        assert (pd.isna(row.people) and pd.isna(p.value)) or row.people == p.value
        expected, status = cost_per_person(c.value, c.value_status, c.people, c.people_status)
        assert row.cost_per_person_status == status
        assert (expected is None and pd.isna(row.cost_per_person)) or (
            row.cost_per_person == expected
        )
    # No published count under 10 anywhere in the side-by-side table.
    for column in ("people", "agreements"):
        published = table.rows[column].dropna()
        assert not ((published > 0) & (published < 10)).any()
    small = table.rows.iloc[2]  # B6 alone has fewer than 10 people: withheld, and its cost
    assert small.people_status == "[c]" and small.cost_per_person_status == "[c]"
    fig = region_compare_figure(table.rows)
    assert list(fig.data[0].x) == ["West", "East", "Small"]
    assert fig.data[0].text[2] == "[c]"  # a hatched marker labelled [c], not a zero
    assert any("Cost per person" in line for line in lines)


def test_ethnicity_is_shown_for_district_regions_only(context: Context) -> None:
    ward = next(iter(context.choices.area_names["ward"]))
    regions = [("North", ("B1", "B2")), ("Wards", (ward,))]
    result, lines = region_profiles(context, {}, regions, "ethnic_group")
    assert result is not None, lines
    rows = result.rows
    assert set(rows.loc[rows.region == "Wards", "share_status"]) == {"[z]"}
    north = rows[rows.region == "North"].reset_index(drop=True)
    alone = run_view(
        context.db,
        "demographics",
        parse_filters(
            {"level": "region", "regions": "North:B1+B2", "dimension": "ethnic_group"},
            context.db.reference,
        ),
    ).rows
    assert list(north["people"].astype("Float64")) == list(alone["people"].astype("Float64"))
    fig = profile_figure(rows, categories=context.db.reference.ethnic_groups, dimension_label="E")
    assert [t.name for t in fig.data] == ["North", "Wards"]
    assert set(fig.data[1].text) == {"[z]"}


def test_age_profile_ignores_the_age_band_filter_and_says_so(context: Context) -> None:
    result, lines = region_profiles(
        context, {"age_bands": "65+"}, [("North", ("B1", "B2"))], "age_band"
    )
    assert result is not None
    assert len(result.rows) == len(context.db.reference.age_bands)
    assert any("age band filter" in line for line in lines)


def test_regions_the_query_layer_refuses_are_named_not_drawn(context: Context) -> None:
    assert "not a district or ward code" in check_regions(context, "Foo:ZZ9;North:B1")
    assert check_regions(context, "North:B1+B2") == ""
