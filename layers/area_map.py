"""The area heat map: a MapLibre choropleth of one measure by ward, district, sector or H3 cell.

The geometry is referenced by URL (the browser fetches it once per level and Plotly caches it),
so a figure carries only values. Areas whose value is withheld go in a second, mid-grey trace
whose tooltip gives the [c] words (layers.style.SUPPRESSED_TEXT); there is no base map (no tile server, no token), only
area outlines and the council boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from layers.style import (
    MAP_SCALE,
    OUTLINE,
    SUPPRESSED_FILL,
    SUPPRESSED_TEXT,
    TEMPLATE,
    UNVALIDATED,
    format_value,
    is_missing,
)

#: Index of each trace in the figure, used by partial (Patch) updates.
VALUE_TRACE = 0
WITHHELD_TRACE = 1


@dataclass(frozen=True)
class MapView:
    """Where the map looks: explicit centre and zoom (fitbounds fights uirevision on map)."""

    lat: float
    lon: float
    zoom: float


def view_for_bounds(
    bounds: tuple[float, float, float, float], *, width_px: int = 600, height_px: int = 520
) -> MapView:
    """Centre and zoom that fit lon/lat bounds (minx, miny, maxx, maxy) in a map of that size."""
    import math

    minx, miny, maxx, maxy = bounds
    lon_span = max(maxx - minx, 1e-4)

    # Web Mercator: convert latitudes to projected y before measuring the span.
    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lat_span = max(merc(maxy) - merc(miny), 1e-6)
    # MapLibre's zoom 0 is one 512-pixel tile for the whole world.
    zoom_x = math.log2(width_px * 360 / (512 * lon_span))
    zoom_y = math.log2(height_px * 2 * math.pi / (512 * lat_span))
    zoom = max(0.0, min(zoom_x, zoom_y) - 0.15)
    return MapView(lat=(miny + maxy) / 2, lon=(minx + maxx) / 2, zoom=round(zoom, 2))


def colour_range(values: pd.Series, city_values: pd.Series | None = None) -> tuple[float, float]:
    """(zmin, zmax) of the colour scale: from 0 (or the lowest value, if negative) to the
    highest published value of the city-wide level when given, else of the areas shown. A
    drilled-in map so keeps the city's scale: four sectors of 775 to 810 are not stretched
    from the palest to the darkest colour."""
    pool = pd.to_numeric(
        pd.concat([values, city_values]) if city_values is not None else values, errors="coerce"
    ).dropna()
    if pool.empty:
        return 0.0, 1.0
    low = min(0.0, float(pool.min()))
    high = float(pool.max())
    return low, high if high > low else low + 1.0


def overlay_layers(
    outline: str | dict | None, highlight: dict | None, parent_edge: dict | None = None
) -> list[dict]:
    """Map line layers: the boundary or the drilled parent's outline (a URL or GeoJSON), the
    parent's own boundary dashed where its parts (hexagons) overrun it, and the selected area
    drawn thicker over them."""
    layers = []
    if parent_edge:
        layers.append(
            {
                "source": parent_edge,
                "sourcetype": "geojson",
                "type": "line",
                "color": "#000000",
                "line": {"width": 2.5, "dash": [2, 1.5]},
                "name": "parent boundary",
            }
        )
    if outline:
        layers.append(
            {
                "source": outline,
                "sourcetype": "geojson",
                "type": "line",
                "color": "#000000",
                "line": {"width": 2},
                "name": "outline",
            }
        )
    if highlight:
        layers.append(
            {
                "source": highlight,
                "sourcetype": "geojson",
                "type": "line",
                "color": "#000000",
                "line": {"width": 5},
                "name": "selected",
            }
        )
    return layers


def base_layout(view: MapView, layers: list[dict], revision: str) -> dict:
    """What every map's layout shares: no tile server (a white background, so it works
    offline), the view's centre and zoom, the line layers over it, no margins, and the user's
    own pan and zoom kept across updates of the same view (``uirevision``)."""
    return {
        "template": TEMPLATE,
        "map": {
            "style": "white-bg",
            "center": {"lat": view.lat, "lon": view.lon},
            "zoom": view.zoom,
            **({"layers": layers} if layers else {}),
        },
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "uirevision": revision,
    }


def trace_values(rows: pd.DataFrame, *, kind: str, measure_label: str) -> dict[int, dict]:
    """Per trace, the properties that change when only the filters change.

    ``rows`` are ``area_map`` view rows (area_code, area_name, value, value_status, people,
    people_status). The dashboard sends exactly these as a partial update.
    """
    shown_codes: list[str] = []
    shown_z: list[float] = []
    shown_data: list[list[str]] = []
    hidden_codes: list[str] = []
    hidden_data: list[list[str]] = []
    for row in rows.itertuples(index=False):
        status = getattr(row, "value_status", "") or ""
        value = getattr(row, "value", None)
        text = format_value(value, kind, status)
        people = format_value(
            getattr(row, "people", None), "count", getattr(row, "people_status", "")
        )
        name = str(getattr(row, "area_name", "") or row.area_code)
        # A label that already carries its code ("Acocks Green ward (E05011118)") is not
        # given it twice.
        label = name if str(row.area_code) in name else f"{name} ({row.area_code})"
        custom = [label, text, people]
        if is_missing(value) or status == "[c]":
            hidden_codes.append(str(row.area_code))
            hidden_data.append(custom)
        else:
            shown_codes.append(str(row.area_code))
            shown_z.append(float(value))
            shown_data.append(custom)
    hover = (
        "<b>%{customdata[0]}</b><br>" + measure_label + ": %{customdata[1]}"
        "<br>People: %{customdata[2]}<extra></extra>"
    )
    return {
        VALUE_TRACE: {
            "locations": shown_codes,
            "z": shown_z,
            "customdata": shown_data,
            "hovertemplate": hover,
        },
        WITHHELD_TRACE: {
            "locations": hidden_codes,
            "z": [0] * len(hidden_codes),
            "customdata": hidden_data,
            "hovertemplate": hover,
        },
    }


def colorbar_title(measure_label: str, period_label: str) -> str:
    """Legend title: the measure and the period, as the issue asks every legend to state."""
    return f"{measure_label}<br>{period_label}"


def map_figure(
    rows: pd.DataFrame,
    *,
    geojson_url: str,
    outline_url: str | dict | None,
    kind: str,
    measure_label: str,
    period_label: str,
    view: MapView,
    revision: str,
    zrange: tuple[float, float] | None = None,
    highlight: dict | None = None,
    parent_edge: dict | None = None,
) -> go.Figure:
    """The full map figure (sent when the level or drill-down changes; otherwise values only).

    ``outline_url`` is the council boundary (a URL) or a drilled parent's dissolved outline
    (GeoJSON); ``highlight`` the selected area's; ``zrange`` fixes the colour scale."""
    values = trace_values(rows, kind=kind, measure_label=measure_label)
    if zrange is not None:
        values[VALUE_TRACE].update(zmin=zrange[0], zmax=zrange[1])
    line = {"color": OUTLINE, "width": 0.6}
    layers = overlay_layers(outline_url, highlight, parent_edge)
    layout = dict(
        base_layout(view, layers, revision),
        clickmode="event",
        legend={
            "x": 0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0.8)",
        },
        height=520,
    )
    fig = go.Figure(
        data=[
            go.Choroplethmap(
                **UNVALIDATED,
                geojson=geojson_url,
                featureidkey="id",
                colorscale=MAP_SCALE,
                marker={"line": line, "opacity": 0.9},
                colorbar={
                    "title": {"text": colorbar_title(measure_label, period_label)},
                    "thickness": 14,
                    "len": 0.75,
                },
                name="value",
                **values[VALUE_TRACE],
            ),
            go.Choroplethmap(
                **UNVALIDATED,
                geojson=geojson_url,
                featureidkey="id",
                colorscale=[[0, SUPPRESSED_FILL], [1, SUPPRESSED_FILL]],
                showscale=False,
                showlegend=True,
                marker={"line": line, "opacity": 0.9},
                name=f"{SUPPRESSED_TEXT}, in grey",
                **values[WITHHELD_TRACE],
            ),
        ],
        layout=layout,
        **UNVALIDATED,
    )
    return fig
