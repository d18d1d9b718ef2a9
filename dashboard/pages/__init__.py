"""Page registry: later issues add pages for commissioners, budget officers and directors.

A small router on ``dcc.Location`` (pathname only): Dash Pages re-renders the whole page when
the query string changes, which would resend the map geometry on every filter change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dash import html

from dashboard.views import Context


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    layout: Callable[[Context], html.Div]


def pages() -> dict[str, Page]:
    from dashboard.pages import overview

    return {overview.PAGE.path: overview.PAGE}


def not_found(path: str) -> html.Div:
    return html.Div(
        [
            html.H1("Page not found"),
            html.P(f"There is no page at {path}."),
            html.A("Go to the overview", href="/"),
        ],
        className="page",
    )
