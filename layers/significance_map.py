"""The landing map: each area's people per 1,000 residents against the city's, filled by
whether it is significantly higher, similar or lower (Fingertips' convention, 95% and 99.8%).

The classes, colours (a colour-blind-safe diverging set, no red / green: activity is not good
or bad) and their words are the directors' hotspots' (layers.hotspots), so the two pages read
alike. An area whose count is [c] is listed as suppressed, in grey, never as a class colour.

``rows`` are rows of the query layer's ``area_compare`` view; ``names`` gives each area the
label the page uses ("B31 2 Northfield", "Northfield ward (E05011118)").
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from layers.area_map import MapView, base_layout, overlay_layers
from layers.hotspots import CLASSES, NOT_COMPARED, WITHHELD, classify
from layers.style import (
    OUTLINE,
    SUPPRESSED_TEXT,
    UNVALIDATED,
    format_value,
    is_missing,
)

#: The legend's words for a suppressed area: what it is, not a judgement.
SUPPRESSED_LABEL = f"{SUPPRESSED_TEXT}, not compared"


def _interval(row: pd.Series, low: str, high: str) -> str:
    if is_missing(row[low]) or is_missing(row[high]):
        return "not available"
    return f"{float(row[low]):,.1f} to {float(row[high]):,.1f}"


def hover_text(rows: pd.DataFrame, names: Mapping[str, str]) -> list[str]:
    """One tooltip per area: its name and code, rate, intervals, the city, the judgement."""
    out = []
    for (_, row), key in zip(rows.iterrows(), classify(rows), strict=True):
        code = str(row["area_code"])
        lines = [f"<b>{names.get(code, code)}</b>"]
        if key == WITHHELD.key:
            lines.append(f"{SUPPRESSED_TEXT}, so not compared")
        else:
            rate = format_value(row["value"], "rate", row["value_status"])
            lines.append(f"People per 1,000 residents: {rate}")
            lines.append(f"95% interval: {_interval(row, 'lower95', 'upper95')}")
            lines.append(f"99.8% interval: {_interval(row, 'lower998', 'upper998')}")
            lines.append(next(c.label for c in CLASSES if c.key == key))
        lines.append(f"City: {format_value(row['city_value'], 'rate', row['city_status'])}")
        out.append("<br>".join(lines))
    return out


def class_counts(rows: pd.DataFrame) -> dict[str, int]:
    """How many areas fall in each class (counts of areas, not of people)."""
    counts = classify(rows).value_counts()
    return {c.key: int(counts.get(c.key, 0)) for c in CLASSES}


def significance_key(rows: pd.DataFrame) -> list[tuple[str, str]]:
    """The map's key: (words with the count of areas, colour) for every class, "not compared"
    only when some area is. Shown in the page beside the map (dashboard.map_views), not as
    Plotly legend entries: each entry would be a trace, and each map trace costs the browser
    a redraw of its own on every filter change."""
    counts = class_counts(rows)
    entries = []
    for cls in CLASSES:
        count = counts[cls.key]
        if cls is NOT_COMPARED and not count:
            continue
        label = SUPPRESSED_LABEL if cls is WITHHELD else cls.label
        entries.append((f"{label} ({count})", cls.colour))
    return entries


def class_colourscale() -> list[list[float | str]]:
    """Each class one flat band of a 0..len(CLASSES) scale: area i of class k has z = k + 0.5."""
    n = len(CLASSES)
    scale: list[list[float | str]] = []
    for index, cls in enumerate(CLASSES):
        scale += [[index / n, cls.colour], [(index + 1) / n, cls.colour]]
    return scale


def significance_map_figure(
    rows: pd.DataFrame,
    *,
    geojson_url: str,
    names: Mapping[str, str],
    outline: str | dict | None,
    highlight: dict | None,
    view: MapView,
    revision: str,
    parent_edge: dict | None = None,
) -> go.Figure:
    """Areas filled by their class in one trace (its key is significance_key), the drilled
    parent's outline and the selection."""
    position = {cls.key: index for index, cls in enumerate(CLASSES)}
    trace = go.Choroplethmap(
        **UNVALIDATED,
        geojson=geojson_url,
        featureidkey="id",
        locations=[str(c) for c in rows["area_code"]],
        z=[position[key] + 0.5 for key in classify(rows)],
        zmin=0,
        zmax=len(CLASSES),
        colorscale=class_colourscale(),
        showscale=False,
        showlegend=False,
        name="compared with the city",
        marker={"line": {"color": OUTLINE, "width": 0.6}, "opacity": 0.9},
        text=hover_text(rows, names),
        hovertemplate="%{text}<extra></extra>",
    )
    layout = {
        **base_layout(view, overlay_layers(outline, highlight, parent_edge), revision),
        "clickmode": "event",
        "showlegend": False,
        "height": 520,
    }
    return go.Figure(data=[trace], layout=layout, **UNVALIDATED)
