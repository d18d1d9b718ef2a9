"""The first page: headline figures, then the map against the city and the trend under one
filter bar, with a search to find an area; the matrix, top elements and the element compare
are folded under their titles below, so the page scans in a meeting."""

from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.components import (
    area_search,
    compare_controls,
    element_controls,
    filter_bar,
    fold_section,
    graph,
    highlight_control,
    map_controls,
    map_mode_control,
    view_section,
)
from dashboard.matrix_keys import matrix_rows_panel
from dashboard.pages import Page
from dashboard.views import Context
from layers.trend import TREND_TITLE


def offered_levels() -> tuple[str, ...]:
    """Map levels the signed-in role may query (the query layer enforces it; this only
    keeps the switch from offering what would be refused). Outside a request, e.g. when the
    app checks its callbacks at start-up, every level."""
    from flask import g, has_request_context

    from auth.roles import ROLES

    identity = g.get("identity") if has_request_context() else None
    role = getattr(identity, "role", None)
    return ROLES.get(role, ROLES["analyst"]) if role else ROLES["analyst"]


def layout(ctx: Context) -> html.Div:
    choices = ctx.choices
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            html.Div(
                html.A("Present", id=ids.PRESENT_LINK, href="/present", className="present-link"),
                className="page-actions",
            ),
            filter_bar(choices),
            html.Div(
                [
                    html.P(id=ids.PLACE, className="place", **{"aria-live": "polite"}),
                    area_search(),
                    html.Button(
                        "Back to whole city", id=ids.DRILL_UP, className="button", n_clicks=0
                    ),
                ],
                className="place-bar",
            ),
            html.Section(
                [
                    html.H2(id=ids.HEADLINES_HEADING, className="visually-hidden"),
                    html.Div(id=ids.HEADLINES, className="headline-row", **{"aria-live": "polite"}),
                ],
                className="headlines",
                **{"aria-labelledby": ids.HEADLINES_HEADING},
            ),
            html.Div(
                [
                    view_section(
                        "area_map",
                        "Where: the map by area",
                        [
                            map_controls(offered_levels()),
                            map_mode_control(),
                            html.P(id=ids.MAP_SUMMARY, className="map-summary"),
                            html.P(
                                "Click a ward or district (or find it above) for its postcode "
                                "sectors; click a sector to filter the other views.",
                                className="hint",
                            ),
                            graph(ids.MAP_GRAPH, "Map of the areas against the city"),
                            html.Div(id=ids.MAP_LEGEND, className="map-legend"),
                            dcc.Store(id=ids.MAP_KEY),
                        ],
                    ),
                    view_section(
                        "trend",
                        TREND_TITLE,
                        [graph(ids.TREND_GRAPH, "Active agreements, people and cost per period")],
                    ),
                    fold_section(
                        "matrix",
                        "Postcode / year matrix",
                        "every area by period, with unusual cells and trends picked out",
                        [
                            highlight_control(),
                            html.P(
                                "Click a district's row to see its postcode sectors; click a "
                                "sector's row to filter the other views.",
                                className="hint",
                            ),
                            graph(ids.MATRIX_GRAPH, "Matrix of areas by period"),
                            matrix_rows_panel(),
                        ],
                    ),
                    fold_section(
                        "elements",
                        "Top elements",
                        "the services' elements with the most people",
                        [element_controls(), graph(ids.ELEMENTS_GRAPH, "Top elements")],
                    ),
                    fold_section(
                        "element_compare",
                        "Two elements compared by area",
                        "people of two elements side by side in each area",
                        [
                            compare_controls(choices),
                            graph(ids.COMPARE_GRAPH, "Two elements compared by area"),
                        ],
                    ),
                ],
                className="views",
            ),
        ],
        id=ids.ROOT,
        className="page",
    )


PAGE = Page(path="/", title="Care Atlas: overview", layout=layout, nav_label="Overview")
