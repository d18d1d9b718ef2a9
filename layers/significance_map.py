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

from layers.area_map import MapView, overlay_layers
from layers.hotspots import (
    CLASSES,
    NOT_COMPARED,
    WITHHELD,
    MapGroup,
    category_map_figure,
    classify,
)
from layers.style import SUPPRESSED_TEXT, format_value, is_missing

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
    """Areas filled by their class, a legend entry in words (with its count of areas) for each
    class some area falls in, the drilled parent's outline and the selection."""
    classes = list(classify(rows))
    hover = hover_text(rows, names)
    codes = [str(c) for c in rows["area_code"]]
    groups = []
    for cls in CLASSES:
        chosen = [i for i, key in enumerate(classes) if key == cls.key]
        if cls is NOT_COMPARED and not chosen:
            continue
        label = SUPPRESSED_LABEL if cls is WITHHELD else cls.label
        groups.append(
            MapGroup(
                name=f"{label} ({len(chosen)})",
                colour=cls.colour,
                geojson_url=geojson_url,
                locations=[codes[i] for i in chosen],
                hover=[hover[i] for i in chosen],
            )
        )
    return category_map_figure(
        groups,
        outline_url=None,
        view=view,
        revision=revision,
        height=650,
        layers=overlay_layers(outline, highlight, parent_edge),
        layout={
            "clickmode": "event",
            # Under the map, not over it: a drilled-in area fills the frame to its corners.
            "legend": {
                "title": {"text": "Compared with the city (people per 1,000)"},
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "bgcolor": "rgba(255,255,255,0)",
                "font": {"size": 12},
            },
            "margin": {"l": 0, "r": 0, "t": 0, "b": 130},
        },
    )
