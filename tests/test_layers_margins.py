"""Margins sized from labels (layers.margins): enough room for the labels at any type size,
carried in the figure so presenter mode can resize them, and no Plotly automargin pass."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.present import fit
from layers.elements import element_compare_figure, elements_figure
from layers.margins import MarginPlan, legend_rows, text_ems, widest
from layers.matrix import matrix_figure
from layers.style import FONT_SIZE, MODEBAR_PX, PRESENT_FONT_SIZE
from layers.trend import trend_figure


def test_a_plan_scales_its_labels_and_titles_with_the_type_size() -> None:
    plan = MarginPlan(fixed={"l": 10, "t": 20}, ems={"l": 12}, lines={"t": 1})
    small, large = plan.at(10), plan.at(20)
    assert small == {"l": 130, "r": 0, "t": 35, "b": 0}
    assert large["l"] - 10 == 2 * (small["l"] - 10) and large["t"] - 20 == 2 * (small["t"] - 20)


def test_a_plan_survives_the_round_trip_through_layout_meta() -> None:
    plan = MarginPlan(fixed={"l": 16, "b": 14}, ems={"l": 21.5}, lines={"b": 2.2})
    assert MarginPlan.from_meta({"margins": plan.to_meta()}) == plan
    raised = MarginPlan(fixed={"t": 20}, clears_toolbar=True)
    assert MarginPlan.from_meta({"margins": raised.to_meta()}) == raised
    for junk in (None, "x", {}, {"margins": "x"}, {"margins": {"ems": {"l": "wide"}}}):
        assert MarginPlan.from_meta(junk) is None


def test_a_top_that_clears_the_tool_bar_does_so_only_where_one_is_shown() -> None:
    plan = MarginPlan(fixed={"t": 20}, clears_toolbar=True)
    assert plan.at(14)["t"] == 20 + MODEBAR_PX and plan.at(14, toolbar=False)["t"] == 20
    assert MarginPlan(fixed={"t": 20}).at(14)["t"] == 20


def test_labels_are_measured_with_the_fonts_own_widths() -> None:
    # Arial / Helvetica: digits 0.556 em, "/" 0.278, "i" 0.222, "W" 0.944.
    assert text_ems("2015/16") == pytest.approx(6 * 0.556 + 0.278)
    assert text_ems("iii") < text_ems("WWW") / 4
    assert widest(["B1", "B31 Northfield", "short<br>a much longer line"]) == pytest.approx(
        text_ems("a much longer line")
    )
    assert widest([]) == 0
    assert text_ems("\u0141\u00f3d\u017a") > 0  # letters outside the table still take room


def _matrix() -> object:
    rows = pd.DataFrame(
        {
            "area_code": ["B1", "B1", "B31", "B31"],
            "area_name": ["Birmingham centre", "Birmingham centre", "Northfield", "Northfield"],
            "period": ["2014", "2015", "2014", "2015"],
            "value": [120.0, 130.0, None, 40.0],
            "value_status": ["", "", "[c]", ""],
        }
    )
    return matrix_figure(rows, kind="count", measure_label="People")


def _sixteen_financial_years() -> pd.DataFrame:
    """Matrix rows of one area over the whole financial-year series (2000/01 to 2015/16)."""
    return pd.DataFrame(
        {
            "area_code": ["B1"] * 16,
            "area_name": ["Birmingham centre"] * 16,
            "period": [f"{2000 + i}/{(i + 1) % 100:02d}" for i in range(16)],
            "value": [float(i) for i in range(16)],
            "value_status": [""] * 16,
        }
    )


def test_financial_year_columns_get_room_to_stand_upright_under_the_tool_bar() -> None:
    years = _matrix().to_plotly_json()["layout"]["margin"]["t"]
    rows = _sixteen_financial_years()
    top = matrix_figure(rows, kind="count", measure_label="People").to_plotly_json()["layout"]
    needed = text_ems("2000/01") * FONT_SIZE + MODEBAR_PX
    assert top["margin"]["t"] >= needed > years
    assert top["xaxis"]["tickangle"] == -90  # set, so Plotly cannot tilt them into half the top


def test_a_few_financial_years_lie_flat_under_a_one_line_top() -> None:
    years = _matrix().to_plotly_json()["layout"]
    periods = ["2011/12", "2012/13", "2013/14", "2014/15", "2015/16"]
    rows = pd.DataFrame(
        {
            "area_code": ["B1"] * 5,
            "area_name": ["Birmingham centre"] * 5,
            "period": periods,
            "value": [float(i) for i in range(5)],
            "value_status": [""] * 5,
        }
    )
    five = matrix_figure(rows, kind="count", measure_label="People", parts=("2015/16",))
    layout = five.to_plotly_json()["layout"]
    assert list(five.data[0].x)[-1] == "2015/16 (part)"  # the longest label, and still flat
    assert "tickangle" not in layout["xaxis"]
    assert layout["margin"]["t"] == years["margin"]["t"]  # no blank band over the matrix


def _elements() -> object:
    rows = pd.DataFrame(
        {
            "element_code": ["OAEHSGCO", "HSSU65PL"],
            "element_description": ["Home support, general, contracted out", "Placement"],
            "provision_type": ["External", "External"],
            "people": [500, 120],
            "people_status": ["", ""],
        }
    )
    return elements_figure(rows, place_label="Birmingham")


def _compare(label_a: str = "A", label_b: str = "B") -> object:
    rows = pd.DataFrame(
        {
            "area_code": ["E05011118", "E05011119"],
            "area_name": ["Acocks Green", "Allens Cross"],
            "a_people": [50, 20],
            "a_status": ["", ""],
            "b_people": [30, None],
            "b_status": ["", "[c]"],
            "difference": [20, None],
            "difference_status": ["", "[c]"],
        }
    )
    return element_compare_figure(rows, label_a=label_a, label_b=label_b)


def _trend() -> object:
    rows = pd.DataFrame(
        {
            "period": ["2014", "2015"],
            "agreements": [1200, 1300],
            "agreements_status": ["", ""],
            "people": [800, 850],
            "people_status": ["", ""],
            "cost": [1.2e6, 1.3e6],
            "cost_status": ["", ""],
        }
    )
    return trend_figure(rows)


@pytest.mark.parametrize("build", [_matrix, _elements, _compare, _trend])
def test_overview_figures_size_margins_from_their_labels_without_automargin(build) -> None:  # noqa: ANN001
    figure = build().to_plotly_json()
    layout = figure["layout"]
    axes = [v for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))]
    assert axes and all(axis.get("automargin") is False for axis in axes)
    plan = MarginPlan.from_meta(layout.get("meta"))
    assert plan is not None and layout["margin"] == plan.at(FONT_SIZE)
    category_labels = figure["data"][0].get("y") if build is not _trend else None
    if category_labels is not None:
        needed = widest(category_labels) * FONT_SIZE
        assert layout["margin"]["l"] >= needed


def test_presenter_mode_grows_the_type_and_the_margins_with_it() -> None:
    figure = _elements()
    screen_left = figure.layout.margin.l
    drawn = fit(figure)
    assert drawn["layout"]["font"]["size"] == PRESENT_FONT_SIZE
    assert drawn["layout"]["hoverlabel"]["font"]["size"] == PRESENT_FONT_SIZE
    assert drawn["layout"]["margin"]["l"] > screen_left
    assert drawn["layout"]["margin"] == MarginPlan.from_meta(drawn["layout"]["meta"]).at(
        PRESENT_FONT_SIZE
    )
    assert "height" not in drawn["layout"]


def test_long_labels_wrap_onto_two_short_lines_and_say_when_cut() -> None:
    from layers.style import wrap_label

    assert wrap_label("OAIDCDAY Older Adults, Internal, Day Centre") == (
        "OAIDCDAY Older Adults,<br>Internal, Day Centre"
    )
    cut = wrap_label("HSSU65PL Home Support, 65 Plus, External Community Based Services")
    assert len(cut.split("<br>")) == 2 and cut.endswith("…")
    assert all(len(line) <= 28 for line in cut.split("<br>"))
    assert wrap_label("B31") == "B31"


def test_legend_rows_follow_plotlys_wrapping_at_each_type_size() -> None:
    short = (12.0, 3.6, 12.0)  # the overview trend: one row on screen, one column at 20px
    assert legend_rows(short, 14) == 1 and legend_rows(short, 20) == 3
    assert legend_rows((12.0, 3.6, 12.0, 51.0, 53.0), 14) == 5  # one entry wider than the card
    assert legend_rows((), 14) == 0
    plan = MarginPlan(fixed={"b": 10}, legend=short)
    assert plan.at(14)["b"] == 10 + 1 * 21 and plan.at(20)["b"] == 10 + 3 * 30  # rows x 1.5 em
    assert MarginPlan.from_meta({"margins": plan.to_meta()}) == plan


def test_compare_legend_sits_under_the_axis_title_with_room_for_its_rows() -> None:
    """The element comparison's legend is anchored at the figure's foot (not relative to the
    plot, where it covered the axis title on short charts), and long element names add rows
    of margin and height rather than shrinking the bars."""
    short = _compare()
    long_label = "OAEHSGCO Older Adults External General Contracted"
    long = _compare(label_a=long_label, label_b=long_label + " B")
    for fig in (short, long):
        assert fig.layout.legend.yref == "container" and fig.layout.legend.yanchor == "bottom"
    grown = long.layout.margin.b - short.layout.margin.b
    assert grown > 0 and long.layout.height - short.layout.height == grown


def test_a_slide_gives_upright_periods_their_room_but_none_for_a_tool_bar() -> None:
    """A slide shows no tool bar (pages/present.py): the matrix's upright financial years get
    their own height at the projector's type, not a band kept clear for one."""
    rows = _sixteen_financial_years()
    figure = matrix_figure(rows, kind="count", measure_label="People", parts=("2015/16",))
    plan = MarginPlan.from_meta(figure.layout.meta)
    top = fit(figure)["layout"]["margin"]["t"]
    assert plan is not None and plan.clears_toolbar
    assert top == plan.at(PRESENT_FONT_SIZE)["t"] - MODEBAR_PX
    assert top >= text_ems("2015/16 (part)") * PRESENT_FONT_SIZE


def test_a_slide_wraps_a_legend_in_the_slides_width_not_a_cards() -> None:
    """At the projector's type the trend's legend needs two rows in an overview card but fits
    one across a slide: the foot keeps room for one, not a blank band under the periods."""
    from dashboard.present import SLIDE_WIDTH_PX

    figure = _trend()
    plan = MarginPlan.from_meta(figure.layout.meta)
    assert plan is not None
    assert legend_rows(plan.legend, PRESENT_FONT_SIZE) > 1
    assert legend_rows(plan.legend, PRESENT_FONT_SIZE, SLIDE_WIDTH_PX) == 1
    slide = fit(figure)["layout"]["margin"]
    assert slide == plan.at(PRESENT_FONT_SIZE, toolbar=False, legend_width_px=SLIDE_WIDTH_PX)
    assert slide["b"] < plan.at(PRESENT_FONT_SIZE)["b"]
    half = fit(figure, beside=2)["layout"]["margin"]
    assert half["b"] > slide["b"]  # two figures side by side: half the width each
