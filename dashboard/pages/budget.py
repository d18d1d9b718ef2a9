"""Budget officers' page: an MIA theme's activity per financial year beside its budget figures,
what a saving means in people, and MIA17 enablement beyond 6 weeks.

Every card is one query-layer view, named after it (budget_state.query_of), run through the
page's runner (protected and audited): ``trend``, ``mia_targets`` (Table 14), ``mia_saving``,
``enablement_groups`` and ``enablement_areas``. So each card's table and downloads are the
kit's, and the same as ``GET /api/v1/views/<card>`` with the card's parameters.

The page is per financial year (budgets run April to March): its URL always names
``period_kind=fy`` once a control is touched, and a URL without it is read as financial years.
"""

from __future__ import annotations

import dash
from dash import Input, Output, dcc, html

from dashboard.components import graph
from dashboard.pagekit import (
    card,
    control_bar,
    parse_page_state,
    register_card_tables,
    register_url_sync,
)
from dashboard.pages import Page
from dashboard.pages.budget_cards import render_mia17_areas, render_mia17_groups, render_theme
from dashboard.pages.budget_state import (
    IDS,
    PATH,
    controls,
    filter_controls,
    level_control,
    levels_shown,
    mia17_shown_control,
    query_of,
)
from dashboard.views import Context
from queries.budget_views import NOT_RECONCILED_NOTE

# --- layout ------------------------------------------------------------------------------


def layout(ctx: Context) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=IDS.url, refresh=False),
            html.H2("Budget officers: MIA savings themes", className="page-title"),
            html.P(
                "Agreement activity of one MIA theme per financial year, beside the theme's "
                "budget figures (Table 14), what its saving means in people, and MIA17 "
                "enablement beyond the 6-week policy threshold. " + NOT_RECONCILED_NOTE,
                className="hint",
            ),
            control_bar(IDS, filter_controls(ctx), explain=True),
            html.Div(
                [
                    card(
                        IDS,
                        "trend",
                        "Active agreements, people and cost per financial year, with the "
                        "theme's budget figures",
                        [graph(IDS.graph("trend"), "Active agreements, people and cost per year")],
                    ),
                    card(
                        IDS,
                        "mia_targets",
                        "Net spend 2015/16 and savings targets (Table 14: budget figures)",
                        [
                            # Scrolls when the card is narrow: focusable, so a keyboard can.
                            html.Div(
                                id=IDS.element("targets-table"),
                                className="table-wrap",
                                tabIndex="0",
                                role="region",
                                **{"aria-label": "Net spend and savings targets"},
                            )
                        ],
                        legend="",
                    ),
                    card(
                        IDS,
                        "mia_saving",
                        "What the saving means",
                        [html.Div(id=IDS.element("saving-body"), **{"aria-live": "polite"})],
                    ),
                    card(
                        IDS,
                        "enablement_groups",
                        "MIA17 enablement beyond 6 weeks by client group, per financial year",
                        [graph(IDS.graph("mia17_groups"), "Enablement beyond 6 weeks by group")],
                    ),
                    card(
                        IDS,
                        "enablement_areas",
                        "MIA17 enablement beyond 6 weeks by area, per financial year",
                        [
                            control_bar(
                                IDS,
                                (level_control(), mia17_shown_control()),
                                label="Areas to compare and what to show",
                            ),
                            graph(IDS.graph("mia17_areas"), "Enablement beyond 6 weeks by area"),
                        ],
                    ),
                ],
                className="views",
            ),
        ],
        className="page page-budget",
    )


# --- callbacks ---------------------------------------------------------------------------


def register(app: dash.Dash, ctx: Context) -> None:
    register_url_sync(app, IDS, controls(ctx), ctx.choices, levels_of=levels_shown)
    register_card_tables(app, ctx, IDS, lambda name, state: query_of(ctx, name, state))

    @app.callback(
        Output(IDS.graph("trend"), "figure"),
        Output(IDS.note("trend"), "children"),
        Output(IDS.element("targets-table"), "children"),
        Output(IDS.note("mia_targets"), "children"),
        Output(IDS.element("saving-body"), "children"),
        Output(IDS.note("mia_saving"), "children"),
        Input(IDS.url, "search"),
    )
    def update_theme(search: str | None) -> tuple:
        return render_theme(ctx, parse_page_state(search))

    @app.callback(
        Output(IDS.graph("mia17_groups"), "figure"),
        Output(IDS.note("enablement_groups"), "children"),
        Input(IDS.url, "search"),
    )
    def update_mia17_groups(search: str | None) -> tuple:
        return render_mia17_groups(ctx, parse_page_state(search))

    @app.callback(
        Output(IDS.graph("mia17_areas"), "figure"),
        Output(IDS.note("enablement_areas"), "children"),
        Input(IDS.url, "search"),
    )
    def update_mia17_areas(search: str | None) -> tuple:
        return render_mia17_areas(ctx, parse_page_state(search))


PAGE = Page(
    path=PATH,
    title="Care Atlas: budget officers",
    layout=layout,
    nav_label="Budget officers: MIA themes",
    register=register,
)
