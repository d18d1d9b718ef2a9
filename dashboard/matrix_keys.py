"""The matrix's rows as links: its drill-down from the keyboard and a screen reader.

A heatmap cell cannot take focus, so under the matrix a disclosure lists its rows (the same
areas, from the same protected view) as links. Each link's address is the page's URL after a
click on that row (dashboard.state.drill_from_matrix), so following it drills exactly as the
mouse does, the back button undoes it, and no callback takes ids made up from data. The list
is drawn only while it is open, so a closed list costs no query.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, dcc, html

from dashboard import ids
from dashboard.inputs import as_clicks
from dashboard.state import (
    build_hash,
    build_search,
    drill_from_matrix,
    parse_location,
    view_params,
)
from dashboard.views import Context, run, with_shown_names
from layers.matrix import natural_key

PANEL = "matrix-rows"
TOGGLE = "matrix-rows-toggle"
LIST = "matrix-rows-list"
SHOW, HIDE = "Show the matrix's rows as links", "Hide the matrix's rows as links"


def matrix_rows_panel() -> html.Div:
    """The toggle under the matrix and the (empty until shown) list of its rows."""
    return html.Div(
        [
            html.Button(SHOW, id=TOGGLE, className="link-button", n_clicks=0),
            html.Div(id=LIST, className="matrix-rows-list", **{"aria-live": "polite"}),
        ],
        id=PANEL,
        className="matrix-rows",
    )


def row_labels(ctx: Context, state: dict[str, str]) -> tuple[list[tuple[str, str]], str]:
    """((row label, code) for each row of the matrix, the list's heading), or a message."""
    outcome = run(ctx, "matrix", view_params(state, "matrix"))
    if outcome.result is None:
        return [], outcome.message
    # Named as the matrix names its rows ("B1 Ladywood", not "B1").
    level = view_params(state, "matrix").get("level", "")
    rows = with_shown_names(ctx, outcome.result.rows, level).drop_duplicates("area_code")
    found = []
    for code, name in zip(rows["area_code"].astype(str), rows["area_name"], strict=True):
        name = "" if name is None or name != name else str(name)
        found.append((f"{code} {name}".strip() if name and name != code else code, code))
    found.sort(key=lambda pair: natural_key(pair[1]))  # the matrix's own row order
    if state.get("within"):
        return found, "Select a postcode sector (again to clear it):"
    return found, "Open a postcode district's sectors:"


def row_list(ctx: Context, state: dict[str, str]) -> list:
    """The heading and one link per row, to the page as a click on that row leaves it; the
    selected sector's link says so in words."""
    labels, heading = row_labels(ctx, state)
    if not labels:
        return [html.P(heading)]
    chosen = state.get("areas")
    links = []
    for label, code in labels:
        after = drill_from_matrix(state, label)
        text = f"{label} (selected: follow to clear)" if code == chosen else label
        links.append(html.Li(dcc.Link(text, href="/" + build_search(after) + build_hash(after))))
    return [html.P(heading), html.Ul(links)]


def register(app: dash.Dash, ctx: Context) -> None:
    @app.callback(
        Output(LIST, "children"),
        Output(TOGGLE, "children"),
        Input(TOGGLE, "n_clicks"),
        Input(ids.URL, "search"),
        Input(ids.URL, "hash"),
    )
    def fill(clicks: Any, search: Any, fragment: Any) -> tuple[list, str]:
        if not as_clicks(clicks) % 2:
            return [], SHOW
        return row_list(ctx, parse_location(search, fragment)), HIDE
