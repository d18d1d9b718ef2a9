"""Presenter mode (/present): one view at a time, sized for a 1280x720 projector.

The shell's banner, header and footer give way to one line (what, which slide, where next;
the synthetic flag stays on it), and the slide fills the rest of the screen without
scrolling. Previous / next are links to the neighbouring slides' URLs, so the browser's back
button, a reload and a shared link all land on the same slide; assets/presenter.js maps the
keys (right arrow, N, space or Page Down: next; left arrow, P or Page Up: previous; Esc:
leave; F: full screen) onto those links.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, dcc, html

from dashboard.pages import Page
from dashboard.present import (
    PRESENT_PATH,
    count_text,
    deck_search,
    draw_slide,
    leave_href,
    note_line,
    parse_deck,
    slide_number,
)
from dashboard.views import Context

URL = "present-url"
TITLE = "present-title"
COUNT = "present-count"
PREVIOUS = "present-previous"
NEXT = "present-next"
LEAVE = "present-leave"
FULL_SCREEN = "present-full-screen"
BODY = "present-body"
SUMMARY = "present-summary"
NOTE = "present-note"
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def layout(ctx: Context) -> html.Div:
    brand = "Care Atlas (synthetic data)" if ctx.synthetic else "Care Atlas"
    bar = html.Div(
        [
            html.H1(brand, className="presenter-brand"),
            html.H2(id=TITLE, className="presenter-title"),
            html.Span(id=COUNT, className="presenter-count", **{"aria-live": "polite"}),
            html.Nav(
                [
                    dcc.Link("\u2039 Previous (P)", id=PREVIOUS, href=PRESENT_PATH),
                    dcc.Link("Next (N) \u203a", id=NEXT, href=PRESENT_PATH),
                    html.Button(
                        "Full screen (F)", id=FULL_SCREEN, className="link-button", n_clicks=0
                    ),
                    html.A("Leave (Esc)", id=LEAVE, href="/"),
                ],
                className="presenter-nav",
                **{"aria-label": "Slides"},
            ),
        ],
        className="presenter-bar",
    )
    return html.Div(
        [
            dcc.Location(id=URL, refresh=False),
            bar,
            html.P(id=SUMMARY, className="presenter-summary"),
            html.Div(id=BODY, className="presenter-body"),
            html.P(id=NOTE, className="presenter-note"),
        ],
        className="presenter",
        id="presenter",
    )


def slide_graphs(figures: list[dict], title: str) -> list:
    """The slide's charts side by side, each filling its share of the slide."""
    return [
        html.Div(
            dcc.Graph(
                id=f"present-graph-{index}",
                figure=figure,
                config=GRAPH_CONFIG,
                className="presenter-graph",
                style={"height": "100%"},
            ),
            className="presenter-chart",
            role="figure",
            **{"aria-label": f"{title} (chart {index + 1} of {len(figures)})"},
        )
        for index, figure in enumerate(figures)
    ]


def slide_outputs(ctx: Context, search: str | None) -> tuple:
    """(title, "2 of 5", previous, next, leave, summary, charts, note) for a URL."""
    state = parse_deck(search)
    number = slide_number(state)
    slide, drawn = draw_slide(ctx, state)
    return (
        slide.title,
        count_text(number),
        PRESENT_PATH + deck_search(state, number - 1),
        PRESENT_PATH + deck_search(state, number + 1),
        leave_href(state, number),
        drawn.summary,
        slide_graphs(drawn.figures, slide.title),
        note_line(drawn),
    )


def register(app: dash.Dash, ctx: Context) -> None:
    @app.callback(
        Output(TITLE, "children"),
        Output(COUNT, "children"),
        Output(PREVIOUS, "href"),
        Output(NEXT, "href"),
        Output(LEAVE, "href"),
        Output(SUMMARY, "children"),
        Output(BODY, "children"),
        Output(NOTE, "children"),
        Input(URL, "search"),
    )
    def show(search: Any) -> tuple:
        return slide_outputs(ctx, search)  # not text (a crafted post): refused, no update


PAGE = Page(
    path=PRESENT_PATH,
    title="Care Atlas: presenter mode",
    layout=layout,
    nav_label="Present (projector)",
    register=register,
)
