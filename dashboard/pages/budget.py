"""Budget officers' page: an MIA theme's activity per financial year beside its budget figures,
what a saving means in people, and MIA17 enablement beyond 6 weeks.

Every number comes from the query layer through the page's runner (protected and audited).
The theme's trend is one ``trend`` query (its meta carries the theme's Table 14 figures); the
MIA17 tables are ``enablement`` queries, one per financial year and client group or area level,
put side by side. Those composite tables, the Table 14 targets and the "what the saving means"
table are not one query-layer result, so they have their own downloads (``TABLES`` ids, the
same CSV / XLSX format and audit as the kit's) built from the same protected results.

The page is per financial year (budgets run April to March): its URL always names
``period_kind=fy`` once a control is touched, and a URL without it is read as financial years.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import MATCH, Input, Output, State, dcc, html, no_update
from dash import ctx as callback_context

from dashboard.components import data_table
from dashboard.inputs import as_clicks, match_value, refuse, triggered_match
from dashboard.pagekit import (
    EXPORT_FORMATS,
    card,
    control_bar,
    graph,
    parse_page_state,
    register_card_tables,
    register_url_sync,
)
from dashboard.pages import Page
from dashboard.pages.budget_state import (  # noqa: F401 - the page's names, for its tests
    AREA_LEVELS,
    DEFAULT_THEME,
    DERIVED_CARDS,
    ENABLEMENT_THEME,
    IDS,
    NOT_RECONCILED_NOTE,
    PASSED_FILTERS,
    PATH,
    PERIOD_KIND,
    TABLES,
    ExplicitControl,
    ValidatedControl,
    controls,
    enablement_groups,
    enablement_params,
    filter_controls,
    financial_years,
    level_control,
    levels_shown,
    page_state,
    query_of,
    theme_control,
    trend_params,
)
from dashboard.pages.budget_tables import (  # noqa: F401
    ENABLEMENT_COLUMNS,
    derived_result,
    mia17_areas_result,
    mia17_groups_result,
    part_year_note,
    period_ends,
    render_mia17_areas,
    render_mia17_groups,
    render_theme,
    saving_body,
    saving_result,
    targets_result,
)
from dashboard.views import Context, download_payload

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
                        TABLES,
                        "targets",
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
                        TABLES,
                        "saving",
                        "What the saving means",
                        [html.Div(id=IDS.element("saving-body"), **{"aria-live": "polite"})],
                    ),
                    card(
                        TABLES,
                        "mia17_groups",
                        "MIA17 enablement beyond 6 weeks by client group, per financial year",
                        [graph(IDS.graph("mia17_groups"), "Enablement beyond 6 weeks by group")],
                    ),
                    card(
                        TABLES,
                        "mia17_areas",
                        "MIA17 enablement beyond 6 weeks by area, per financial year",
                        [
                            control_bar(IDS, (level_control(),), label="Areas to compare"),
                            html.Div(
                                [
                                    graph(IDS.graph("mia17_share"), "Share beyond 6 weeks by area"),
                                    graph(IDS.graph("mia17_cost"), "Cost beyond day 42 by area"),
                                ],
                                className="budget-area-pair",
                            ),
                        ],
                    ),
                ],
                className="views",
            ),
        ],
        className="page page-budget",
    )


# --- callbacks ---------------------------------------------------------------------------


def register_derived_tables(app: dash.Dash, ctx: Context) -> None:
    """Downloads (CSV, XLSX) and the show-table toggle of the composite cards, as the kit's
    register_card_tables does for single-query cards."""

    @app.callback(
        Output(TABLES.download(MATCH), "data"),
        Input(TABLES.csv(MATCH), "n_clicks"),
        Input(TABLES.xlsx(MATCH), "n_clicks"),
        State(IDS.url, "search"),
        prevent_initial_call=True,
    )
    def download(_csv: int, _xlsx: int, search: str | None) -> Any:
        trigger = triggered_match(callback_context.triggered_id)
        if trigger is None or trigger[0] not in EXPORT_FORMATS or trigger[1] not in DERIVED_CARDS:
            return no_update  # not one of the page's export buttons
        fmt, name = trigger
        outcome = derived_result(ctx, name, parse_page_state(search))
        payload = download_payload(outcome, name, fmt)
        return payload if isinstance(payload, dict) else no_update

    @app.callback(
        Output(TABLES.table(MATCH), "children"),
        Output(TABLES.table_toggle(MATCH), "children"),
        Input(TABLES.table_toggle(MATCH), "n_clicks"),
        Input(IDS.url, "search"),
    )
    def table(clicks: int | None, search: str | None) -> Any:
        if not as_clicks(clicks) % 2:
            return None, "Show table"
        name = match_value(callback_context.outputs_list)
        if name not in DERIVED_CARDS:
            raise refuse("view")
        outcome = derived_result(ctx, name, parse_page_state(search))
        if outcome.result is None:
            return html.P(outcome.message), "Hide table"
        caption = f"Published rows behind the {name.replace('_', ' ')} card"
        return data_table(outcome.result.rows, caption), "Hide table"


def register(app: dash.Dash, ctx: Context) -> None:
    register_url_sync(app, IDS, controls(ctx), ctx.choices, levels_of=levels_shown)
    register_card_tables(app, ctx, IDS, lambda name, state: query_of(ctx, name, state))
    register_derived_tables(app, ctx)

    @app.callback(
        Output(IDS.graph("trend"), "figure"),
        Output(IDS.note("trend"), "children"),
        Output(IDS.element("targets-table"), "children"),
        Output(TABLES.note("targets"), "children"),
        Output(IDS.element("saving-body"), "children"),
        Output(TABLES.note("saving"), "children"),
        Input(IDS.url, "search"),
    )
    def update_theme(search: str | None) -> tuple:
        return render_theme(ctx, parse_page_state(search))

    @app.callback(
        Output(IDS.graph("mia17_groups"), "figure"),
        Output(TABLES.note("mia17_groups"), "children"),
        Input(IDS.url, "search"),
    )
    def update_mia17_groups(search: str | None) -> tuple:
        return render_mia17_groups(ctx, parse_page_state(search))

    @app.callback(
        Output(IDS.graph("mia17_share"), "figure"),
        Output(IDS.graph("mia17_cost"), "figure"),
        Output(TABLES.note("mia17_areas"), "children"),
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
