"""Quarterly unique users of one element: one bar per quarter, [c] quarters marked, not zeroed."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from layers.style import (
    BAR_COLOUR,
    COUNT_TICKFORMAT,
    SUPPRESSED_FILL,
    SUPPRESSED_TEXT,
    TEMPLATE,
    format_value,
    is_missing,
    no_data_figure,
    wrap_label,
)

#: Most bars that keep their value on top at a readable size (two years of quarters).
MAX_LABELLED_BARS = 12


def year_ticks(periods: list[str]) -> list[str]:
    """The first quarter shown of each year ("2001-Q1"), every other year past 12 years."""
    firsts = list(dict.fromkeys(p[:4] for p in periods))
    step = 1 if len(firsts) <= 12 else 2
    keep = set(firsts[::step])
    seen: set[str] = set()
    out = []
    for period in periods:
        year = period[:4]
        if year in keep and year not in seen:
            seen.add(year)
            out.append(period)
    return out


def quarterly_users_figure(rows: pd.DataFrame, *, element_label: str) -> go.Figure:
    """``rows`` are ``quarterly_users`` view rows (period, people, people_status).

    A suppressed quarter is drawn as a short grey bar labelled "[c]" so that a gap never reads
    as "nobody"; its height is a fixed marker, not a value (the hover says so).
    """
    data = rows.reset_index(drop=True)
    if data.empty:
        return no_data_figure()
    periods = [str(p) for p in data["period"]]
    statuses = data["people_status"].fillna("").astype(str)
    shown = [
        None if is_missing(v) or s == "[c]" else float(v)
        for v, s in zip(data["people"], statuses, strict=True)
    ]
    published = [v for v in shown if v is not None]
    marker_height = (max(published) * 0.04) if published else 1.0
    labels = [format_value(v, "count", s) for v, s in zip(data["people"], statuses, strict=True)]
    # Values on the bars only while they fit at a readable size; with many quarters Plotly
    # shrank them to ~5 px, so then the hover (and the table) carry them instead.
    on_bars = len(periods) <= MAX_LABELLED_BARS
    fig = go.Figure(
        [
            go.Bar(
                x=periods,
                y=shown,
                name="People (published)",
                marker_color=BAR_COLOUR,
                text=labels,
                textposition="outside" if on_bars else "none",
                textfont={"size": 12},
                cliponaxis=False,
                hovertemplate="%{x}<br>People: %{text}<extra></extra>",
            ),
            go.Bar(
                x=periods,
                y=[marker_height if v is None else None for v in shown],
                name=f"{SUPPRESSED_TEXT}, not drawn to scale",
                showlegend=any(v is None for v in shown),
                marker={"color": SUPPRESSED_FILL, "pattern": {"shape": "/"}},
                text=["[c]" if v is None else "" for v in shown],
                textposition="outside" if on_bars else "none",
                textfont={"size": 12},
                hovertemplate=f"%{{x}}<br>{SUPPRESSED_TEXT}<extra></extra>",
            ),
        ],
        layout={"template": TEMPLATE},
    )
    fig.update_layout(
        barmode="overlay",
        # One tick a year (its first quarter, written as the year): 60 upright "2001-Q1"
        # labels were cut and ran into the legend.
        xaxis={
            "type": "category",
            "tickmode": "array",
            "tickvals": year_ticks(periods),
            "ticktext": [p[:4] for p in year_ticks(periods)],
            "tickangle": 0,
            "automargin": True,
            "title": {"text": "Quarter (ticks at each year's first quarter)", "standoff": 8},
        },
        # Left-aligned and wrapped: a long element name ran under the chart's modebar.
        title={
            "text": wrap_label(f"People using {element_label}, per quarter", width=48),
            "font": {"size": 15},
            "x": 0.01,
            "xanchor": "left",
        },
        yaxis={
            "title": {"text": "People"},
            "rangemode": "tozero",
            "automargin": True,
            "tickformat": COUNT_TICKFORMAT,
        },
        # The legend sits at the figure's foot, below the axis title, never over it.
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        height=400,
        margin={"l": 10, "r": 10, "t": 80, "b": 50},
    )
    return fig
