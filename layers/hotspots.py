"""Hotspots: each area's service activity per 1,000 residents against the city's.

Fingertips' convention for an indicator with no polarity: an area is "higher" or "lower" than
the benchmark when the benchmark lies outside the area's confidence interval, else "similar";
"significantly at 99.8%" is told apart from "at 95% only". Service activity is not good or bad
(a high rate may be need met, or need created), so no red / green: a colour-blind-safe
purple / orange diverging set (ColorBrewer PuOr), mid-grey for withheld areas.

``rows`` everywhere are rows of the query layer's ``area_compare`` view (measure=rate_per_1000):
area_code, area_name, value, value_status, lower95, upper95, lower998, upper998, city_value,
city_status, comparison, comparison_998.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from layers.area_map import MapView, base_layout, overlay_layers
from layers.style import (
    OUTLINE,
    SUPPRESSED_FILL,
    SUPPRESSED_TEXT,
    UNVALIDATED,
    format_value,
    is_missing,
)


@dataclass(frozen=True)
class HotspotClass:
    key: str
    label: str
    colour: str


HIGHER_998 = HotspotClass("higher_998", "Higher than the city (significant at 99.8%)", "#5e3c99")
HIGHER_95 = HotspotClass("higher_95", "Higher than the city (significant at 95%)", "#b2abd2")
SIMILAR = HotspotClass("similar", "Similar to the city", "#f7f7f7")
LOWER_95 = HotspotClass("lower_95", "Lower than the city (significant at 95%)", "#fdb863")
LOWER_998 = HotspotClass("lower_998", "Lower than the city (significant at 99.8%)", "#e66101")
WITHHELD = HotspotClass("withheld", f"{SUPPRESSED_TEXT}, not compared", SUPPRESSED_FILL)
NOT_COMPARED = HotspotClass(
    "not_compared", "Not compared ([z] no residents, or no city value)", "#ffffff"
)

#: Legend order: most above the city first.
CLASSES: tuple[HotspotClass, ...] = (
    HIGHER_998,
    HIGHER_95,
    SIMILAR,
    LOWER_95,
    LOWER_998,
    WITHHELD,
    NOT_COMPARED,
)
BY_KEY = {c.key: c for c in CLASSES}

ACTIVITY_WORDING = (
    "Service activity, not need: a higher rate means more people using services per 1,000 "
    "residents, which may be need met, or a service's reach, rather than more need."
)
METHOD_WORDING = (
    "Higher / lower: the city's rate lies outside the area's 95% interval (pale) or its 99.8% "
    "interval (dark); similar: inside the 95% interval. Intervals (Byar) from published counts."
)


def hotspot_class(comparison: object, comparison_998: object, value_status: object) -> str:
    """The class key of one area from the query layer's comparison columns."""
    if value_status == "[c]":
        return WITHHELD.key
    c95 = comparison if isinstance(comparison, str) else ""
    c998 = comparison_998 if isinstance(comparison_998, str) else ""
    if c95 not in ("higher", "lower", "similar"):
        return NOT_COMPARED.key
    if c95 == "similar":
        return SIMILAR.key
    if c998 == c95:
        return HIGHER_998.key if c95 == "higher" else LOWER_998.key
    return HIGHER_95.key if c95 == "higher" else LOWER_95.key


def classify(rows: pd.DataFrame) -> pd.Series:
    """One class key per row of ``rows``."""
    return pd.Series(
        [
            hotspot_class(a, b, s)
            for a, b, s in zip(
                rows["comparison"], rows["comparison_998"], rows["value_status"], strict=True
            )
        ],
        index=rows.index,
        dtype="str",
    )


def summary_text(rows: pd.DataFrame, area_word: str) -> str:
    """ "Of 69 wards: 5 higher (2 at 99.8%), 55 similar, 6 lower (1 at 99.8%), 3 withheld [c]."

    Counts of areas, not of people, so nothing here needs protecting."""
    counts = Counter(classify(rows))
    higher = counts[HIGHER_998.key] + counts[HIGHER_95.key]
    lower = counts[LOWER_998.key] + counts[LOWER_95.key]
    parts = [
        f"{higher} higher ({counts[HIGHER_998.key]} at 99.8%)",
        f"{counts[SIMILAR.key]} similar",
        f"{lower} lower ({counts[LOWER_998.key]} at 99.8%)",
    ]
    if counts[WITHHELD.key]:
        parts.append(f"{counts[WITHHELD.key]} withheld [c]")
    if counts[NOT_COMPARED.key]:
        parts.append(f"{counts[NOT_COMPARED.key]} not compared")
    return f"Of {len(rows)} {area_word}: " + ", ".join(parts) + "."


def _interval_text(row: pd.Series, low: str, high: str) -> str:
    if is_missing(row[low]) or is_missing(row[high]):
        return ""
    return f"{float(row[low]):,.1f} to {float(row[high]):,.1f}"


def hover_lines(rows: pd.DataFrame) -> list[str]:
    """One tooltip per area: name, rate and intervals, the city's rate, the judgement."""
    out = []
    classes = classify(rows)
    for (_, row), key in zip(rows.iterrows(), classes, strict=True):
        name = f"{row['area_name'] or row['area_code']} ({row['area_code']})"
        rate = format_value(row["value"], "rate", row["value_status"])
        lines = [f"<b>{name}</b>", f"People per 1,000 residents: {rate}"]
        ci95 = _interval_text(row, "lower95", "upper95")
        if ci95:
            lines.append(f"95% interval: {ci95}")
            lines.append(f"99.8% interval: {_interval_text(row, 'lower998', 'upper998')}")
        city = format_value(row["city_value"], "rate", row["city_status"])
        lines.append(f"City: {city}")
        lines.append(BY_KEY[key].label)
        out.append("<br>".join(lines))
    return out


# --- a categorical map (hotspots here; region membership on the regions card) ------------


@dataclass(frozen=True)
class MapGroup:
    """One legend entry of a categorical map: areas of one level filled with one colour."""

    name: str
    colour: str
    geojson_url: str
    locations: Sequence[str]
    hover: Sequence[str] = field(default_factory=tuple)
    pattern: bool = False


def category_map_figure(
    groups: Sequence[MapGroup],
    *,
    outline_url: str | None,
    view: MapView,
    revision: str,
    height: int = 520,
) -> go.Figure:
    """A MapLibre map (no tiles) with one constant-colour choropleth trace per group.

    Empty groups still get a trace, so the figure always lists every class (the browser's
    legend leaves out a trace without areas). Built without Plotly's validation, which cost
    more than reading the map's cells."""
    traces = []
    for group in groups:
        traces.append(
            go.Choroplethmap(
                **UNVALIDATED,
                geojson=group.geojson_url,
                featureidkey="id",
                locations=list(group.locations),
                z=[1] * len(group.locations),
                colorscale=[[0, group.colour], [1, group.colour]],
                showscale=False,
                showlegend=True,
                name=group.name,
                marker={"line": {"color": OUTLINE, "width": 0.6}, "opacity": 0.9},
                text=list(group.hover) or None,
                hovertemplate="%{text}<extra></extra>"
                if group.hover
                else "%{location}<extra></extra>",
            )
        )
    figure_layout = {
        **base_layout(view, overlay_layers(outline_url, None), revision),
        "legend": {
            "x": 1,
            "y": 0,
            "xanchor": "right",
            "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0.85)",
            "font": {"size": 12},
        },
        "height": height,
    }
    return go.Figure(data=traces, layout=figure_layout, **UNVALIDATED)


def hotspot_map_figure(
    rows: pd.DataFrame,
    *,
    geojson_url: str,
    outline_url: str | None,
    view: MapView,
    revision: str,
) -> go.Figure:
    """Areas filled by their class; the tooltip gives the rate, intervals and judgement."""
    classes = classify(rows)
    hover = hover_lines(rows)
    groups = []
    for cls in CLASSES:
        chosen = [i for i, key in enumerate(classes) if key == cls.key]
        if cls in (NOT_COMPARED,) and not chosen:
            continue
        groups.append(
            MapGroup(
                name=cls.label,
                colour=cls.colour,
                geojson_url=geojson_url,
                locations=[str(rows["area_code"].iloc[i]) for i in chosen],
                hover=[hover[i] for i in chosen],
            )
        )
    return category_map_figure(groups, outline_url=outline_url, view=view, revision=revision)
