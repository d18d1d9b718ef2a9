"""Trends: active agreements and people (counts, top panel) and cost (£, bottom panel) per period,
sharing one period axis, with the savings targets in the money panel.

Two panels, not two y-axes on one plot: a right-hand £ axis beside a count axis gave ticks
that never lined up (£55.3M, £111M) and read as one scale. Each panel has its own round ticks;
money ticks use the one money format (layers.style.money_axis), never an SI prefix.

The MIA savings targets are plans for savings, not forecasts of cost: they are drawn beside the
cost line on the same £ axis for context and labelled as not reconciled with it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from layers.margins import MarginPlan, fitted_layout, text_ems, widest
from layers.style import (
    BAR_COLOUR,
    COUNT_TICKFORMAT,
    FONT_SIZE,
    LINE_COLOURS,
    PART_MARK,
    TEMPLATE,
    UNVALIDATED,
    format_value,
    has_values,
    is_missing,
    money_axis,
    no_data_figure,
)

#: Widest tick labels of the value axes (ems): counts with commas, money.
COUNT_TICK_EMS = widest(("125,000", "£12.5m"))
#: The count panel (top) and the money panel (bottom), as shares of the plot's height.
COUNT_DOMAIN = (0.56, 1.0)
MONEY_DOMAIN = (0.0, 0.42)

#: The trend card's and the presenter's slide's title (one name on every page).
TREND_TITLE = "Active agreements, people and cost over time"

TARGETS_NOTE = "Savings targets are plans, not reconciled with the cost line."


def fit_below_axis(categories: list[str], legend_names: list[str]) -> dict:
    """Layout keys that stack, under the plot, the period labels (Plotly turns crowded ones
    upright) and the legend, anchored at the figure's foot so it never covers the labels.
    The plan counts the legend's rows at whichever type size is in force."""
    plan = MarginPlan(
        fixed={"l": 14, "r": 14, "t": 20, "b": 24},
        ems={"l": COUNT_TICK_EMS, "b": widest(categories)},
        lines={"l": 1.2},
        legend=tuple(text_ems(name) for name in legend_names),
    )
    legend = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0}
    return {"legend": legend, **fitted_layout(plan, FONT_SIZE)}


def panel_axes(money_values: list[float | None]) -> dict:
    """The shared period axis (at the foot of the money panel) and the two value axes."""
    return {
        # No period axis title: Plotly sets it at a fixed offset that upright period labels run
        # into, and the card's title already names the periods.
        "xaxis": {"type": "category", "automargin": False, "anchor": "y2"},
        "yaxis": {
            "title": {"text": "Count"},
            "domain": list(COUNT_DOMAIN),
            "rangemode": "tozero",
            "automargin": False,
            "tickformat": COUNT_TICKFORMAT,
            "nticks": 5,
        },
        "yaxis2": {
            "title": {"text": "Cost (£)"},
            "domain": list(MONEY_DOMAIN),
            "anchor": "x",
            "automargin": False,
            **money_axis(money_values),
        },
    }


def _published(values: pd.Series, statuses: pd.Series) -> list[float | None]:
    """Values to draw; withheld ones become gaps (None), never zeros."""
    return [
        None if is_missing(v) or s == "[c]" else float(v)
        for v, s in zip(values, statuses.fillna(""), strict=True)
    ]


#: A part period's band behind the bars (the data does not cover it whole).
PART_FILL = "#e6e6e6"


def part_period_marks(
    categories: list[str], parts: Mapping[str, str]
) -> tuple[dict, list[dict], list[str]]:
    """(x-axis keys, shapes, the tick labels drawn, for the margin plan) that label each
    part period's tick "(part)" and shade its column, so a part year's lower figures never
    read as a fall. ``categories`` are the period axis's, in its order (every one is given a
    tick: ticks not listed would go unlabelled); no part period: nothing changes."""
    if not any(p in parts for p in categories):
        return {}, [], list(categories)
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": i - 0.5,
            "x1": i + 0.5,
            "y0": 0,
            "y1": 1,
            "fillcolor": PART_FILL,
            "line": {"width": 0},
            "layer": "below",
        }
        for i, p in enumerate(categories)
        if p in parts
    ]
    # on a line of its own: an angled "2015/16 (part)" at the axis's end runs off the figure
    # (the plan measures its widest line: the labels stand upright, or lie flat when few, and
    # the foot's fixed room covers the second line of a label Plotly tilts)
    ticks = [f"{p}<br>{PART_MARK}" if p in parts else p for p in categories]
    return {"tickvals": categories, "ticktext": ticks}, shapes, ticks


def trend_figure(
    rows: pd.DataFrame,
    *,
    targets: pd.DataFrame | None = None,
    parts: Mapping[str, str] | None = None,
) -> go.Figure:
    """``rows`` are ``trend`` view rows; ``targets`` has columns period and target (£);
    ``parts`` the part periods (the view's meta part_periods: period -> days covered)."""
    parts = parts or {}
    data = rows.reset_index(drop=True)
    if data.empty or not any(
        has_values(data[c]) for c in ("agreements", "people", "cost") if c in data
    ):
        return no_data_figure()
    periods = [str(p) for p in data["period"]]
    agreements_status = data["agreements_status"].fillna("")
    people_status = data["people_status"].fillna("")
    cost_status = data["cost_status"].fillna("")
    traces: list[go.BaseTraceType] = [
        go.Bar(
            **UNVALIDATED,
            x=periods,
            y=_published(data["agreements"], agreements_status),
            name="Active agreements",
            marker_color=BAR_COLOUR,
            opacity=0.55,
            text=[
                format_value(v, "count", s)
                for v, s in zip(data["agreements"], agreements_status, strict=True)
            ],
            customdata=[
                f"<br>Part period: data for {parts[p]} only" if p in parts else "" for p in periods
            ],
            hovertemplate="%{x}<br>Agreements: %{text}%{customdata}<extra></extra>",
            textposition="none",
        ),
        go.Scatter(
            **UNVALIDATED,
            x=periods,
            y=_published(data["people"], people_status),
            name="People",
            mode="lines+markers",
            line={"color": LINE_COLOURS[1], "width": 3},
            marker={"symbol": "circle", "size": 8},
            text=[
                format_value(v, "count", s)
                for v, s in zip(data["people"], people_status, strict=True)
            ],
            hovertemplate="%{x}<br>People: %{text}<extra></extra>",
        ),
        go.Scatter(
            **UNVALIDATED,
            x=periods,
            y=_published(data["cost"], cost_status),
            name="Cost (£, lower panel)",
            mode="lines+markers",
            yaxis="y2",
            line={"color": LINE_COLOURS[0], "width": 3, "dash": "solid"},
            marker={"symbol": "square", "size": 8},
            text=[
                format_value(v, "money", s) for v, s in zip(data["cost"], cost_status, strict=True)
            ],
            hovertemplate="%{x}<br>Cost: %{text}<extra></extra>",
        ),
    ]
    if targets is not None and not targets.empty:
        traces.append(
            go.Scatter(
                **UNVALIDATED,
                x=[str(p) for p in targets["period"]],
                y=[float(v) for v in targets["target"]],
                name="Savings target (£, lower panel; not reconciled)",
                mode="markers+lines",
                yaxis="y2",
                line={"color": LINE_COLOURS[2], "width": 2, "dash": "dot"},
                marker={"symbol": "diamond", "size": 11},
                text=[format_value(v, "money") for v in targets["target"]],
                hovertemplate="%{x}<br>Savings target: %{text}<br>"
                + TARGETS_NOTE
                + "<extra></extra>",
            )
        )
    money = _published(data["cost"], cost_status)
    if targets is not None and not targets.empty:
        money += [float(v) for v in targets["target"]]
    categories = list(periods)
    if targets is not None and not targets.empty:
        categories += [str(p) for p in targets["period"] if str(p) not in periods]
    xaxis, shapes, ticks = part_period_marks(categories, parts)
    axes = panel_axes(money)
    axes["xaxis"].update(xaxis)
    layout = dict(
        template=TEMPLATE,
        **axes,
        shapes=shapes,
        height=460,
        **fit_below_axis(ticks, [str(t.name) for t in traces]),
        hovermode="x unified",
    )
    fig = go.Figure(traces, layout=layout, **UNVALIDATED)
    return fig
