"""Quarterly unique users of one element: one bar per quarter, [c] quarters marked, not zeroed."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from layers.style import (
    BAR_COLOUR,
    SUPPRESSED_FILL,
    TEMPLATE,
    format_value,
    is_missing,
    wrap_label,
)


def quarterly_users_figure(rows: pd.DataFrame, *, element_label: str) -> go.Figure:
    """``rows`` are ``quarterly_users`` view rows (period, people, people_status).

    A suppressed quarter is drawn as a short grey bar labelled "[c]" so that a gap never reads
    as "nobody"; its height is a fixed marker, not a value (the hover says so).
    """
    data = rows.reset_index(drop=True)
    periods = [str(p) for p in data["period"]]
    statuses = data["people_status"].fillna("").astype(str)
    shown = [
        None if is_missing(v) or s == "[c]" else float(v)
        for v, s in zip(data["people"], statuses, strict=True)
    ]
    published = [v for v in shown if v is not None]
    marker_height = (max(published) * 0.04) if published else 1.0
    labels = [format_value(v, "count", s) for v, s in zip(data["people"], statuses, strict=True)]
    fig = go.Figure(
        [
            go.Bar(
                x=periods,
                y=shown,
                name="People (published)",
                marker_color=BAR_COLOUR,
                text=labels,
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{x}<br>People: %{text}<extra></extra>",
            ),
            go.Bar(
                x=periods,
                y=[marker_height if v is None else None for v in shown],
                name="[c] fewer than 10 (not drawn to scale)",
                showlegend=any(v is None for v in shown),
                marker={"color": SUPPRESSED_FILL, "pattern": {"shape": "/"}},
                text=["[c]" if v is None else "" for v in shown],
                textposition="outside",
                hovertemplate="%{x}<br>[c] fewer than 10: withheld<extra></extra>",
            ),
        ],
        layout={"template": TEMPLATE},
    )
    fig.update_layout(
        barmode="overlay",
        xaxis={"type": "category", "title": {"text": "Quarter"}},
        # Left-aligned and wrapped: a long element name ran under the chart's modebar.
        title={
            "text": wrap_label(f"People using {element_label}, per quarter", width=48),
            "font": {"size": 15},
            "x": 0.01,
            "xanchor": "left",
        },
        yaxis={"title": {"text": "People"}, "rangemode": "tozero", "automargin": True},
        legend={"orientation": "h", "y": -0.25},
        height=380,
        margin={"l": 10, "r": 10, "t": 80, "b": 90},
    )
    return fig
