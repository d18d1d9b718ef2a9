"""Strategic directors' page: hotspots, regions, and quarterly users of one element.

Every number comes from the query layer through the page's runner (protected and audited);
the page's state is its URL query string in the query layer's own parameter names.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, dcc, html

from dashboard.pagekit import (
    CardQuery,
    PageControl,
    PageIds,
    PageState,
    card,
    control_bar,
    graph,
    note_children,
    notes_for,
    parse_page_state,
    register_card_tables,
    register_url_sync,
    run_query,
    shared_filter_controls,
)
from dashboard.pages import Page
from dashboard.views import Context
from layers.quarterly import quarterly_users_figure
from layers.style import empty_figure

IDS = PageIds("directors")
PATH = "/directors"
#: The element the thesis charted quarter by quarter (about 100 users a quarter).
DEFAULT_ELEMENT = "CHIRDRT"


def element_control(ctx: Context) -> PageControl:
    codes = [code for code, _ in ctx.choices.elements]
    default = DEFAULT_ELEMENT if DEFAULT_ELEMENT in codes else (codes[0] if codes else None)
    return PageControl(
        "element",
        "Element",
        "dropdown",
        tuple((c, f"{c} {d}".strip()) for c, d in ctx.choices.elements),
        default=default,
        clearable=False,
    )


def controls(ctx: Context) -> tuple[PageControl, ...]:
    return (*shared_filter_controls(ctx.choices), element_control(ctx))


def query_of(ctx: Context, name: str, state: PageState) -> CardQuery | None:
    """The query-layer view and parameters behind each card of this page."""
    shared = {
        k: state[k]
        for k in (
            "period_kind",
            "from",
            "to",
            "age_bands",
            "client_groups",
            "services",
            "themes",
            "provision",
        )
        if state.get(k)
    }
    if name == "quarterly_users":
        element = state.get("element") or element_control(ctx).default or ""
        return CardQuery("quarterly_users", {**shared, "level": "city", "element": element})
    return None


def layout(ctx: Context) -> html.Div:
    element = element_control(ctx)
    return html.Div(
        [
            dcc.Location(id=IDS.url, refresh=False),
            html.H2("Strategic directors: hotspots and regions", className="page-title"),
            control_bar(IDS, shared_filter_controls(ctx.choices)),
            html.Div(
                [
                    card(
                        IDS,
                        "quarterly_users",
                        "Quarterly unique users of one element (whole city)",
                        [
                            control_bar(IDS, (element,), label="Element to follow"),
                            graph(IDS.graph("quarterly_users"), "People per quarter"),
                        ],
                    ),
                ],
                className="views",
            ),
        ],
        className="page",
    )


def register(app: dash.Dash, ctx: Context) -> None:
    register_url_sync(app, IDS, controls(ctx), ctx.choices)
    register_card_tables(app, ctx, IDS, lambda name, state: query_of(ctx, name, state))

    @app.callback(
        Output(IDS.graph("quarterly_users"), "figure"),
        Output(IDS.note("quarterly_users"), "children"),
        Input(IDS.url, "search"),
    )
    def update_quarterly(search: str | None) -> tuple[Any, list]:
        state = parse_page_state(search)
        query = query_of(ctx, "quarterly_users", state) or CardQuery("quarterly_users")
        outcome = run_query(ctx, query)
        if outcome.result is None:
            return empty_figure(outcome.message), note_children(notes_for(ctx, outcome))
        names = dict(ctx.choices.elements)
        code = query.params.get("element", "")
        figure = quarterly_users_figure(
            outcome.result.rows, element_label=f"{code} {names.get(code, '')}".strip()
        )
        return figure, note_children(notes_for(ctx, outcome))


PAGE = Page(
    path=PATH,
    title="Care Atlas: strategic directors",
    layout=layout,
    nav_label="Directors: hotspots and regions",
    register=register,
)
