"""Presenter mode's deck: which slides, in which order, and what each one draws.

A deck spans the overview's views and the directors' (hotspots, regions) under one set of
filters. Its whole state is the ``/present`` URL's query string: the query layer's own filter
names plus ``slide`` (1-based), so a link sent round opens on the same slide with the same
filters. Each slide is drawn from the same render functions as its page, so it shows the same
protected numbers; a slide that would not fit a 1280x720 projector shows its top rows (the
matrix's and the ranked hotspots' largest), and says so in its title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
from dash import html

from dashboard.map_views import render_map
from dashboard.pagekit import PAGE_KEYS, PageState, build_page_search, parse_page_state
from dashboard.state import SHARED_KEYS, VIEW_KEYS, State, build_search, view_params
from dashboard.views import (
    Context,
    _place,
    column_kind,
    note_text,
    render_trend,
    run,
    with_shown_names,
)
from layers.hotspot_rank import hotspot_rank_figure
from layers.margins import MarginPlan
from layers.matrix import matrix_figure
from layers.style import MEASURE_LABELS, PRESENT_FONT_SIZE, SUPPRESSED_TEXT, empty_figure
from layers.trend import TREND_TITLE

#: Rows of the matrix a projector shows legibly (the largest areas by their mean value).
MATRIX_ROWS = 12
#: Width a slide's figures share on the narrowest screen the deck is laid out for (1280 px,
#: less the slide's padding): a legend wraps within it, not within an overview card.
SLIDE_WIDTH_PX = 1240
#: Areas of the ranked hotspots shown beside the map (the highest rates).
HOTSPOT_ROWS = 12
PRESENT_PATH = "/present"
PRESENT_KEYS: tuple[str, ...] = (*PAGE_KEYS, "slide")
#: The build id in a note's data-date line ("Data to 2015-12-31 (build 1a2b...).").
BUILD = re.compile(r" \(build [^)]*\)")


@dataclass(frozen=True)
class Slide:
    key: str
    title: str
    #: The page the slide comes from: "Leave" goes back there with the same filters.
    page: str


SLIDES: tuple[Slide, ...] = (
    Slide("matrix", "Postcode / year matrix: the largest areas", "/"),
    Slide("map", "Heat map by area", "/"),
    Slide("hotspots", "Hotspots: people per 1,000 residents against the city", "/directors"),
    Slide("regions", "The council's regions compared with the city", "/directors"),
    Slide("trend", TREND_TITLE, "/"),
)


def parse_deck(search: str | None) -> PageState:
    """The presenter's URL query string -> state (unknown keys and blanks dropped)."""
    return parse_page_state(search, PRESENT_KEYS)


def slide_number(state: PageState) -> int:
    """The 1-based slide the state asks for; anything else reads as the first."""
    text = state.get("slide", "1")
    number = int(text) if text.isdigit() and len(text) < 4 else 1
    return number if 1 <= number <= len(SLIDES) else 1


def deck_search(state: PageState, number: int) -> str:
    """The query string of slide ``number`` (wrapping round) under the same filters."""
    number = (number - 1) % len(SLIDES) + 1
    filters = {k: v for k, v in state.items() if k != "slide"}
    search = build_page_search(filters, PAGE_KEYS)
    extra = urlencode({"slide": str(number)})
    return f"{search}&{extra}" if search else f"?{extra}"


def leave_href(state: PageState, number: int) -> str:
    """The page the slide comes from, with the deck's filters (its own keys only)."""
    page = SLIDES[number - 1].page
    if page == "/":
        overview = {k: v for k, v in state.items() if k in SHARED_KEYS + VIEW_KEYS}
        return "/" + build_search(overview)
    return page + build_page_search({k: v for k, v in state.items() if k != "slide"})


def present_href(state: State) -> str:
    """The deck's first slide under the overview's filters, drill-down and measure (the
    overview's "Present" link)."""
    return PRESENT_PATH + build_page_search({k: v for k, v in state.items() if k in PAGE_KEYS})


def count_text(number: int) -> str:
    return f"{number} of {len(SLIDES)}"


def fit(figure: Any, beside: int = 1) -> dict:
    """A figure as the projector draws it: large type (labels, ticks, legends and cell text
    all inherit the layout font), margins resized with it from the plan the figure carries
    (layers.margins: no room for a tool bar, which a slide does not show, and the legend
    wrapping in the slide's width shared by ``beside`` figures), and no fixed height (the
    graph fills the slide, so nothing scrolls). It comes back as the plain dict Dash sends
    anyway: Plotly's update_layout checks every property and would cost more than building
    the figure."""
    drawn = figure.to_plotly_json() if isinstance(figure, go.Figure) else figure
    layout = drawn.setdefault("layout", {})
    layout["font"] = {**layout.get("font", {}), "size": PRESENT_FONT_SIZE}
    hoverlabel = layout.setdefault("hoverlabel", {})
    hoverlabel["font"] = {**hoverlabel.get("font", {}), "size": PRESENT_FONT_SIZE}
    plan = MarginPlan.from_meta(layout.get("meta"))
    if plan is not None:
        width = SLIDE_WIDTH_PX // beside
        layout["margin"] = plan.at(PRESENT_FONT_SIZE, toolbar=False, legend_width_px=width)
    layout.pop("height", None)
    layout.pop("width", None)
    layout["autosize"] = True
    return drawn


def top_areas(rows: pd.DataFrame, n: int) -> list[str]:
    """The ``n`` areas with the largest mean published value (withheld cells left out)."""
    values = pd.to_numeric(rows["value"], errors="coerce")
    means = values.groupby(rows["area_code"].astype(str)).mean().dropna()
    return list(means.sort_values(ascending=False, kind="stable").index[:n])


def _plain_lines(note: list) -> list[str]:
    """Note lines as text, whether given as strings or as html.P children."""
    return [str(line.children) if isinstance(line, html.P) else str(line) for line in note]


@dataclass(frozen=True)
class Drawn:
    """What one slide shows: its figures (side by side), one summary line and its notes."""

    figures: list[dict]
    summary: str
    notes: list[str]


def _matrix(ctx: Context, state: PageState) -> Drawn:
    outcome = run(ctx, "matrix", view_params(state, "matrix"))
    if outcome.result is None:
        return Drawn([fit(empty_figure(outcome.message))], outcome.message, [])
    result = outcome.result
    rows = with_shown_names(ctx, result.rows, view_params(state, "matrix").get("level", ""))
    if rows.empty:
        return Drawn([fit(empty_figure("No areas for these filters."))], "", [])
    shown = top_areas(rows, MATRIX_ROWS)
    measure = state.get("measure", "people")
    label = MEASURE_LABELS.get(measure, MEASURE_LABELS["people"])
    figure = matrix_figure(
        rows[rows["area_code"].astype(str).isin(shown)],
        kind=column_kind(result, "value"),
        measure_label=label,
        upright_periods=True,  # the area names leave narrow columns for the projector's type
        parts=result.meta.get("part_periods", {}),
    )
    total = rows["area_code"].nunique()
    if len(shown) < total:
        summary = f"The {len(shown)} of {total} areas with the highest average {label.lower()}."
    else:
        summary = f"All {total} areas. Showing: {_place(ctx, state)}."
    if len(shown) < total and state.get("within"):
        summary = f"{summary} Showing: {_place(ctx, state)}."
    return Drawn([fit(figure)], summary, note_text(result, ctx.synthetic))


def _map(ctx: Context, state: PageState) -> Drawn:
    """The counts of the measure by area: the map against the city is the hotspots slide's."""
    figure, _key, note, *summary = render_map(ctx, {**state, "map": "counts"}, None)
    said = " ".join(str(line) for line in summary if line)
    return Drawn(
        [fit(figure)], f"Showing: {_place(ctx, state)}. {said}".strip(), _plain_lines(note)
    )


def _hotspots(ctx: Context, state: PageState) -> Drawn:
    from dashboard.pages import directors

    figure, _rank, summary, note = directors.hotspot_outputs(ctx, state)
    query = directors.query_of(ctx, "hotspots", state)
    outcome = run(ctx, query.view, query.params) if query else None
    figures = [fit(figure)]
    if outcome is not None and outcome.result is not None and not outcome.result.rows.empty:
        rows = outcome.result.rows
        top = rows[rows["area_code"].astype(str).isin(top_areas(rows, HOTSPOT_ROWS))]
        words = directors.AREA_WORDS[directors.hotspot_level(state)]
        figures.append(fit(hotspot_rank_figure(top, area_word=words), beside=2))
        summary = f"{summary} Ranked: the {len(top)} highest rates."
    return Drawn(figures, str(summary), _plain_lines(note))


def _regions(ctx: Context, state: PageState) -> Drawn:
    from dashboard.pages import directors

    figure, note = directors.render_regions(ctx, state)
    return Drawn([fit(figure)], "", _plain_lines(note))


def _trend(ctx: Context, state: PageState) -> Drawn:
    figure, note = render_trend(ctx, state)
    return Drawn([fit(figure)], "", _plain_lines(note))


DRAW = {
    "matrix": _matrix,
    "map": _map,
    "hotspots": _hotspots,
    "regions": _regions,
    "trend": _trend,
}


def draw_slide(ctx: Context, state: PageState) -> tuple[Slide, Drawn]:
    """The slide the state asks for, drawn under its filters."""
    slide = SLIDES[slide_number(state) - 1]
    filters = {k: v for k, v in state.items() if k != "slide"}
    return slide, DRAW[slide.key](ctx, filters)


def note_line(drawn: Drawn) -> str:
    """One line under the slide: the definition, data date and the disclosure shorthand. The
    build id stays in the exports and the page footers: on a 1280 px projector it pushed the
    [c] words off the line, and a room reads the data date, not the build."""
    picked = [
        BUILD.sub("", line)
        for line in drawn.notes
        if line.startswith(("Definition:", "Data to", "Synthetic", "These filters"))
    ]
    picked.append(f"Counts perturbed and rounded; {SUPPRESSED_TEXT}.")
    return " ".join(picked)
