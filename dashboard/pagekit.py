"""Building blocks for the users' pages: namespaced ids, a URL-synced control bar, view cards.

The overview page has its own hand-wired callbacks; every other page is built from these so
that it gets, with a few lines, what a serious page needs: its whole state in the URL query
string (the query layer's own parameter names, so a page URL also works against
``/api/v1/views/<view>``), the shared filters carried over from the other pages, and for each
chart its definition note, CSV / XLSX downloads and the table behind it, all through the
query layer's runner (protected and audited).

Component ids are namespaced by page (``commissioners-url``, ``{"page": ..., "view": ...}``) so
that pages never share a callback output and a page's callbacks never wait on another page's
components.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import dash
from dash import MATCH, Input, Output, State, dcc, html, no_update
from dash import ctx as callback_context

from dashboard.components import (
    SUPPRESSION_LEGEND,
    about_chart,
    data_table,
    register_table_gate,
)
from dashboard.inputs import as_clicks, as_url_part, match_value, triggered_match
from dashboard.pagecontrols import (
    PageControl,
    PageState,
    PeriodControl,
    WhatControl,
    control_bar,
    shared_filter_controls,
    state_after_change,
)
from dashboard.pagecontrols import register_url_sync as _register_url_sync
from dashboard.state import REFUSED_KEYS, parse_pairs
from dashboard.views import Context, ViewOutcome, download_payload, note_text, run
from queries.filters import PARAMETERS

__all__ = [
    "PageControl",
    "PeriodControl",
    "WhatControl",
    "control_bar",
    "shared_filter_controls",
    "state_after_change",
]

#: Every key a page URL may hold: the query layer's parameters, the region set, the old
#: free-form ``regions`` (read so that an old link is refused with a message, never dropped)
#: and ``show``, which of a card's published measures its figure draws (the budget page's MIA17
#: areas: no query parameter, both measures are in the card's table).
PAGE_KEYS: tuple[str, ...] = tuple(dict.fromkeys((*PARAMETERS, "region_set", "regions", "show")))

#: The filters every page shares with the overview (same URL keys, so links carry them over).
#: Each is one value or absent ("all"), PRIVACY.md v2 §2.
SHARED_FILTER_KEYS: tuple[str, ...] = (
    "period_kind",
    "from",
    "to",
    "age_bands",
    "client_groups",
    "services",
    "elements",
    "themes",
    "provision",
)


#: The export buttons' types: the format of the file they download.
EXPORT_FORMATS: tuple[str, ...] = ("csv", "xlsx")


class PageIds:
    """Every component id of one page, prefixed with the page's name."""

    def __init__(self, page: str) -> None:
        self.page = page

    @property
    def url(self) -> str:
        return f"{self.page}-url"

    def control(self, key: str) -> str:
        return f"{self.page}-f-{key.replace('_', '-')}"

    def graph(self, name: str) -> str:
        return f"{self.page}-{name.replace('_', '-')}-graph"

    def element(self, name: str) -> str:
        """Any other page-owned component (a summary line, a store)."""
        return f"{self.page}-{name.replace('_', '-')}"

    def _typed(self, kind: str, view: str) -> dict[str, str]:
        return {"type": kind, "view": view, "page": self.page}

    def note(self, view: str) -> dict[str, str]:
        return self._typed("note", view)

    def csv(self, view: str) -> dict[str, str]:
        # "csv" / "xlsx" types are what the audit log recognises as exports (dashboard.app).
        return self._typed("csv", view)

    def xlsx(self, view: str) -> dict[str, str]:
        return self._typed("xlsx", view)

    def download(self, view: str) -> dict[str, str]:
        return self._typed("download", view)

    def table_toggle(self, view: str) -> dict[str, str]:
        return self._typed("table-toggle", view)

    def table(self, view: str) -> dict[str, str]:
        return self._typed("table", view)

    def table_search(self, view: str) -> dict[str, str]:
        return self._typed("table-search", view)


# --- URL state ---------------------------------------------------------------------------


def parse_page_state(search: str | None, keys: Sequence[str] = PAGE_KEYS) -> PageState:
    """Query string -> state of the given keys (dashboard.state.parse_pairs: a repeated key is
    a list the page names). Anything but text (a crafted post) stops the update
    (dashboard.inputs.as_url_part)."""
    text = as_url_part(search, "url.search").lstrip("?")
    return parse_pairs(text, (*keys, *REFUSED_KEYS))


def build_page_search(state: PageState, keys: Sequence[str] = PAGE_KEYS) -> str:
    """State -> canonical query string (keys in a fixed order, commas left readable)."""
    text = urlencode([(k, state[k]) for k in keys if state.get(k)], safe=",:;")
    return "?" + text if text else ""


def register_url_sync(
    app: dash.Dash,
    ids: PageIds,
    controls: Sequence[PageControl],
    choices: object,
    keys: Sequence[str] = PAGE_KEYS,
    levels_of: Callable[[PageState], Sequence[str]] | None = None,
) -> None:
    """Controls <-> URL for a page (dashboard.pagecontrols.register_url_sync)."""
    _register_url_sync(app, ids, controls, choices, keys, levels_of)  # type: ignore[arg-type]


# --- view cards --------------------------------------------------------------------------


def card(
    ids: PageIds,
    view: str,
    title: str,
    body: list,
    *,
    exports: bool = True,
    legend: str = SUPPRESSION_LEGEND,
) -> html.Section:
    """A view's block: title, its body, "About this chart" (the note and the legend, folded),
    downloads and the table behind it.

    ``view`` names the card, not necessarily a query-layer view: the page's ``params_of``
    decides which view and parameters stand behind each card's table and downloads.
    """
    title_id = ids.element(f"title-{view}")
    parts: list = [html.H2(title, id=title_id), *body]
    parts.append(about_chart(ids.note(view), legend))
    if exports:
        parts.append(
            html.Div(
                [
                    html.Button("Download CSV", id=ids.csv(view), className="button", n_clicks=0),
                    html.Button("Download XLSX", id=ids.xlsx(view), className="button", n_clicks=0),
                    dcc.Download(id=ids.download(view)),
                ],
                className="downloads",
            )
        )
        parts.append(
            html.Div(
                [
                    html.Button(
                        "Show table",
                        id=ids.table_toggle(view),
                        className="link-button",
                        n_clicks=0,
                    ),
                    html.Div(id=ids.table(view), className="table-wrap", **{"aria-live": "polite"}),
                    dcc.Store(id=ids.table_search(view)),
                ]
            )
        )
    return html.Section(parts, className="card", **{"aria-labelledby": title_id})


def note_children(lines: Sequence[object]) -> list:
    return [html.P(str(line)) for line in lines]


@dataclass(frozen=True)
class CardQuery:
    """The query-layer view and parameters behind one card, for a page state."""

    view: str
    params: dict[str, str] = field(default_factory=dict)


def register_card_tables(
    app: dash.Dash,
    context: Context,
    ids: PageIds,
    query_of: Callable[[str, PageState], CardQuery | None],
    keys: Sequence[str] = PAGE_KEYS,
) -> None:
    """Downloads (CSV, XLSX) and the show-table toggle for every card on the page.

    ``query_of(card, state)`` names the query-layer view and parameters behind a card, so the
    files and tables are the same protected rows the chart was drawn from.
    """

    @app.callback(
        Output(ids.download(MATCH), "data"),
        Input(ids.csv(MATCH), "n_clicks"),
        Input(ids.xlsx(MATCH), "n_clicks"),
        State(ids.url, "search"),
        prevent_initial_call=True,
    )
    def download(_csv: int, _xlsx: int, search: str | None) -> Any:
        trigger = triggered_match(callback_context.triggered_id)
        if trigger is None or trigger[0] not in EXPORT_FORMATS:
            return no_update
        fmt, name = trigger
        query = query_of(name, parse_page_state(search, keys))
        if query is None:
            return no_update
        payload = export_query(context, query, fmt, name)
        return payload if isinstance(payload, dict) else no_update

    register_table_gate(app, ids.url, ids.table_toggle(MATCH), ids.table_search(MATCH))

    @app.callback(
        Output(ids.table(MATCH), "children"),
        Output(ids.table_toggle(MATCH), "children"),
        Input(ids.table_toggle(MATCH), "n_clicks"),
        Input(ids.table_search(MATCH), "data"),
        State(ids.url, "search"),
        prevent_initial_call=True,
    )
    def table(clicks: int | None, _shown_for: object, search: str | None) -> Any:
        if not as_clicks(clicks) % 2:
            return None, "Show table"
        name = match_value(callback_context.outputs_list)
        query = query_of(name, parse_page_state(search, keys))
        if query is None:
            return html.P("No table for this view."), "Hide table"
        outcome = run(context, query.view, query.params)
        if outcome.result is None:
            return html.P(outcome.message), "Hide table"
        caption = f"Published rows behind the {name.replace('_', ' ')} chart"
        return data_table(outcome.result.rows, caption), "Hide table"


def export_query(context: Context, query: CardQuery, fmt: str, name: str) -> dict | str:
    """A dcc.Download payload of a card's protected table (as the overview's exports)."""
    return download_payload(run(context, query.view, query.params), name, fmt)


def run_query(context: Context, query: CardQuery) -> ViewOutcome:
    """Run a card's query through the page's (protected, audited) runner."""
    return run(context, query.view, query.params)


def notes_for(context: Context, outcome: ViewOutcome) -> list[str]:
    """The note under a card: the result's definition / rule lines, or the error message."""
    if outcome.result is None:
        return [outcome.message]
    return note_text(outcome.result, context.synthetic)
