"""Regions side by side: one measure per region, and each region's age and ethnicity profile.

A region is one of the council's region sets, fixed at build time (the thesis's North / East /
South are groups of postcode districts). Each region keeps one colour on every chart and on
the membership map, from a colour-blind-safe set (Okabe-Ito, then Paul Tol's muted).

Every value is a query-layer result at level=region; nothing is derived here.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from layers.style import (
    COUNT_TICKFORMAT,
    SUPPRESSED_FILL,
    TEMPLATE,
    format_value,
    is_missing,
    money_axis,
    no_data_figure,
)

#: Type size of the value labels and region names: fixed, so Plotly never shrinks them.
LABEL_SIZE = 14
#: Pixels between the top of a bar's 95% interval (its cap) and the bottom of its label.
LABEL_GAP = 6
#: The name the value labels carry among the figure's annotations.
VALUE_LABEL = "value"

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
    if rows.empty:
        return no_data_figure()
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
            # The value labels are annotations a few pixels clear of the interval's cap
            # (labels inside the bar, or at the cap itself, sat on the whiskers, and Plotly
            # shrank them to 7 px), on a white ground where the city's line passes behind.
            text=labels,
            textposition="none",
            customdata=[format_value(v, kind, s) for v, s in zip(values, statuses, strict=True)],
            hovertemplate="%{x}<br>" + measure_label + ": %{customdata}<extra></extra>",
            error_y=error,
            showlegend=False,
            name=measure_label,
        )
    )
    tops = _label_heights(values, rows, marker)
    for region, label, height in zip(regions, labels, tops, strict=True):
        fig.add_annotation(value_label(region, label, height))
    city = None
    if "city_value" in rows.columns and len(rows) and not is_missing(rows["city_value"].iloc[0]):
        city = float(rows["city_value"].iloc[0])
        fig.add_hline(
            y=city,
            line={"dash": "dash", "color": "#333333"},
            annotation_text=f"City: {format_value(city, kind, '')}",
            annotation_position="top right",
            annotation_font={"size": LABEL_SIZE},
        )
    top = max([t for t in tops if t is not None] + [city or 0.0, 0.0])
    value_axis: dict = {"title": {"text": measure_label}, "automargin": True}
    if kind == "money":
        value_axis.update(money_axis([top * 1.15]))
    else:
        value_axis.update(range=[0, (top or 1.0) * 1.18], tickformat=COUNT_TICKFORMAT)
        if kind == "share":
            value_axis.update(tickformat=".0%")
    fig.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        bargap=0.35,
        yaxis=value_axis,
        # Whole names on up to three lines, never cut: the tick text is wrapped, the
        # category (and the hover) keeps the name.
        xaxis={
            "type": "category",
            "automargin": True,
            "tickmode": "array",
            "tickvals": regions,
            "ticktext": [whole_name(r) for r in regions],
            "tickfont": {"size": LABEL_SIZE},
        },
    )
    return fig


def value_label(region: str, text: str, height: float) -> dict:
    """A bar's value label: anchored at the top of its bar or interval, lifted LABEL_GAP
    pixels clear of the cap, on a white ground so the city's dashed line never runs through
    the figures."""
    return {
        "x": region,
        "y": height,
        "text": text,
        "name": VALUE_LABEL,
        "showarrow": False,
        "yanchor": "bottom",
        "yshift": LABEL_GAP,
        "font": {"size": LABEL_SIZE},
        "bgcolor": "rgba(255, 255, 255, 0.9)",
        "borderpad": 1,
    }


def _label_heights(values: list[float | None], rows: pd.DataFrame, marker: float) -> list[float]:
    """Where each value label sits: above the bar and its 95% interval."""
    uppers = rows["upper95"] if "upper95" in rows.columns else [None] * len(values)
    out = []
    for value, upper in zip(values, uppers, strict=True):
        height = marker if value is None else value
        if value is not None and not is_missing(upper):
            height = max(height, float(upper))
        out.append(height)
    return out


def whole_name(name: str, width: int = 16) -> str:
    """A category name wrapped on whole words, never cut (Plotly's <br>)."""
    return "<br>".join(textwrap.wrap(name, width=width, break_long_words=False)) or name


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
    shown = [v for trace in fig.data for v in (trace.y or ()) if v is not None]
    fig.update_traces(textfont={"size": 12})
    fig.update_layout(
        barmode="group",
        # Whole category names (ethnic groups are long), wrapped on words, never cut.
        xaxis={
            "type": "category",
            "title": {"text": dimension_label, "standoff": 12},
            "automargin": True,
            "tickmode": "array",
            "tickvals": list(categories),
            "ticktext": [whole_name(str(c), 14) for c in categories],
        },
        # automargin puts the title beside the tick labels, not over them (the margin was a
        # fixed 10 px, so Plotly drew the title across "0%" to "40%").
        yaxis={
            "title": {"text": "Share of the region's people", "standoff": 10},
            "ticksuffix": "%",
            "range": [0, max([*shown, 1.0]) * 1.18],
            "automargin": True,
        },
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        height=400,
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
    )
    return fig
