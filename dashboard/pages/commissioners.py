"""Commissioners' page: internal vs external (and direct payment) provision by area, and two
elements compared by area.

Cards: the internal share map (diverging, the city's share as its midpoint), the district x
period matrix of the share with people and cost (the thesis's Figure 37), the areas whose share
moved most, and element A vs B by area with the map of the difference (Table 9, Figure 26).
Every number comes from the query layer through the page's runner (protected and audited);
the page's state is its URL query string in the query layer's own parameter names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dash
from dash import Input, Output, dcc, html

from dashboard.components import graph
from dashboard.inputs import as_text
from dashboard.pagekit import (
    card,
    control_bar,
    note_children,
    parse_page_state,
    register_card_tables,
    register_url_sync,
)
from dashboard.pages import Page
from dashboard.pages.commissioners_cards import (  # noqa: F401 - the page's names, for its tests
    city_share,
    render_compare,
    render_matrix,
    render_moves,
    render_share_map,
)
from dashboard.pages.commissioners_state import (  # noqa: F401
    COMPARE_DROPS,
    DEFAULT_LEVEL,
    DEFAULT_PAIR,
    IDS,
    LEVELS,
    MATRIX_DETAIL_ID,
    PATH,
    PROVISION_NOTE,
    chosen_level,
    controls,
    element_controls,
    filter_controls,
    level_control,
    levels_shown,
    query_of,
)
from dashboard.views import Context
from layers.provision import CELL_DETAILS
from layers.style import empty_figure

log = logging.getLogger(__name__)

# --- layout and callbacks ------------------------------------------------------------------


def _wide(section: html.Section) -> html.Section:
    section.className = "card commissioners-wide"
    return section


def layout(ctx: Context) -> html.Div:
    detail_options = [{"label": label, "value": key} for key, label in CELL_DETAILS.items()]
    return html.Div(
        [
            dcc.Location(id=IDS.url, refresh=False),
            html.H2("Commissioners: internal vs external provision", className="page-title"),
            control_bar(IDS, filter_controls(ctx), explain=True),
            control_bar(IDS, (level_control(),), label="Areas"),
            html.Div(
                [
                    card(
                        IDS,
                        "share_map",
                        "Internal share by area, against the city",
                        [graph(IDS.graph("share_map"), "Map of the internal share by area")],
                    ),
                    card(
                        IDS,
                        "moves",
                        "Areas whose internal share moved most",
                        [
                            graph(IDS.graph("moves"), "Change in internal share by area"),
                            html.Div(id=IDS.element("moves-table"), className="table-wrap"),
                        ],
                    ),
                    _wide(
                        card(
                            IDS,
                            "matrix",
                            "Internal share by postcode district and period, with people and cost",
                            [
                                html.Div(
                                    [
                                        html.Label(
                                            "Second line of each cell",
                                            htmlFor=MATRIX_DETAIL_ID,
                                            className="commissioners-detail-title",
                                        ),
                                        dcc.RadioItems(
                                            id=MATRIX_DETAIL_ID,
                                            options=detail_options,
                                            value="people",
                                            inline=True,
                                        ),
                                    ],
                                    className="commissioners-detail",
                                ),
                                graph(IDS.graph("matrix"), "Internal share by district and period"),
                            ],
                        )
                    ),
                    _wide(
                        card(
                            IDS,
                            "compare",
                            "Two elements by area: side by side and the difference",
                            [
                                control_bar(
                                    IDS, element_controls(ctx), label="Elements to compare"
                                ),
                                html.Div(
                                    [
                                        graph(
                                            IDS.graph("compare"),
                                            "People of element A and B by area",
                                        ),
                                        graph(
                                            IDS.graph("compare_map"),
                                            "Map of the difference, A minus B, by area",
                                        ),
                                    ],
                                    className="commissioners-pair",
                                ),
                            ],
                        )
                    ),
                ],
                className="views",
            ),
        ],
        className="page commissioners",
    )


FAILED_MESSAGE = "This view could not be drawn. Please try other filters."


def guarded(render: Callable[..., tuple], shape: tuple[str, ...], *args: object) -> tuple:
    """A card's outputs, or (a blank figure, no table, a message) if drawing them fails: one
    card failing must not blank the page or leak a traceback."""
    try:
        return render(*args)
    except Exception:
        log.exception("commissioners: %s failed", render.__name__)
        fallback = {"figure": empty_figure(FAILED_MESSAGE), "table": None}
        return tuple(
            note_children([FAILED_MESSAGE]) if kind == "note" else fallback[kind] for kind in shape
        )


def register(app: dash.Dash, ctx: Context) -> None:
    register_url_sync(app, IDS, controls(ctx), ctx.choices, levels_of=levels_shown)
    register_card_tables(app, ctx, IDS, lambda name, state: query_of(ctx, name, state))

    @app.callback(
        Output(IDS.graph("share_map"), "figure"),
        Output(IDS.note("share_map"), "children"),
        Input(IDS.url, "search"),
    )
    def update_share_map(search: str | None) -> tuple[Any, list]:
        return guarded(render_share_map, ("figure", "note"), ctx, parse_page_state(search))

    @app.callback(
        Output(IDS.graph("matrix"), "figure"),
        Output(IDS.note("matrix"), "children"),
        Input(IDS.url, "search"),
        Input(MATRIX_DETAIL_ID, "value"),
    )
    def update_matrix(search: str | None, detail: str | None) -> tuple[Any, list]:
        state = parse_page_state(search)
        detail = as_text(detail) or "people"
        return guarded(render_matrix, ("figure", "note"), ctx, state, detail)

    @app.callback(
        Output(IDS.graph("moves"), "figure"),
        Output(IDS.element("moves-table"), "children"),
        Output(IDS.note("moves"), "children"),
        Input(IDS.url, "search"),
    )
    def update_moves(search: str | None) -> tuple[Any, Any, list]:
        state = parse_page_state(search)
        return guarded(render_moves, ("figure", "table", "note"), ctx, state)

    @app.callback(
        Output(IDS.graph("compare"), "figure"),
        Output(IDS.graph("compare_map"), "figure"),
        Output(IDS.note("compare"), "children"),
        Input(IDS.url, "search"),
    )
    def update_compare(search: str | None) -> tuple[Any, Any, list]:
        state = parse_page_state(search)
        return guarded(render_compare, ("figure", "figure", "note"), ctx, state)


PAGE = Page(
    path=PATH,
    title="Care Atlas: commissioners",
    layout=layout,
    nav_label="Commissioners: internal vs external",
    register=register,
)
