"""The directors' page without a browser: hotspot classes, region sets, figures, numbers."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from dashboard.catalogue import list_problem
from dashboard.choices import RegionSet, choices_from_reference
from dashboard.pagekit import parse_page_state
from dashboard.pages.directors import hotspot_outputs, query_of, render_profiles, render_regions
from dashboard.pages.directors_regions import member_list
from dashboard.views import Context
from layers.area_map import MapView
from layers.hotspot_rank import SHOWN_EACH_END, hotspot_rank_figure
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
    summary_text,
)
from layers.regions import region_colour, region_compare_figure
from layers.style import SUPPRESSED_FILL, SUPPRESSED_TEXT
from queries import parse_filters, run_view
from queries.result import Column, ProtectedResult


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
    assert SUPPRESSED_TEXT in withheld.text[0]


def test_the_ranked_chart_orders_by_rate_and_lists_withheld_areas_as_c_not_zero() -> None:
    fig = hotspot_rank_figure(compare_rows(), area_word="wards")
    assert list(fig.layout.yaxis.categoryarray) == ["Ash", "Birch", "Cedar", "Dale", "Elm", "Fern"]
    withheld = next(t for t in fig.data if t.name == WITHHELD.label)
    assert list(withheld.y) == ["Fern"] and list(withheld.text) == ["[c]"]
    assert list(withheld.customdata) == [SUPPRESSED_TEXT]  # the hover says it in full
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


# --- regions: the council's region sets ---------------------------------------------------

SET = RegionSet(
    "nes",
    "North, East and South (thesis)",
    "district",
    {
        "nes/North": ("North", ("B1", "B2")),
        "nes/East": ("East", ("B3", "B4")),
        "nes/South": ("South", ("B6",)),
    },
)
WARD_SET = RegionSet("wards", "Ward regions", "ward", {"wards/Centre": ("Centre", ("E05011118",))})


@pytest.fixture(scope="module")
def context(queries_db) -> Context:  # noqa: ANN001
    choices = choices_from_reference(queries_db.reference)
    return Context(
        db=queries_db, choices=replace(choices, region_sets={"nes": SET, "wards": WARD_SET})
    )


class Recorder:
    """A runner that records what the page asks the query layer and answers with canned rows
    (the region-set parameters are the new contract's: the test checks the request)."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self.rows, self.asked = rows, []

    def __call__(self, db, view: str, params: dict) -> ProtectedResult:  # noqa: ANN001
        self.asked.append((view, dict(params)))
        columns = [Column(c, "status" if c.endswith("status") else "count") for c in self.rows]
        return ProtectedResult(columns, self.rows.copy(), {"definition": "canned"})


@pytest.fixture
def recorded(context: Context, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """The context with a Recorder as its runner; filters pass through unparsed."""
    monkeypatch.setattr("dashboard.views.parse_filters", lambda params, _ref: dict(params))

    def make(rows: pd.DataFrame) -> tuple[Context, Recorder]:
        recorder = Recorder(rows)
        return replace(context, runner=recorder), recorder

    return make


def test_the_regions_card_is_one_view_at_level_region_of_the_chosen_set(context: Context) -> None:
    state = {"from": "2013", "to": "2013", "themes": "MIA3", "region_set": "nes"}
    query = query_of(context, "regions_compare", state)
    assert query is not None and query.view == "area_compare"
    assert query.params == {
        "from": "2013",
        "to": "2013",
        "themes": "MIA3",
        "level": "region",
        "region_set": "nes",
        "measure": "rate_per_1000",
    }
    cost = query_of(context, "regions_compare", {"measure": "cost"})
    assert cost is not None and cost.view == "area_map"  # area_compare does not compare money
    assert cost.params["region_set"] == "nes"  # the default set, named so the API agrees


def test_regions_compared_draw_each_region_in_its_colour_and_withheld_as_c(recorded) -> None:  # noqa: ANN001
    rows = pd.DataFrame(
        {
            "area_code": ["nes/North", "nes/East", "nes/South"],
            "area_name": ["North", "East", "South"],
            "value": [12.5, 9.0, None],
            "value_status": ["", "", "[c]"],
            "lower95": [10.0, 7.0, None],
            "upper95": [15.0, 11.0, None],
            "city_value": [10.0] * 3,
        }
    )
    ctx, recorder = recorded(rows)
    figure, _note = render_regions(ctx, {"region_set": "nes"})
    assert recorder.asked == [
        ("area_compare", {"level": "region", "region_set": "nes", "measure": "rate_per_1000"})
    ]
    bars = figure.data[0]
    assert list(bars.x) == ["North", "East", "South"]
    assert bars.text[2] == "[c]" and bars.marker.color[2] == SUPPRESSED_FILL
    assert bars.marker.color[0] == region_colour(0)


def test_the_profiles_card_is_one_area_profiles_view_of_the_set(recorded) -> None:  # noqa: ANN001
    rows = pd.DataFrame(
        {
            "area_code": [code for code in SET.regions for _ in range(2)],
            "area_name": [name for name, _m in SET.regions.values() for _ in range(2)],
            "dimension": ["age_band"] * 6,
            "category": ["0-10", "65+"] * 3,
            "people": [None, 40.0] * 3,
            "people_status": ["[c]", ""] * 3,
            "share": [None, 0.8] * 3,
            "share_status": ["[c]", ""] * 3,
            "total_people": [50.0] * 6,
            "total_people_status": [""] * 6,
        }
    )
    ctx, recorder = recorded(rows)
    age, ethnicity, _note = render_profiles(ctx, {"age_bands": "65+"})
    assert recorder.asked == [
        ("area_profiles", {"age_bands": "65+", "level": "region", "region_set": "nes"})
    ]
    assert [t.name for t in age.data] == ["North", "East", "South"]
    assert age.data[0].text[0] == "[c]" and age.data[0].marker.color[0] == SUPPRESSED_FILL
    assert not ethnicity.data  # no ethnic group rows: nothing drawn, never a zero


def test_an_old_link_with_free_form_regions_is_refused_naming_the_field() -> None:
    state = parse_page_state("?from=2012&regions=North:B16%2BB18;East:B9")
    field, message = list_problem(state)
    assert field == "regions" and "region sets" in message


def test_membership_is_reference_data_and_names_are_text_not_markup(context: Context) -> None:
    odd = RegionSet("x", "X", "district", {"x/<b>Bold</b>": ("<b>Bold</b>", ("B1",))})
    listed = member_list(odd)
    assert "<b>Bold</b>" in str(listed)  # a Strong component holding the text, not markup
    fig = region_compare_figure(
        pd.DataFrame(
            {
                "area_code": ["x/<b>Bold</b>"],
                "area_name": ["<b>Bold</b>"],
                "value": [1.0],
                "value_status": [""],
            }
        ),
        measure_label="People",
        kind="count",
    )
    assert list(fig.data[0].x) == ["&lt;b&gt;Bold&lt;/b&gt;"]


# --- on the test database ----------------------------------------------------------------


def test_the_hotspot_card_asks_area_compare_for_rates_at_ward_or_district(context: Context) -> None:
    state = {"from": "2013", "age_bands": "65+", "level": "district", "region_set": "nes"}
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
    drawn = {  # districts are drawn as "B31 Longbridge & West Heath": keyed by code
        y.split(" ")[0]: x
        for t in rank.data[1:]
        if t.x is not None
        for x, y in zip(t.x, t.y, strict=True)
        if x is not None
    }
    # A long ranking draws its two ends (the rest are in the table): each drawn area's value
    # is the query layer's, and the highest and lowest published areas are among them.
    published = reference[[not pd.isna(v) for v in reference["value"]]]
    for row in published.itertuples():
        if row.area_code in drawn:
            assert drawn[row.area_code] == pytest.approx(row.value)
    ends = published.sort_values("value")["area_code"]
    assert {ends.iloc[0], ends.iloc[-1]} <= set(drawn)
    assert len(drawn) >= min(len(published), 2 * SHOWN_EACH_END)


@pytest.fixture(scope="module")
def served(queries_db) -> Context:  # noqa: ANN001
    """The page on the real build, with its council region sets (reference data)."""
    return Context(db=queries_db, choices=choices_from_reference(queries_db.reference, queries_db))


def test_the_region_sets_come_from_the_served_reference_tables(served: Context) -> None:
    sets = served.choices.region_sets
    assert set(sets) == set(served.db.reference.region_sets)
    nes = sets["nes"]
    assert nes.kind == "district"
    assert [name for name, _ in nes.regions.values()] == ["East", "North", "South"]
    assert set(nes.regions) <= set(served.db.reference.areas["region"])


def test_regions_compared_are_exactly_the_query_layers_answer(served: Context) -> None:
    state = {"from": "2013", "to": "2013", "region_set": "nes"}
    figure, note = render_regions(served, state)
    ref = served.db.reference
    params = {**state, "level": "region", "measure": "rate_per_1000"}
    rows = run_view(served.db, "area_compare", parse_filters(params, ref)).rows
    bars = figure.data[0]
    assert list(bars.x) == list(rows["area_name"])
    drawn = [None if status else y for y, status in zip(bars.y, rows["value_status"], strict=True)]
    expected = [
        None if status else v for v, status in zip(rows["value"], rows["value_status"], strict=True)
    ]
    assert drawn == pytest.approx(expected)
    profiles = run_view(served.db, "area_profiles", parse_filters(params, ref)).rows
    age, ethnicity, _note = render_profiles(served, state)
    for figure, dimension in ((age, "age_band"), (ethnicity, "ethnic_group")):
        for trace in figure.data:
            drawn = profiles[
                (profiles["area_name"] == trace.name) & (profiles["dimension"] == dimension)
            ]
            assert len(drawn) == len(trace.y) > 0
            expected = [None if pd.isna(v) else round(v * 100, 6) for v in drawn["share"]]
            withheld = drawn["share_status"] == "[c]"  # drawn as a small grey [c] marker
            shown = [None if c else round(y, 6) for y, c in zip(trace.y, withheld, strict=True)]
            assert shown == expected


def test_the_ranked_chart_fits_its_axis_to_the_data_not_from_zero() -> None:
    fig = hotspot_rank_figure(compare_rows(), area_word="wards")
    low, high = fig.layout.xaxis.range
    assert 50 < low < 55 and 96 < high < 100  # the intervals run 55 to 96
    assert fig.layout.xaxis.rangemode is None


def test_a_long_ranking_shows_both_ends_and_counts_the_rest() -> None:
    rows = pd.concat([compare_rows().iloc[:5]] * 8, ignore_index=True)
    rows["area_code"] = [f"W{i}" for i in range(len(rows))]
    rows["area_name"] = [f"Ward {i}" for i in range(len(rows))]
    rows["value"] = [float(100 - i) for i in range(len(rows))]
    fig = hotspot_rank_figure(rows, area_word="wards")
    labels = list(fig.layout.yaxis.categoryarray)
    assert labels[0] == "Ward 0" and labels[-1] == "Ward 39"
    assert "22 more areas: see the table" in labels[9]
    # The card's box (assets: .directors-rank, 780 px) holds the chart whole: nothing scrolls.
    assert fig.layout.height <= 760


def test_many_withheld_areas_are_one_row_a_few_are_listed() -> None:
    rows = pd.concat([compare_rows()] * 2, ignore_index=True)
    rows["area_name"] = [f"Ward {i}" for i in range(len(rows))]
    labels = list(hotspot_rank_figure(rows, area_word="wards").layout.yaxis.categoryarray)
    assert set(labels[-2:]) == {"Ward 5", "Ward 11"}  # two withheld: listed as [c]
    many = pd.concat([compare_rows().iloc[[5]]] * 6 + [compare_rows().iloc[:5]], ignore_index=True)
    many["area_name"] = [f"Ward {i}" for i in range(len(many))]
    labels = list(hotspot_rank_figure(many, area_word="wards").layout.yaxis.categoryarray)
    assert labels[-1] == "··· 6 withheld [c] or not compared: see the table ···"
    assert len(labels) == 6


def test_the_ranked_chart_sizes_its_margins_from_its_labels_so_a_slide_can_grow_them() -> None:
    """Its names, axis title and legend follow the type size (the presenter's slide drew them
    at a fixed 12-13 px beside 20 px type): margins from a plan, no automargin pass."""
    from dashboard.present import fit
    from layers.margins import MarginPlan, widest
    from layers.style import FONT_SIZE, PRESENT_FONT_SIZE

    fig = hotspot_rank_figure(compare_rows(), area_word="wards")
    layout = fig.to_plotly_json()["layout"]
    plan = MarginPlan.from_meta(layout["meta"])
    assert plan is not None and layout["margin"] == plan.at(FONT_SIZE)
    assert layout["yaxis"]["automargin"] is False and "tickfont" not in layout["yaxis"]
    assert layout["margin"]["l"] >= widest(layout["yaxis"]["categoryarray"]) * FONT_SIZE
    slide = fit(fig)["layout"]
    assert slide["margin"] == plan.at(PRESENT_FONT_SIZE, toolbar=False)
    assert slide["margin"]["l"] > layout["margin"]["l"] and "height" not in slide
    # Its legend's room is for the entries Plotly lists: classes no area is in have none.
    one_class = hotspot_rank_figure(compare_rows().iloc[:1], area_word="wards")
    assert len(MarginPlan.from_meta(one_class.layout.meta).legend) == 3  # class, 2 intervals
    keys = {t.name: t.line.width for t in one_class.data if t.mode == "lines"}
    assert keys == {"95% interval": 2.5, "99.8% interval": 1}  # each keyed by its line
