"""What the overview's map shows for a URL state: each area against the city (the default),
or the counts of the measure chosen, one toggle apart.

Both read the query layer only (``area_compare`` and ``area_map``). Drilled into a ward or a
postcode district, the map frames the parts shown (whole, never cut by the frame), outlines
the parent by dissolving those very parts, keeps the city-wide colour scale and outlines the
selected area; the drill is kept when the level switches to hexagons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import Patch, html

from dashboard.area_search import area_labels
from dashboard.state import State, map_level, parent_level, period_label, view_params
from dashboard.views import Context, _measure, cell_params, column_kind, note_text, run
from layers.area_map import (
    VALUE_TRACE,
    MapView,
    colorbar_title,
    colour_range,
    map_figure,
    trace_values,
)
from layers.hotspots import summary_text
from layers.significance_map import significance_key, significance_map_figure
from layers.style import MEASURE_LABELS, empty_figure

#: The map's two readings: against the city (people per 1,000) or the counts chosen.
MAP_MODES: tuple[str, ...] = ("compare", "counts")
DEFAULT_MAP_MODE = "compare"
AREA_WORDS = {
    "ward": "wards",
    "district": "postcode districts",
    "sector": "postcode sectors",
    "h3r7": "hexagons",
    "h3r8": "hexagons",
}
NO_GEOMETRY = "Map geometry is not available; the table below has the same figures."


def map_mode(state: State) -> str:
    mode = state.get("map", DEFAULT_MAP_MODE)
    return mode if mode in MAP_MODES else DEFAULT_MAP_MODE


def map_key(state: State) -> str:
    """The figure must be rebuilt (new geometry, frame or selection) only when this changes;
    otherwise the counts map is sent its new values only."""
    parts = (map_mode(state), map_level(state), state.get("within", ""), state.get("areas", ""))
    return "|".join(parts)


@dataclass(frozen=True)
class Frame:
    """Where the map looks and the lines over its areas."""

    outline: str | dict | None  # the city's boundary (URL) or the parts dissolved (GeoJSON)
    highlight: dict | None  # the selected area
    parent_edge: dict | None  # a drilled parent's own boundary, where hexagons overrun it
    view: MapView


def _frame(ctx: Context, state: State, codes: list[str]) -> Frame:
    """The frame of the areas shown: the whole city, or a drilled parent's parts."""
    geometry = ctx.geometry
    assert geometry is not None
    level = map_level(state)
    area = state.get("areas")
    within = state.get("within")
    highlight = geometry.outline(level, [area]) if area and "," not in area else None
    if within and codes:
        edge = None
        if level.startswith("h3"):
            edge = geometry.outline(parent_level(within), [within])
        return Frame(geometry.outline(level, codes), highlight, edge, geometry.view(level, codes))
    return Frame(geometry.url("boundary"), highlight, None, geometry.view("boundary"))


def _names(ctx: Context, level: str, codes: list[str]) -> dict[str, str]:
    return area_labels(ctx.db.reference, level, codes)


def render_counts_map(
    ctx: Context, state: State, current_key: str | None
) -> tuple[Any, str | None, list]:
    """(figure or Patch, key, note) of the measure chosen; a Patch resends values only."""
    params = view_params(state, "area_map")
    outcome = run(ctx, "area_map", params)
    if outcome.result is None:
        return empty_figure(outcome.message), None, [outcome.message]
    result = outcome.result
    level = map_level(state)
    rows = result.rows.copy()
    codes = [str(c) for c in rows["area_code"]]
    names = _names(ctx, level, codes)
    rows["area_name"] = [names[c] for c in codes]
    city_values = None
    if state.get("within"):
        whole = run(ctx, "area_map", {k: v for k, v in params.items() if k != "within"})
        city_values = None if whole.result is None else whole.result.rows["value"]
    zrange = colour_range(rows["value"], city_values)
    key = map_key(state)
    kind = column_kind(result, "value")
    label = MEASURE_LABELS[_measure(state)]
    period = period_label(cell_params(ctx, "area_map", params)[0], ctx.choices.periods)
    note = note_text(result, ctx.synthetic)
    if state.get("within"):
        note.append("Colours keep the scale of the whole city's areas at this level.")
    if current_key == key:
        patch = Patch()
        values = trace_values(rows, kind=kind, measure_label=label)
        values[VALUE_TRACE].update(zmin=zrange[0], zmax=zrange[1])
        for index, props in values.items():
            for prop, value in props.items():
                patch["data"][index][prop] = value
        patch["data"][VALUE_TRACE]["colorbar"]["title"]["text"] = colorbar_title(label, period)
        return patch, key, note
    if ctx.geometry is None or ctx.geometry.url(level) is None:
        return empty_figure(NO_GEOMETRY), None, [*note, NO_GEOMETRY]
    frame = _frame(ctx, state, codes)
    fig = map_figure(
        rows,
        geojson_url=ctx.geometry.url(level) or "",
        outline_url=frame.outline,
        kind=kind,
        measure_label=label,
        period_label=period,
        view=frame.view,
        revision=key,
        zrange=zrange,
        highlight=frame.highlight,
        parent_edge=frame.parent_edge,
    )
    return fig, key, note


#: The title of the compared map's key.
LEGEND_TITLE = "Compared with the city (people per 1,000)"


def legend(entries: list[tuple[str, str]]) -> list:
    """The compared map's key in the page: a swatch of each class's colour and its words."""
    if not entries:
        return []
    items = [
        html.Li([html.Span(className="swatch", style={"background": colour}), words])
        for words, colour in entries
    ]
    return [html.P(LEGEND_TITLE, className="map-legend-title"), html.Ul(items)]


def render_compare_map(ctx: Context, state: State) -> tuple[Any, str | None, list, str, list]:
    """(figure, key, note, summary, legend): each area's people per 1,000 against the city's."""
    params = {**view_params(state, "area_map"), "measure": "rate_per_1000"}
    outcome = run(ctx, "area_compare", params)
    if outcome.result is None:
        message = f"{outcome.message} Switch the map to counts to see the figures published here."
        return empty_figure(message), None, [message], "", []
    result = outcome.result
    level = map_level(state)
    rows = result.rows
    codes = [str(c) for c in rows["area_code"]]
    note = note_text(result, ctx.synthetic)
    if result.meta.get("method"):
        note.insert(1, f"Method: {result.meta['method']}")
    summary = summary_text(rows, AREA_WORDS.get(level, "areas")) if len(rows) else ""
    period = period_label(cell_params(ctx, "area_compare", params)[0], ctx.choices.periods)
    summary = f"{period}. {summary}" if summary else ""
    if ctx.geometry is None or ctx.geometry.url(level) is None:
        return empty_figure(NO_GEOMETRY), None, [*note, NO_GEOMETRY], summary, []
    frame = _frame(ctx, state, codes)
    fig = significance_map_figure(
        rows,
        geojson_url=ctx.geometry.url(level) or "",
        names=_names(ctx, level, codes),
        outline=frame.outline,
        highlight=frame.highlight,
        view=frame.view,
        revision=map_key(state),
        parent_edge=frame.parent_edge,
    )
    return fig, map_key(state), note, summary, legend(significance_key(rows))


def render_map(
    ctx: Context, state: State, current_key: str | None
) -> tuple[Any, str | None, list, str, list]:
    """(figure or Patch, key, note, summary line, key in the page) of the map in the mode the
    URL names; the counts map's key is its own colour bar and legend."""
    if map_mode(state) == "compare":
        return render_compare_map(ctx, state)
    return (*render_counts_map(ctx, state, current_key), "", [])
