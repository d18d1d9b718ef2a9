"""Regions side by side: one measure per region, and each region's age and ethnicity profile.

A region is one of the council's region sets, fixed at build time (the thesis's North / East /
South are groups of postcode districts). Each region keeps one colour on every chart and on
the membership map, from a colour-blind-safe set (Okabe-Ito, then Paul Tol's muted).

Every value is a query-layer result at level=region; nothing is derived here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

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


def region_compare_figure(
    rows: pd.DataFrame, *, measure_label: str, kind: str, names: dict[str, str] | None = None
) -> go.Figure:
    """A bar per region of one set in the region's colour, with its 95% interval when the view
    gives one and the city's value as a dashed line.

    ``rows``: the query layer's area_compare (or area_map) rows at level=region: area_code,
    area_name, value, value_status (lower95 / upper95 / city_value when given). A withheld
    value is a short hatched grey bar labelled with its shorthand, never a zero."""
    names = names or {}
    regions = [
        html.escape(str(names.get(str(c)) or n or c), quote=False)
        for c, n in zip(rows["area_code"], rows["area_name"], strict=True)
    ]
    values = [None if is_missing(v) else float(v) for v in rows["value"]]
    statuses = [str(s or "") for s in rows["value_status"]]
    published = [v for v in values if v is not None]
    marker = (max(published) * 0.04) if published else 1.0
    error = None
    if {"lower95", "upper95"} <= set(rows.columns):
        error = {
            "type": "data",
            "symmetric": False,
            "array": [
                None if v is None or is_missing(u) else float(u) - v
                for v, u in zip(values, rows["upper95"], strict=True)
            ],
            "arrayminus": [
                None if v is None or is_missing(lo) else v - float(lo)
                for v, lo in zip(values, rows["lower95"], strict=True)
            ],
            "color": "#1a1a1a",
            "thickness": 1.5,
        }
    labels = [short_label(v, kind, s) for v, s in zip(values, statuses, strict=True)]
    fig = go.Figure(layout={"template": TEMPLATE})
    fig.add_trace(
        go.Bar(
            x=regions,
            y=[marker if v is None else v for v in values],
            marker={
                "color": [
                    SUPPRESSED_FILL if v is None else region_colour(i) for i, v in enumerate(values)
                ],
                "pattern": {"shape": ["/" if v is None else "" for v in values]},
            },
            text=labels,
            textposition="outside" if error is None else "inside",
            insidetextanchor="end",
            cliponaxis=False,
            customdata=[format_value(v, kind, s) for v, s in zip(values, statuses, strict=True)],
            hovertemplate="%{x}<br>" + measure_label + ": %{customdata}<extra></extra>",
            error_y=error,
            showlegend=False,
            name=measure_label,
        )
    )
    city = None
    if "city_value" in rows.columns and len(rows) and not is_missing(rows["city_value"].iloc[0]):
        city = float(rows["city_value"].iloc[0])
        fig.add_hline(
            y=city,
            line={"dash": "dash", "color": "#333333"},
            annotation_text=f"City: {format_value(city, kind, '')}",
            annotation_position="top left",
        )
    fig.update_layout(
        height=340,
        margin={"l": 60, "r": 10, "t": 30, "b": 40},
        bargap=0.35,
        yaxis={"title": {"text": measure_label}, "rangemode": "tozero"},
        xaxis={"type": "category"},
    )
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
    regions = list(dict.fromkeys(html.escape(str(r), quote=False) for r in profiles["region"]))
    for index, region in enumerate(regions):
        rows = profiles[
            profiles["region"].map(lambda r: html.escape(str(r), quote=False)) == region
        ]
        part = rows.set_index("category").reindex(categories)
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
