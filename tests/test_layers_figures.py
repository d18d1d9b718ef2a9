"""Figure builders: values, withheld areas and highlight rules, from hand-made view rows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from layers.area_map import (
    VALUE_TRACE,
    WITHHELD_TRACE,
    map_figure,
    trace_values,
    view_for_bounds,
)
from layers.elements import element_compare_figure, elements_figure
from layers.highlights import challenging, improving, unusual
from layers.matrix import highlight_shapes, matrix_figure, pivot_matrix
from layers.style import SUPPRESSED_FILL, SUPPRESSED_TEXT, format_value
from layers.trend import trend_figure


def area_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": ["E1", "E2", "E3"],
            "area_name": ["Aston", "Nechells", "Ladywood"],
            "value": [120.0, None, 45.0],
            "value_status": ["", "[c]", "[u]"],
            "people": [120.0, None, 45.0],
            "people_status": ["", "[c]", ""],
        }
    )


def test_withheld_areas_go_to_the_grey_trace_with_the_c_tooltip() -> None:
    values = trace_values(area_rows(), kind="count", measure_label="People")
    assert values[VALUE_TRACE]["locations"] == ["E1", "E3"]
    assert values[VALUE_TRACE]["z"] == [120.0, 45.0]
    assert values[WITHHELD_TRACE]["locations"] == ["E2"]
    assert values[WITHHELD_TRACE]["customdata"][0][1] == SUPPRESSED_TEXT
    assert values[VALUE_TRACE]["customdata"][1][1] == "45 [u] low reliability"


def test_map_figure_references_geometry_by_url_and_greys_withheld() -> None:
    fig = map_figure(
        area_rows(),
        geojson_url="/geometry/ward.geojson?v=1",
        outline_url="/geometry/boundary.geojson?v=1",
        kind="count",
        measure_label="People",
        period_label="2009 to 2015",
        view=view_for_bounds((-2.0, 52.4, -1.7, 52.6)),
        revision="ward|",
    )
    assert fig.data[0].geojson == "/geometry/ward.geojson?v=1"
    assert fig.data[1].colorscale[0][1] == SUPPRESSED_FILL
    assert "2009 to 2015" in fig.data[0].colorbar.title.text
    assert fig.layout.map.style == "white-bg"
    assert fig.layout.map.layers[0].source == "/geometry/boundary.geojson?v=1"


def test_view_for_bounds_zooms_in_on_smaller_areas() -> None:
    city = view_for_bounds((-2.04, 52.38, -1.72, 52.61))
    ward = view_for_bounds((-1.90, 52.48, -1.86, 52.50))
    assert 8 < city.zoom < 11
    assert ward.zoom > city.zoom + 2
    assert math.isclose(city.lat, (52.38 + 52.61) / 2)


@pytest.mark.parametrize(
    ("value", "kind", "status", "expected"),
    [
        (1234, "count", "", "1,234"),
        (None, "count", "[c]", SUPPRESSED_TEXT),
        (2_500_000, "money", "", "£2.5m"),
        (25_500_000, "money", "", "£25.5m"),
        (0.456, "share", "", "45.6%"),
        (12.34, "rate", "[u]", "12.3 [u] low reliability"),
        (None, "count", "", "[x] not available"),
    ],
)
def test_format_value(value, kind, status, expected) -> None:  # noqa: ANN001
    assert format_value(value, kind, status) == expected


def test_c_has_one_wording_and_it_does_not_promise_fewer_than_the_threshold() -> None:
    """The build also suppresses a share of the counts just above the threshold, so no legend,
    tooltip, note or API legend may say a [c] is "fewer than 10": each takes the one wording."""
    from pathlib import Path

    from care_atlas.vocab import SUPPRESSED_MEANING
    from queries.catalogue import COUNT_THRESHOLD
    from queries.viewkit import STATUS_LEGEND

    assert f"under {COUNT_THRESHOLD}, or near {COUNT_THRESHOLD}" in SUPPRESSED_MEANING
    assert SUPPRESSED_MEANING in SUPPRESSED_TEXT and SUPPRESSED_MEANING in STATUS_LEGEND["[c]"]
    root = Path(__file__).resolve().parents[1]
    sources = [
        p for d in ("dashboard", "layers", "queries", "assets") for p in (root / d).rglob("*")
    ]
    stale = [
        str(p.relative_to(root))
        for p in sources
        if p.suffix in (".py", ".js", ".css") and "fewer than 1" in p.read_text(encoding="utf-8")
    ]
    assert stale == []


def matrix_rows(table: dict[str, list[float | None]], periods: list[str]) -> pd.DataFrame:
    records = []
    for area, values in table.items():
        for period, value in zip(periods, values, strict=True):
            records.append(
                {
                    "area_code": area,
                    "area_name": f"name {area}",
                    "period": period,
                    "value": value,
                    "value_status": "[c]" if value is None else "",
                }
            )
    return pd.DataFrame(records)


PERIODS = ["2011", "2012", "2013", "2014"]


def test_pivot_keeps_withheld_cells_as_nan() -> None:
    values, status, names = pivot_matrix(matrix_rows({"B1": [10, None, 30, 40]}, PERIODS))
    assert np.isnan(values.loc["B1", "2012"])
    assert status.loc["B1", "2012"] == "[c]"
    assert names["B1"] == "name B1"


def test_unusual_cells_picks_the_outlier_only() -> None:
    base = {f"B{i}": [100.0 + i, 102.0 + i, 104.0 + i, 106.0 + i] for i in range(8)}
    base["B3"] = [103.0, 105.0, 400.0, 109.0]
    values, _, _ = pivot_matrix(matrix_rows(base, PERIODS))
    assert unusual(values).cells == ((3, 2),)


def test_improving_areas_fall_against_the_city_trend() -> None:
    values, _, _ = pivot_matrix(
        matrix_rows(
            {
                "FALL": [100, 90, 80, 70],
                "FLAT": [100, 99, 101, 98],
                "RISE": [50, 60, 70, 80],
                **{f"B{i}": [100, 101, 99, 100] for i in range(8)},
            },
            PERIODS,
        )
    )
    assert [values.index[i] for i in improving(values).rows] == ["FALL"]


def test_challenging_years_are_years_that_rose_more_than_usual() -> None:
    periods = [str(y) for y in range(2006, 2016)]
    steady = [100 * 1.05**k for k in range(10)]
    jump = [v * (1.4 if k >= 6 else 1.0) for k, v in enumerate(steady)]
    values, _, _ = pivot_matrix(matrix_rows({"A": jump, "B": jump, "C": steady}, periods))
    assert [values.columns[j] for j in challenging(values).columns] == ["2012"]


def test_matrix_figure_labels_c_cells_and_draws_highlight_boxes() -> None:
    rows = matrix_rows({"A": [10, 20, None, 30], "B": [10, 20, 25, 35]}, PERIODS)
    fig = matrix_figure(rows, kind="count", measure_label="People", highlight="unusual")
    assert fig.data[0].text[0][2] == "[c]"
    assert fig.layout.plot_bgcolor == SUPPRESSED_FILL
    values, _, _ = pivot_matrix(rows)
    assert len(fig.layout.shapes) == len(highlight_shapes(values, "unusual"))


def test_elements_figure_shows_c_as_zero_length_labelled_bar() -> None:
    rows = pd.DataFrame(
        {
            "element_code": ["A1", "B2"],
            "element_description": ["Home support", "Meals"],
            "provision_type": ["External", "Internal"],
            "people": [500.0, None],
            "people_status": ["", "[c]"],
            "agreements": [700.0, None],
            "agreements_status": ["", "[c]"],
            "cost": [1e6, None],
            "cost_status": ["", "[c]"],
        }
    )
    fig = elements_figure(rows, place_label="city")
    assert list(fig.data[0].x) == [500.0, 0.0]
    assert fig.data[0].text[1] == SUPPRESSED_TEXT


def test_element_bars_lead_with_the_name_and_keep_the_code_for_the_tooltip() -> None:
    rows = pd.DataFrame(
        {
            "element_code": ["OAEHSGCO", "HSSU65PL", "XX1", "XX2"],
            "element_description": [
                "Older Adults External General Contracted",
                "Home Support, 65 Plus",
                "Meals",
                "Meals",
            ],
            "people": [900.0, 500.0, 40.0, 30.0],
        }
    )
    fig = elements_figure(rows, place_label="city")
    labels = [label.replace("<br>", " ") for label in fig.data[0].y]
    assert labels[:2] == ["Older Adults External General Contracted", "Home Support, 65 Plus"]
    assert not any(label.startswith(("OAEHSGCO", "HSSU65PL")) for label in labels)
    # Two elements of the same name stay two bars, told apart by their codes.
    assert labels[2:] == ["Meals (XX1)", "Meals (XX2)"]
    hover = [row[3] for row in fig.data[0].customdata]
    assert hover[0] == "Older Adults External General Contracted (OAEHSGCO)"


def test_compare_figure_orders_areas_by_the_size_of_the_difference() -> None:
    rows = pd.DataFrame(
        {
            "area_code": ["W1", "W2"],
            "area_name": ["One", "Two"],
            "a_people": [10.0, 100.0],
            "a_status": ["", ""],
            "b_people": [15.0, 20.0],
            "b_status": ["", ""],
            "difference": [-5.0, 80.0],
            "difference_status": ["", ""],
        }
    )
    fig = element_compare_figure(rows, label_a="A", label_b="B")
    assert list(fig.data[0].y) == ["Two (W2)", "One (W1)"]
    assert list(fig.data[2].x) == [80.0, -5.0]


def test_trend_draws_withheld_as_gaps_and_targets_on_the_money_axis() -> None:
    rows = pd.DataFrame(
        {
            "period": ["2013", "2014"],
            "agreements": [100.0, None],
            "agreements_status": ["", "[c]"],
            "people": [80.0, 60.0],
            "people_status": ["", ""],
            "cost": [5e5, 6e5],
            "cost_status": ["", ""],
        }
    )
    targets = pd.DataFrame({"period": ["2016/17"], "target": [2.4e6]})
    fig = trend_figure(rows, targets=targets)
    assert fig.data[0].y[1] is None
    assert fig.data[3].yaxis == "y2"
    assert fig.layout.yaxis2.domain[1] < fig.layout.yaxis.domain[0]  # its own panel
    assert "not reconciled" in fig.data[3].name


def test_matrix_rows_follow_postcode_order_not_text_order() -> None:
    from layers.matrix import natural_key

    codes = ["B10", "B2", "B1", "B21 8", "B21 10", "B21 2"]
    assert sorted(codes, key=natural_key) == ["B1", "B2", "B10", "B21 2", "B21 8", "B21 10"]
