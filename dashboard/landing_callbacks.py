"""The landing page's own callbacks: the headline figures, the map (against the city or the
counts) and the area search's options; and which folded views a link opens (its callback is
dashboard.callbacks' page frame). Each reads the URL, as every view does."""

from __future__ import annotations

import dash
from dash import Input, Output, State, ctx, html, no_update

from dashboard import ids
from dashboard.area_search import options_for
from dashboard.headlines import render_headlines
from dashboard.inputs import as_text
from dashboard.map_views import map_key, render_map
from dashboard.state import parse_location
from dashboard.views import Context

#: The overview's folded views and the URL keys that are their own state: a shared link that
#: sets one (a matrix highlight, a top N, a compared element) reopens the same screen, its fold
#: open; a link without them leaves the folds as they are (closed on a fresh page).
FOLD_KEYS: dict[str, tuple[str, ...]] = {
    "matrix": ("highlight",),
    "elements": ("top_n",),
    "element_compare": ("element_a", "element_b"),
}


def folds_to_open(state: dict[str, str]) -> list[bool]:
    """For each fold of FOLD_KEYS, in order: does the URL carry its view's own state?"""
    return [
        any(state.get(key) not in (None, "", "none") for key in keys) for keys in FOLD_KEYS.values()
    ]


def _note(lines: list) -> list:
    return [html.P(str(line)) for line in lines]


def register_landing_callbacks(app: dash.Dash, context: Context) -> None:
    @app.callback(
        Output(ids.MAP_GRAPH, "figure"),
        Output(ids.MAP_KEY, "data"),
        Output(ids.note("area_map"), "children"),
        Output(ids.MAP_SUMMARY, "children"),
        Output(ids.MAP_LEGEND, "children"),
        Input(ids.URL, "search"),
        Input(ids.URL, "hash"),
        State(ids.MAP_KEY, "data"),
    )
    def update_map(search: str | None, fragment: str | None, key: str | None) -> tuple:
        """Redrawn on a new query string, or on a fragment that switches the map's mode (the
        fragment's other key, the matrix's highlight, leaves it alone)."""
        state = parse_location(search, fragment)
        key = as_text(key)
        only_fragment = all(t["prop_id"] == f"{ids.URL}.hash" for t in ctx.triggered)
        if only_fragment and key is not None and key == map_key(state):
            return no_update, no_update, no_update, no_update, no_update
        figure, new_key, note, summary, key_shown = render_map(context, state, key)
        return figure, new_key, _note(note), summary, key_shown

    @app.callback(
        Output(ids.HEADLINES, "children"),
        Output(ids.HEADLINES_HEADING, "children"),
        Input(ids.URL, "search"),
    )
    def update_headlines(search: str | None) -> tuple:
        return render_headlines(context, parse_location(search))

    @app.callback(Output(ids.AREA_SEARCH, "options"), Input(ids.AREA_SEARCH, "search_value"))
    def search_options(text: str | None) -> list:
        """Every area the role may see, and a typed full postcode's sector first (never the
        text itself)."""
        from dashboard.pages.overview import offered_levels

        return options_for(as_text(text), context.db.reference, offered_levels())
