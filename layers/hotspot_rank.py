"""Hotspots ranked: a dot plot of each area's rate per 1,000 residents, its 95% and 99.8%
intervals and its class (layers.hotspots), against the city's rate.

The rate axis is fitted to the data (from 0 it left most of the width empty), and a long
ranking shows its two ends with one row counting the areas between, so the lowest areas are
never hidden in a scroll box; every area is in the card's table.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from layers.hotspots import CLASSES, WITHHELD, classify, hover_lines
from layers.margins import MarginPlan, fitted_layout, text_ems, widest
from layers.style import (
    FONT_SIZE,
    SUPPRESSED_FILL,
    SUPPRESSED_TEXT,
    TEMPLATE,
    is_missing,
    no_data_figure,
)

#: Areas drawn at each end of a long ranking; the areas between are named in one row and are
#: all in the card's table. A ranking of up to SHOWN_EACH_END x 2 + 2 areas is drawn whole.
SHOWN_EACH_END = 9
ROW_PX = 20
#: Withheld areas listed one per row at the bottom; more than this are one row.
MAX_WITHHELD_LISTED = 3


def _ranked(rows: pd.DataFrame) -> pd.DataFrame:
    """Areas with a value, highest first, then the withheld ones (which have no rank)."""
    data = rows.copy()
    data["class_key"] = classify(data).to_numpy()
    data["label"] = [str(n or c) for n, c in zip(data["area_name"], data["area_code"], strict=True)]
    data["hover"] = hover_lines(data)
    shown = data[[not is_missing(v) for v in data["value"]]]
    shown = shown.assign(_v=shown["value"].astype(float)).sort_values(
        "_v", ascending=False, kind="stable"
    )
    hidden = data[[is_missing(v) for v in data["value"]]].sort_values("label", kind="stable")
    return pd.concat([shown.drop(columns="_v"), hidden], ignore_index=True)


def shown_rows(
    data: pd.DataFrame, each_end: int = SHOWN_EACH_END
) -> tuple[pd.DataFrame, list[str]]:
    """(the areas drawn, the chart's rows top to bottom). A long ranking keeps its highest and
    lowest ``each_end`` areas with one row saying how many are left out; a few withheld areas
    are listed at the bottom as [c], many are one row. Every area is in the card's table."""
    ranked = data[[not is_missing(v) for v in data["value"]]]
    withheld = data[[is_missing(v) for v in data["value"]]]
    rows = list(ranked["label"])
    if len(ranked) > 2 * each_end + 2:
        middle = len(ranked) - 2 * each_end
        ranked = pd.concat([ranked.head(each_end), ranked.tail(each_end)], ignore_index=True)
        rows = [*rows[:each_end], f"··· {middle} more areas: see the table ···", *rows[-each_end:]]
    if len(withheld) > MAX_WITHHELD_LISTED:
        rows.append(f"··· {len(withheld)} withheld [c] or not compared: see the table ···")
        withheld = withheld.iloc[0:0]
    else:
        rows += list(withheld["label"])
    return pd.concat([ranked, withheld], ignore_index=True), rows


def fitted_range(data: pd.DataFrame, city: float | None) -> list[float]:
    """The rate axis fitted to the areas' 99.8% intervals and the city (not from 0, which left
    most of the width empty), with a little room either side."""
    points = [
        float(v)
        for column in ("value", "lower998", "upper998", "lower95", "upper95")
        if column in data
        for v in data[column]
        if not is_missing(v)
    ]
    if city is not None:
        points.append(city)
    if not points:
        return [0.0, 1.0]
    low, high = min(points), max(points)
    pad = (high - low) * 0.06 or max(abs(high) * 0.1, 1.0)
    return [max(0.0, low - pad), high + pad]


def hotspot_rank_figure(rows: pd.DataFrame, *, area_word: str) -> go.Figure:
    """A dot plot: areas ranked by rate, each with its 95% interval (thick) and 99.8% interval
    (thin), coloured by class, against a dashed line at the city's rate, on an axis fitted to
    the data. A long ranking shows its highest and lowest areas and names how many are left
    out (all are in the table). Withheld areas are listed at the bottom as "[c]", never zero."""
    ranked = _ranked(rows)
    if ranked.empty:
        return no_data_figure()
    data, labels = shown_rows(ranked)
    city = _city_value(rows)
    x_range = fitted_range(data, city)
    fig = go.Figure(layout={"template": TEMPLATE})
    values = [None if is_missing(v) else float(v) for v in data["value"]]
    # 99.8% intervals: thin grey whiskers behind the markers.
    fig.add_trace(
        go.Scatter(
            x=values,
            y=list(data["label"]),
            mode="markers",
            marker={"size": 0.1, "color": "rgba(0,0,0,0)"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": _offsets(data, "upper998", above=True),
                "arrayminus": _offsets(data, "lower998", above=False),
                "color": "#6b6b6b",
                "thickness": 1,
                "width": 0,
            },
            name="99.8% interval",
            showlegend=False,  # its key is a line (below): a marker this size shows nothing
            hoverinfo="skip",
        )
    )
    for cls in CLASSES[:5]:
        part = data[data["class_key"] == cls.key]
        fig.add_trace(
            go.Scatter(
                x=[float(v) for v in part["value"]],
                y=list(part["label"]),
                mode="markers",
                marker={
                    "size": 10,
                    "color": cls.colour,
                    "line": {"color": "#1a1a1a", "width": 1},
                    "symbol": "diamond" if cls.key.endswith("998") else "circle",
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": _offsets(part, "upper95", above=True),
                    "arrayminus": _offsets(part, "lower95", above=False),
                    "color": "#1a1a1a",
                    "thickness": 2.5,
                    "width": 0,
                },
                name=cls.label,
                text=list(part["hover"]),
                hovertemplate="%{text}<extra></extra>",
            )
        )
    hidden = data[[v is None for v in values]]
    if len(hidden):
        fig.add_trace(
            go.Scatter(
                x=[x_range[0]] * len(hidden),
                y=list(hidden["label"]),
                mode="markers+text",
                marker={"size": 10, "color": SUPPRESSED_FILL, "symbol": "square"},
                # The code beside the square (the meaning ran off a half-width card); the
                # legend and the hover say it in full.
                text=["[c]" if k == WITHHELD.key else "[z]" for k in hidden["class_key"]],
                customdata=[
                    SUPPRESSED_TEXT if k == WITHHELD.key else "[z] not compared"
                    for k in hidden["class_key"]
                ],
                textposition="middle right",
                name=WITHHELD.label,
                hovertemplate="%{y}: %{customdata}<extra></extra>",
            )
        )
    # The intervals' key: each as the line it is drawn with.
    for name, colour, width in (("95% interval", "#1a1a1a", 2.5), ("99.8% interval", "#6b6b6b", 1)):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line={"color": colour, "width": width},
                name=name,
                hoverinfo="skip",
            )
        )
    # Margins from the labels (layers.margins), so a slide's larger type resizes them: the
    # names at the left, at the top the two-line axis title and its ticks under the chart's
    # tool bar, at the foot the legend's rows (they ran into the card's text below).
    plan = MarginPlan(
        fixed={"l": 16, "r": 20, "t": 13, "b": 10},
        ems={"l": widest(labels)},
        lines={"t": 3.2},
        # Plotly lists only the traces with points (a class no area is in has none).
        legend=tuple(text_ems(t.name) for t in fig.data if t.showlegend is not False and t.x),
        clears_toolbar=True,
    )
    layout = fitted_layout(plan, FONT_SIZE)
    # Short enough to stand over the plot beside the map on a slide, in the projector's type.
    axis_title = "People per 1,000 residents"
    if city is not None:
        # The city's value is named in the axis title: a label on the line itself sat on the
        # axis's tick labels (the axis is at the top).
        fig.add_vline(x=city, line={"color": "#1a1a1a", "dash": "dash", "width": 1.5})
        axis_title += f"<br>dashed line: the city, {city:,.1f}"
    fig.update_layout(
        xaxis={
            "title": {"text": axis_title},
            "range": x_range,
            "side": "top",
            "showgrid": True,
            "gridcolor": "#e0e0e0",
            "automargin": False,
        },
        yaxis={
            "type": "category",
            "automargin": False,
            "dtick": 1,  # every row named, as in the matrix
            "categoryorder": "array",
            "categoryarray": labels,
            "range": [len(labels) - 0.5, -0.5],
        },
        legend={"orientation": "h", "y": -0.02, "yanchor": "top"},
        height=max(320, ROW_PX * len(labels) + layout["margin"]["t"] + layout["margin"]["b"]),
        showlegend=True,
        **layout,
    )
    return fig


def _offsets(data: pd.DataFrame, column: str, *, above: bool) -> list[float | None]:
    out: list[float | None] = []
    for value, bound in zip(data["value"], data[column], strict=True):
        if is_missing(value) or is_missing(bound):
            out.append(None)
        else:
            out.append(float(bound) - float(value) if above else float(value) - float(bound))
    return out


def _city_value(rows: pd.DataFrame) -> float | None:
    if rows.empty or "city_value" not in rows:
        return None
    value = rows["city_value"].iloc[0]
    return None if is_missing(value) else float(value)
