"""The commissioners' page without a browser: its figures, its derived numbers, its queries."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.choices import choices_from_reference
from dashboard.pages.commissioners import (
    PROVISION_NOTE,
    city_share,
    element_controls,
    guarded,
    query_of,
    render_compare,
    render_matrix,
    render_moves,
    render_share_map,
)
from dashboard.views import Context
from layers.area_map import VALUE_TRACE, WITHHELD_TRACE, MapView
from layers.commission_compare import difference_map_figure
from layers.provision import (
    cell_label,
    provision_cells,
    provision_matrix_figure,
    share_map_figure,
    symmetric_range,
)
from layers.provision_moves import moved_most, share_changes
from layers.style import SUPPRESSED_TEXT
from queries import parse_filters, run_view

VIEW = MapView(lat=52.48, lon=-1.89, zoom=9.0)


def provision_row(code: str, period: str, share: float | None, status: str = "", **extra) -> dict:
    row = {
        "area_code": code,
        "area_name": code,
        "period": period,
        "internal_share": share,
        "internal_share_status": status,
    }
    for name in ("internal_people", "external_people", "direct_people"):
        row[name], row[f"{name}_status"] = extra.get(name, (20.0, ""))
    for name in ("internal_cost", "external_cost", "direct_cost"):
        row[name], row[f"{name}_status"] = extra.get(name, (1000.0, ""))
    return row


def provision_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


# --- derived numbers: only from published values, withheld when any input is --------------


def test_a_change_is_made_from_two_published_shares_and_withheld_otherwise() -> None:
    rows = provision_frame(
        [
            provision_row("B1", "2010", 0.40),
            provision_row("B1", "2015", 0.52),
            provision_row("B2", "2010", 0.30),
            provision_row("B2", "2015", None, "[c]"),
            provision_row("B3", "2010", 0.50, "[u]"),
            provision_row("B3", "2015", 0.45),
            provision_row("B4", "2015", 0.45),  # no 2010 row at all
            provision_row("B5", "2010", None, "[z]"),
            provision_row("B5", "2015", 0.45),
        ]
    )
    changes = share_changes(rows, "2010", "2015").set_index("area_code")
    assert changes.at["B1", "change_points"] == pytest.approx(12.0)
    assert changes.at["B1", "change_status"] == ""
    assert changes.at["B3", "change_points"] == pytest.approx(-5.0)
    assert changes.at["B3", "change_status"] == "[u]"
    assert changes.at["B2", "change_status"] == "[c]"  # an end is suppressed
    assert changes.at["B4", "change_status"] == "[x]"  # an end has no share at all
    assert changes.at["B5", "change_status"] == "[x]"
    for withheld in ("B2", "B4", "B5"):
        assert pd.isna(changes.at[withheld, "change_points"])
    top = moved_most(share_changes(rows, "2010", "2015"))
    assert list(top["area_code"]) == ["B1", "B3"]  # largest size first; withheld left out


def test_no_published_change_at_all_ranks_nothing() -> None:
    rows = provision_frame(
        [provision_row("B1", "2015", 0.4), provision_row("B2", "2010", None, "[c]")]
    )
    changes = share_changes(rows, "2010", "2015")
    assert dict(zip(changes["area_code"], changes["change_status"], strict=True)) == {
        "B1": "[x]",
        "B2": "[c]",
    }
    assert moved_most(changes).empty


def test_totals_and_the_direct_share_are_withheld_when_any_part_is() -> None:
    rows = provision_frame(
        [
            provision_row("B1", "2010", 0.5, internal_people=(20.0, ""), direct_people=(10.0, "")),
            provision_row("B2", "2010", None, "[c]", internal_people=(None, "[c]")),
            provision_row(
                "B3",
                "2010",
                None,
                "[z]",
                internal_people=(0.0, ""),
                external_people=(0.0, ""),
                direct_people=(0.0, ""),
            ),
        ]
    )
    cells = provision_cells(rows)
    assert cells["people"].at["B1", "2010"] == 40
    assert cells["cost"].at["B1", "2010"] == 2000
    assert cells["direct_share"].at["B1", "2010"] == pytest.approx(10 / 50)
    assert math.isnan(cells["people"].at["B2", "2010"])
    assert cells["people_status"].at["B2", "2010"] == "[c]"
    assert cells["direct_share_status"].at["B2", "2010"] == "[c]"
    assert cells["direct_share_status"].at["B3", "2010"] == "[z]"  # a share of nobody


def test_cell_labels_are_short_and_leave_u_to_the_cells_style() -> None:
    assert cell_label(SUPPRESSED_TEXT) == "[c]"
    assert cell_label("50.0% [u] low reliability") == "50%"
    assert cell_label("45.2%") == "45.2%"
    assert cell_label("£1.62m") == "£1.62m"


def test_the_diverging_range_is_centred_on_the_midpoint() -> None:
    assert symmetric_range([0.2, 0.45], 0.4) == pytest.approx((0.2, 0.6))
    low, high = symmetric_range([], 0.31)
    assert low < 0.31 < high and (0.31 - low) == pytest.approx(high - 0.31)


# --- figures -------------------------------------------------------------------------------


def test_share_map_is_centred_on_the_city_share_and_greys_withheld_areas() -> None:
    rows = pd.DataFrame(
        {
            "area_code": ["B1", "B2", "B3"],
            "area_name": ["B1", "B2", "B3"],
            "value": [0.50, 0.25, None],
            "value_status": ["", "[u]", "[c]"],
            "lower95": [0.45, 0.1, None],
            "upper95": [0.55, 0.4, None],
            "city_value": [0.31] * 3,
            "city_status": [""] * 3,
            "comparison": ["higher", "similar", ""],
        }
    )
    fig = share_map_figure(
        rows,
        city_share=0.31,
        geojson_url="/g.geojson",
        outline_url=None,
        period_label="2010 to 2015",
        view=VIEW,
        revision="district",
    )
    value = fig.data[VALUE_TRACE]
    assert (value.zmin + value.zmax) / 2 == pytest.approx(0.31)
    assert list(value.locations) == ["B1", "B2"]
    assert list(fig.data[WITHHELD_TRACE].locations) == ["B3"]
    assert fig.data[WITHHELD_TRACE].customdata[0][1] == SUPPRESSED_TEXT
    assert "higher than the city" in value.customdata[0][3]
    assert "31.0%" in value.colorbar.title.text


def test_difference_map_is_centred_on_zero_and_greys_withheld_differences() -> None:
    rows = pd.DataFrame(
        {
            "area_code": ["B23", "B1", "B2"],
            "area_name": ["B23", "B1", "B2"],
            "a_people": [1250, 15, 40],
            "a_status": ["", "", ""],
            "b_people": [560, None, 60],
            "b_status": ["", "[c]", ""],
            "difference": [690, None, -20],
            "difference_status": ["", "[c]", ""],
        }
    )
    fig = difference_map_figure(
        rows,
        label_a="A: OAEHSGCO",
        label_b="B: HSSU65PL",
        geojson_url="/g.geojson",
        outline_url=None,
        period_label="2010 to 2015",
        view=VIEW,
        revision="district",
    )
    value = fig.data[VALUE_TRACE]
    assert value.zmin == pytest.approx(-690) and value.zmax == pytest.approx(690)
    assert list(fig.data[WITHHELD_TRACE].locations) == ["B1"]
    assert fig.data[WITHHELD_TRACE].customdata[0][2] == SUPPRESSED_TEXT
    assert list(value.customdata[0][1:]) == ["1,250", "560", "690"]


def test_matrix_cells_show_share_and_people_and_withhold_what_is_withheld() -> None:
    rows = provision_frame(
        [
            provision_row("B1", "2010", 0.5),
            provision_row("B1", "2011", None, "[c]", internal_people=(None, "[c]")),
            provision_row("B2", "2010", 0.25, external_people=(60.0, "")),
            provision_row("B2", "2011", 0.4),
        ]
    )
    fig = provision_matrix_figure(rows, city_share=0.4, detail="people")
    heat = fig.data[0]
    assert heat.text[0][0] == "50%<br>40"
    assert heat.text[0][1] == "[c]<br>[c]"
    assert heat.text[1][0] == "25%<br>80"
    assert (heat.zmin + heat.zmax) / 2 == pytest.approx(0.4)
    cost = provision_matrix_figure(rows, city_share=0.4, detail="cost").data[0]
    assert cost.text[0][0] == "50%<br>£2,000"
    assert provision_matrix_figure(rows, city_share=None, detail="none").data[0].text[0][0] == "50%"


# --- the page's queries and its cards over the query layer --------------------------------


@pytest.fixture(scope="module")
def context(queries_db) -> Context:  # noqa: ANN001
    return Context(db=queries_db, choices=choices_from_reference(queries_db.reference))


def test_each_cards_query_is_one_the_api_accepts(context: Context) -> None:
    state = {"from": "2010", "to": "2014", "provision": "Internal", "level": "ward"}
    names = ("share_map", "city_share", "matrix", "moves", "compare")
    for name in names:
        query = query_of(context, name, state)
        assert query is not None
        parse_filters(query.params, context.db.reference)  # raises on a parameter it refuses
        assert "provision" not in query.params
    assert query_of(context, "share_map", state).params["level"] == "ward"
    assert query_of(context, "matrix", state).params["level"] == "district"
    assert query_of(context, "share_map", {}).params["measure"] == "internal_share"
    assert query_of(context, "share_map", {}).params["level"] == "district"
    assert query_of(context, "nothing", state) is None


def test_the_element_pair_defaults_to_two_different_elements(context: Context) -> None:
    first, second = element_controls(context)
    assert first.default and second.default and first.default != second.default
    params = query_of(context, "compare", {"element_a": "CHIRDRT", "themes": "MIA5"}).params
    assert params["element_a"] == "CHIRDRT" and params["element_b"] == second.default
    assert "themes" not in params  # the pair picks the elements


def test_the_matrix_shows_the_query_layers_shares(context: Context) -> None:
    figure, _ = render_matrix(context, {})
    heat = figure.data[0]
    rows = run_view(
        context.db, "provision", parse_filters({"level": "district"}, context.db.reference)
    ).rows
    shown = {
        (y.split(" ")[0], x): text.split("<br>")[0]
        for y, row in zip(heat.y, heat.text, strict=True)
        for x, text in zip(heat.x, row, strict=True)
    }
    assert len(shown) == len(rows)
    for row in rows.itertuples():
        text = shown[(row.area_code, str(row.period))]
        if row.internal_share_status in ("[c]", "[z]", "[x]"):
            assert text == row.internal_share_status
        else:
            assert float(text.split("%")[0]) == pytest.approx(row.internal_share * 100, abs=0.06)


def test_the_city_share_comes_from_the_query_layer(context: Context) -> None:
    result = run_view(
        context.db,
        "area_map",
        parse_filters({"level": "city", "measure": "internal_share"}, context.db.reference),
    )
    assert city_share(context, {}) == pytest.approx(float(result.rows["value"].iloc[0]))


def test_cards_say_why_without_geometry_and_name_the_provision_rule(context: Context) -> None:
    figure, note = render_share_map(context, {"provision": "Internal"})
    assert "geometry" in figure.layout.annotations[0].text
    texts = [str(p.children) for p in note]
    assert PROVISION_NOTE in texts and any(t.startswith("Colour midpoint") for t in texts)
    bars, difference_map, _ = render_compare(context, {})
    assert bars.data and "geometry" in difference_map.layout.annotations[0].text


def test_compare_bars_and_moves_name_postcode_districts_not_bare_codes(context: Context) -> None:
    """A district's bar reads "Erdington (B23)", never a bare "B23"; the legend leads with the
    element's name, its code after."""
    names = context.choices.area_names["district"]
    bars, _, _ = render_compare(context, {"level": "district"})
    shown = list(bars.data[0].y)
    assert shown and not any(label in names for label in shown)  # no bare "B23"
    for label in shown:
        code = label.rsplit("(", 1)[-1].rstrip(")")
        assert code in names and label == f"{names[code]} ({code})", label
    assert bars.data[0].name.startswith("A: ") and not bars.data[0].name[3:].split()[0].isupper()
    figure, _, _ = render_moves(context, {"level": "district", "from": "2010", "to": "2015"})
    for label in figure.data[0].y if figure.data else ():
        code = label.rsplit("(", 1)[-1].rstrip(")")
        assert label == f"{names[code]} ({code})", label


def test_moves_need_two_periods_and_rank_published_changes(context: Context) -> None:
    figure, table, _ = render_moves(context, {"from": "2012", "to": "2012"})
    assert table is None and "two periods" in figure.layout.annotations[0].text
    figure, _, note = render_moves(context, {"from": "2010", "to": "2015"})
    texts = [str(p.children) for p in note]
    assert any("withheld change" in t for t in texts)
    if figure.data:
        sizes = [abs(x) for x in figure.data[0].x]
        assert sizes == sorted(sizes, reverse=True)
    # The whole series starts in a year of few people: an empty card names the two periods
    # and the way out.
    figure, table, _ = render_moves(context, {})
    assert table is None
    words = figure.layout.annotations[0].text.replace("<br>", " ")
    assert "2001 and 2015" in words and "later first period" in words


def test_a_card_that_fails_to_draw_says_so_instead_of_raising() -> None:
    def broken(_state: dict) -> tuple:
        raise ValueError("boom")

    figure, table, note = guarded(broken, ("figure", "table", "note"), {})
    assert table is None and "could not be drawn" in figure.layout.annotations[0].text
    assert "boom" not in str(note)


def test_the_same_element_twice_is_a_message_not_a_query(context: Context) -> None:
    bars, _, note = render_compare(context, {"element_a": "CHIRDRT", "element_b": "CHIRDRT"})
    assert "two different elements" in bars.layout.annotations[0].text
    assert note
