"""Page registry: the overview and one page for each kind of user.

A small router on ``dcc.Location`` (pathname only): Dash Pages re-renders the whole page when
the query string changes, which would resend the map geometry on every filter change. Each
page brings its layout and registers its own callbacks; pages other than the overview are
built from :mod:`dashboard.pagekit`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from dash import html

from dashboard.views import Context

#: Page modules in the order the navigation lists them; each defines ``PAGE``.
PAGE_MODULES: tuple[str, ...] = (
    "dashboard.pages.overview",
    "dashboard.pages.directors",
    "dashboard.pages.commissioners",
    "dashboard.pages.budget",
    "dashboard.pages.present",
)


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    layout: Callable[[Context], html.Div]
    #: Short name in the navigation bar.
    nav_label: str = ""
    #: Registers the page's callbacks (the overview's are wired in dashboard.callbacks).
    register: Callable[[Any, Context], None] | None = None


def pages() -> dict[str, Page]:
    found = [import_module(name).PAGE for name in PAGE_MODULES]
    return {page.path: page for page in found}


def nav_id(path: str) -> str:
    return f"nav-{path.strip('/') or 'overview'}"


def navigation() -> html.Nav:
    """Links to every page. assets/navigation.js adds the shared filters of the page being
    looked at when one is followed (each page's URL lives in its own dcc.Location, which the
    shell cannot watch), so a director's period and age band go with them to the next page."""
    links = [
        html.A(
            page.nav_label or page.title,
            href=page.path,
            id=nav_id(page.path),
            className="nav-link",
        )
        for page in pages().values()
    ]
    return html.Nav(links, className="site-nav", **{"aria-label": "Pages"})


def not_found(path: str) -> html.Div:
    return html.Div(
        [
            html.H1("Page not found"),
            html.P(f"There is no page at {path}."),
            html.A("Go to the overview", href="/"),
        ],
        className="page",
    )
