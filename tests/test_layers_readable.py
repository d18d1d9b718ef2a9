"""Readability of the charts (issue #20, item 2): each test pins a defect seen in screenshots.

Figure-level checks on the figure dicts: the matrix keeps one readable text size and marks [u]
cells by style, an empty selection says so instead of drawing "-0.4 to 0.4", money ticks never
use SI prefixes, and the matrix highlights are capped and say "none found".
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from layers.elements import elements_figure
from layers.highlights import MAX_MARKED, cap, challenging, find, improving, unusual
from layers.matrix import (
    CELL_TEXT_SIZE,
    UNRELIABLE_FILL,
    UNRELIABLE_NAME,
    highlight_note,
    matrix_figure,
    pivot_matrix,
)
from layers.quarterly import quarterly_users_figure
from layers.regions import VALUE_LABEL, profile_figure, region_compare_figure
from layers.style import NO_DATA, SUPPRESSED_FILL, format_money, money_axis, no_data_figure
from layers.trend import trend_figure

PERIODS = [str(y) for y in range(2001, 2016)]
#: A d3 SI-prefixed number as Plotly writes it ("£800m", "55.3M", "2k" is fine only as money
#: written by us: these tests look at texts we set, so any "M" or "µ" is Plotly's).
SI_TICK = re.compile(r"\d(M|G|µ|u|n)\b")


def growing_city(rows: int = 20, seed: int = 1) -> pd.DataFrame:
    """Areas of very different sizes, all growing 8% a year with Poisson-like noise: the shape
    that made the old rules box 14 of 15 years and the biggest districts' cells."""
    rng = np.random.default_rng(seed)
    records = []
    for i in range(rows):
        size = 20 * (i + 1)
        for k, period in enumerate(PERIODS):
            mean = size * 1.08**k
            records.append(
                {
                    "area_code": f"B{i + 1}",
                    "area_name": f"Area {i + 1}",
                    "period": period,
                    "value": float(rng.poisson(mean)),
                    "value_status": "",
                }
            )
    return pd.DataFrame(records)


def rate_rows() -> pd.DataFrame:
    """Rate-mode matrix rows where a few cells are "[u] low reliability" and one is "[c]"."""
    rows = growing_city(4)
    rows["value"] = rows["value"] / 7.0
    rows.loc[rows.index[:3], "value_status"] = "[u]"
    rows.loc[rows.index[3], ["value", "value_status"]] = [None, "[c]"]
    return rows


# --- the matrix in rate mode -------------------------------------------------------------


def test_matrix_numbers_have_one_fixed_readable_size_and_no_long_cell_text() -> None:
    fig = matrix_figure(rate_rows(), kind="rate", measure_label="People per 1,000 residents")
    numbers = next(t for t in fig.data if t.type == "scatter" and t.mode == "text")
    assert numbers.textfont.size == CELL_TEXT_SIZE >= 11
    # No per-cell text long enough for Plotly to shrink: the words live in the tooltip.
    assert all(len(t) <= 6 for t in numbers.text)
    assert all("low reliability" not in t for t in numbers.text)
    assert "[u] low reliability" in fig.data[0].customdata[0][0]
    # The heatmap itself draws no text (its automatic size was the 5 px problem).
    assert not fig.data[0].texttemplate


def test_matrix_marks_u_cells_by_style_with_a_legend_entry() -> None:
    fig = matrix_figure(rate_rows(), kind="rate", measure_label="Rate")
    heat = fig.data[0]
    # [u] cells take no colour from the scale (so 0% / 100% on a few people is not the
    # brightest cell); a pale grey fill of their own marks them, named in the legend.
    assert all(np.isnan(heat.z[0][j]) for j in range(3))
    fill = next(t for t in fig.data if t.type == "heatmap" and t.name == UNRELIABLE_NAME)
    assert fill.colorscale[0][1] == UNRELIABLE_FILL
    assert [t.name for t in fig.data if t.showlegend and t.name == UNRELIABLE_NAME]


def test_matrix_rows_read_code_and_name() -> None:
    fig = matrix_figure(rate_rows(), kind="rate", measure_label="Rate")
    assert fig.data[0].y[0] == "B1 Area 1"


# --- empty selections --------------------------------------------------------------------


def test_every_empty_selection_has_the_no_data_state_and_no_axes() -> None:
    withheld = rate_rows().assign(value=None, value_status="[c]")
    trend_rows = pd.DataFrame(
        {
            "period": ["2014", "2015"],
            **{c: [None, None] for c in ("agreements", "people", "cost")},
            **{f"{c}_status": ["[c]", "[c]"] for c in ("agreements", "people", "cost")},
        }
    )
    for fig in (
        no_data_figure(),
        matrix_figure(withheld.iloc[0:0], kind="count", measure_label="People"),
        trend_figure(trend_rows),
    ):
        assert fig.layout.annotations[0].text.startswith(NO_DATA)
        assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
        assert not fig.data  # nothing to draw a "-0.4 to 0.4" legend or axis from


def test_an_all_withheld_matrix_is_a_grey_grid_without_a_colour_bar() -> None:
    withheld = rate_rows().assign(value=None, value_status="[c]")
    fig = matrix_figure(withheld, kind="count", measure_label="People")
    assert fig.data[0].showscale is False  # no "-0.4 to 0.4" colour bar
    assert {t for row in fig.data[0].text for t in row} == {"[c]"}
    assert fig.layout.plot_bgcolor == SUPPRESSED_FILL


def test_missing_choice_is_a_friendly_sentence() -> None:
    fig = no_data_figure("Choose two elements to compare.")
    assert fig.layout.annotations[0].text == f"{NO_DATA}. Choose two elements to compare."


# --- money ticks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.8, "£0.8"),
        (800, "£800"),
        (2_100, "£2,100"),
        (12_500, "£12.5k"),
        (250_000, "£250k"),
        (999_600, "£1m"),
        (1_200_000, "£1.2m"),
        (25_500_000, "£25.5m"),
        (25_504_000, "£25.5m"),
        (55e6, "£55m"),
        (-1_204_000, "-£1.2m"),
    ],
)
def test_money_has_one_format_of_3_significant_figures_without_si_prefixes(
    value: float, text: str
) -> None:
    """Published money is rounded to 3 significant figures: "£25.5m", never "£25.50m"."""
    assert format_money(value) == text


def test_money_axis_ticks_are_round_and_start_at_zero() -> None:
    axis = money_axis([55.3e6, 111e6])
    assert axis["tickvals"][0] == 0
    steps = set(np.diff(axis["tickvals"]))
    assert len(steps) == 1 and steps.pop() in (20e6, 25e6, 50e6)
    assert axis["ticktext"][-1] in ("£120m", "£125m", "£150m")
    assert not any(SI_TICK.search(t) for t in axis["ticktext"])


def test_trend_has_a_count_panel_and_a_money_panel_with_round_money_ticks() -> None:
    rows = pd.DataFrame(
        {
            "period": ["2013", "2014", "2015"],
            "agreements": [900.0, 1000.0, 1100.0],
            "people": [500.0, 550.0, 600.0],
            "cost": [55.3e6, 80e6, 111e6],
            **{f"{c}_status": ["", "", ""] for c in ("agreements", "people", "cost")},
        }
    )
    fig = trend_figure(rows)
    assert fig.layout.yaxis2.domain[1] < fig.layout.yaxis.domain[0]
    assert "overlaying" not in fig.layout.yaxis2.to_plotly_json()
    assert fig.layout.yaxis2.tickmode == "array"
    assert list(fig.layout.yaxis2.ticktext)[:2] == ["£0", "£50m"]
    assert "s" not in (fig.layout.yaxis.tickformat or "")  # no SI prefixes on counts either


# --- highlights --------------------------------------------------------------------------


def test_growth_alone_is_not_challenging_nor_unusual() -> None:
    values, _, _ = pivot_matrix(growing_city())
    assert find(values, "challenging").count == 0
    assert find(values, "unusual").count <= cap(values.size)


def test_every_mode_marks_at_most_its_cap() -> None:
    values, _, _ = pivot_matrix(growing_city(40, seed=3))
    noisy = values * np.random.default_rng(5).uniform(0.2, 3.0, values.shape)
    for mode, total in (("unusual", noisy.size), ("improving", 40), ("challenging", 15)):
        assert find(noisy, mode).count <= min(MAX_MARKED, max(1, total // 10)), mode


def test_a_real_outlier_is_found_in_a_growing_city() -> None:
    rows = growing_city()
    spot = (rows["area_code"] == "B3") & (rows["period"] == "2008")
    rows.loc[spot, "value"] = rows.loc[spot, "value"] * 4
    values, _, _ = pivot_matrix(rows)
    assert unusual(values).cells[0] == (2, PERIODS.index("2008"))


def test_a_year_that_jumps_is_challenging() -> None:
    rows = growing_city()
    later = rows["period"].astype(int) >= 2010
    rows.loc[later, "value"] = rows.loc[later, "value"] * 1.5
    values, _, _ = pivot_matrix(rows)
    assert [values.columns[j] for j in challenging(values).columns] == ["2010"]


def test_nothing_qualifying_says_none_found() -> None:
    flat = growing_city().assign(value=100.0)
    values, _, _ = pivot_matrix(flat)
    assert improving(values).count == 0
    assert "None found" in highlight_note(flat, "improving")
    assert "None found" in highlight_note(flat, "challenging")
    assert highlight_note(flat, "none") == ""


# --- directors' and elements charts ------------------------------------------------------


def test_region_values_sit_above_their_intervals_with_whole_names() -> None:
    long_name = "Sutton Coldfield and the Royal Town"
    rows = pd.DataFrame(
        {
            "area_code": ["s/1", "s/2"],
            "area_name": [long_name, "East"],
            "value": [7.55, 7.5],
            "value_status": ["", ""],
            "lower95": [7.1, 7.0],
            "upper95": [8.0, 8.1],
            "city_value": [7.2, 7.2],
        }
    )
    fig = region_compare_figure(rows, measure_label="People per 1,000", kind="rate")
    bars = fig.data[0]
    labels = [a for a in fig.layout.annotations if a.name == VALUE_LABEL]
    assert bars.textposition == "none"  # no label inside the bar, on the whiskers
    assert all(a.font.size >= 11 for a in labels)
    # Anchored at each interval's cap by their foot and lifted clear of it (not sitting on it).
    assert [a.y for a in labels] == [8.0, 8.1]
    assert all(a.yanchor == "bottom" and a.yshift >= 4 for a in labels)
    assert [a.text for a in labels] == ["7.5", "7.5"]  # one decimal, as published (7.55 -> 7.5)
    ticks = list(fig.layout.xaxis.ticktext)
    assert ticks[0].replace("<br>", " ") == long_name and "…" not in ticks[0]
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] > 8.1


def test_profile_axis_titles_sit_beside_their_ticks() -> None:
    profiles = pd.DataFrame(
        {
            "region": ["North", "North"],
            "category": ["0-10", "65+"],
            "people": [20.0, 40.0],
            "people_status": ["", ""],
            "share": [0.33, 0.67],
            "share_status": ["", ""],
        }
    )
    fig = profile_figure(profiles, categories=["0-10", "65+"], dimension_label="Age band")
    assert fig.layout.yaxis.automargin is True and fig.layout.xaxis.automargin is True
    assert fig.layout.yaxis.ticksuffix == "%"
    assert fig.layout.legend.yref == "container"  # under the axis title, not on it
    assert all(t.textfont.size >= 11 for t in fig.data)


def test_a_long_quarterly_series_has_year_ticks_and_no_tiny_bar_labels() -> None:
    periods = [f"{y}-Q{q}" for y in range(2001, 2016) for q in range(1, 5)]
    rows = pd.DataFrame(
        {
            "period": periods,
            "people": [None if i % 7 == 0 else 10.0 for i in range(len(periods))],
            "people_status": ["[c]" if i % 7 == 0 else "" for i in range(len(periods))],
        }
    )
    fig = quarterly_users_figure(rows, element_label="X")
    assert all(t.textposition == "none" for t in fig.data)
    assert fig.layout.xaxis.tickangle == 0 and len(fig.layout.xaxis.tickvals) <= 12
    assert fig.layout.legend.yref == "container"
    short = quarterly_users_figure(rows.head(8), element_label="X")
    assert short.data[0].textposition == "outside" and short.data[0].textfont.size >= 11


def test_all_withheld_elements_say_no_data_not_an_axis_of_negative_people() -> None:
    rows = pd.DataFrame(
        {
            "element_code": ["A", "B"],
            "element_description": ["a", "b"],
            "people": [None, None],
            "people_status": ["[c]", "[c]"],
        }
    )
    fig = elements_figure(rows, place_label="B1")
    assert not fig.data and fig.layout.annotations[0].text == NO_DATA
    assert quarterly_users_figure(rows.iloc[0:0], element_label="X").layout.annotations
