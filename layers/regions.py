"""Regions side by side: people, agreements, cost, cost per person, rate, age and ethnicity.

A region is a named group of districts or wards (the thesis's North / East / South are
groups of postcode districts). Each region keeps one colour on every chart and on the
membership map, from a colour-blind-safe set (Okabe-Ito, then Paul Tol's muted).

Every value comes from the query layer at level=region; the one derived number, cost per
person, is published cost / published people of the same cell, withheld when either is.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from layers.style import SUPPRESSED_FILL, TEMPLATE, format_value, is_missing

#: Up to 12 regions (the query layer's limit), each with a distinct colour-blind-safe colour.
REGION_COLOURS: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#332288",
    "#999933",
    "#882255",
    "#44AA99",
    "#117733",
    "#AA4499",
)


def region_colour(index: int) -> str:
    return REGION_COLOURS[index % len(REGION_COLOURS)]


def significant_3(value: float) -> float:
    """Round to 3 significant figures, as the query layer rounds money."""
    if value == 0:
        return 0.0
    from math import floor, log10

    digits = 2 - floor(log10(abs(value)))
    return float(round(value, digits))


def cost_per_person(
    cost: object, cost_status: object, people: object, people_status: object
) -> tuple[float | None, str]:
    """Published cost / published people of the same cell, to 3 significant figures.

    Withheld ([c]) when the people count is, not available ([x]) when the cost is not
    published, never computed from anything but published values."""
    if people_status == "[c]" or is_missing(people):
        return None, "[c]"
    if cost_status == "[c]":
        return None, "[c]"
    if is_missing(cost) or cost_status == "[x]":
        return None, "[x]"
    if float(people) <= 0:  # type: ignore[arg-type]
        return None, "[z]"
    return significant_3(float(cost) / float(people)), ""  # type: ignore[arg-type]


#: The side-by-side panels: (column, status column, kind, title).
COMPARE_PANELS: tuple[tuple[str, str, str, str], ...] = (
    ("people", "people_status", "count", "People"),
    ("agreements", "agreements_status", "count", "Active agreements"),
    ("cost", "cost_status", "money", "Cost in period"),
    ("cost_per_person", "cost_per_person_status", "money", "Cost per person"),
    ("rate", "rate_status", "rate", "People per 1,000 residents"),
)


def region_compare_figure(table: pd.DataFrame) -> go.Figure:
    """One small bar chart per measure, a bar per region in the region's colour.

    ``table``: one row per region with region and the COMPARE_PANELS columns (and lower95 /
    upper95 for the rate). A withheld value is a short hatched grey bar labelled with its
    shorthand, never a zero."""
    regions = [str(r) for r in table["region"]]
    colours = [region_colour(i) for i in range(len(regions))]
    fig = make_subplots(
        rows=1,
        cols=len(COMPARE_PANELS),
        subplot_titles=[title for *_, title in COMPARE_PANELS],
        horizontal_spacing=0.06,
    )
    for col, (name, status_name, kind, title) in enumerate(COMPARE_PANELS, start=1):
        values = [None if is_missing(v) else float(v) for v in table[name]]
        statuses = [str(s or "") for s in table[status_name]]
        labels = [format_value(v, kind, s) for v, s in zip(table[name], statuses, strict=True)]
        published = [v for v in values if v is not None]
        marker = (max(published) * 0.04) if published else 1.0
        error = None
        if name == "rate" and {"lower95", "upper95"} <= set(table.columns):
            error = {
                "type": "data",
                "symmetric": False,
                "array": [
                    None if v is None or is_missing(u) else float(u) - v
                    for v, u in zip(values, table["upper95"], strict=True)
                ],
                "arrayminus": [
                    None if v is None or is_missing(lo) else v - float(lo)
                    for v, lo in zip(values, table["lower95"], strict=True)
                ],
                "color": "#1a1a1a",
                "thickness": 1.5,
            }
        fig.add_trace(
            go.Bar(
                x=regions,
                y=[marker if v is None else v for v in values],
                marker={
                    "color": [
                        SUPPRESSED_FILL if v is None else c
                        for v, c in zip(values, colours, strict=True)
                    ],
                    "pattern": {"shape": ["/" if v is None else "" for v in values]},
                },
                text=None
                if error is not None
                else [short_label(v, kind, s) for v, s in zip(values, statuses, strict=True)],
                textposition="outside",
                cliponaxis=False,
                customdata=labels,
                hovertemplate="%{x}<br>" + title + ": %{customdata}<extra></extra>",
                error_y=error,
                showlegend=False,
                name=title,
            ),
            row=1,
            col=col,
        )
        if error is not None:
            # The rate's label sits above its interval, where the whisker cannot cross it.
            fig.add_trace(
                go.Scatter(
                    x=regions,
                    y=[
                        marker if v is None else max(v, 0 if is_missing(u) else float(u))
                        for v, u in zip(values, table["upper95"], strict=True)
                    ],
                    mode="text",
                    text=[short_label(v, kind, s) for v, s in zip(values, statuses, strict=True)],
                    textposition="top center",
                    hoverinfo="skip",
                    showlegend=False,
                    cliponaxis=False,
                ),
                row=1,
                col=col,
            )
        fig.update_yaxes(rangemode="tozero", showticklabels=False, row=1, col=col)
    fig.update_layout(
        template=TEMPLATE,
        height=340,
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
        bargap=0.25,
    )
    fig.update_annotations(font={"size": 13})
    return fig


def short_label(value: float | None, kind: str, status: str) -> str:
    """The bar's label: compact money (£1.2m), counts with commas, the shorthand if withheld."""
    if value is None:
        return status or "[x]"
    return format_value(value, kind, status)


def profile_figure(
    profiles: pd.DataFrame, *, categories: Sequence[str], dimension_label: str
) -> go.Figure:
    """Grouped bars: each region's share of its people in each category (age band or ethnic
    group), from the query layer's demographics view of that region alone.

    ``profiles``: region, category, people, people_status, share, share_status. A withheld
    share is a hatched grey marker labelled "[c]"."""
    fig = go.Figure(layout={"template": TEMPLATE})
    regions = list(dict.fromkeys(str(r) for r in profiles["region"]))
    for index, region in enumerate(regions):
        part = profiles[profiles["region"] == region].set_index("category").reindex(categories)
        shares = [None if is_missing(v) else float(v) * 100 for v in part["share"]]
        statuses = [str(s) if isinstance(s, str) else "[x]" for s in part["share_status"]]
        people = [
            format_value(p, "count", s)
            for p, s in zip(part["people"], part["people_status"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=list(categories),
                y=[0.6 if v is None else v for v in shares],
                name=region,
                marker={
                    "color": [
                        SUPPRESSED_FILL if v is None else region_colour(index) for v in shares
                    ],
                    "pattern": {"shape": ["/" if v is None else "" for v in shares]},
                },
                text=[
                    (s or "[x]") if v is None else f"{v:.0f}%"
                    for v, s in zip(shares, statuses, strict=True)
                ],
                textposition="outside",
                cliponaxis=False,
                customdata=[
                    [format_value(None if v is None else v / 100, "share", s), p]
                    for v, s, p in zip(shares, statuses, people, strict=True)
                ],
                hovertemplate=(
                    f"{region}<br>%{{x}}: %{{customdata[0]}} of the region's people"
                    "<br>People: %{customdata[1]}<extra></extra>"
                ),
            )
        )
    fig.update_layout(
        barmode="group",
        xaxis={"type": "category", "title": {"text": dimension_label}},
        yaxis={"title": {"text": "Share of the region's people (%)"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25},
        height=380,
        margin={"l": 10, "r": 10, "t": 30, "b": 90},
    )
    return fig
