"""Component ids in one place, so layout, callbacks and browser tests agree on them."""

from __future__ import annotations

SHELL_URL = "shell-url"  # the router reads its pathname
URL = "url"  # the page's own location: query string and fragment hold the view state
PAGE = "page"

# Filter bar (each maps to one URL key, see dashboard.controls).
PERIOD_KIND = "f-period-kind"
PERIOD = "f-period"  # one period or a preset range: writes from / to
LEVEL = "f-level"
MEASURE = "f-measure"
PER_1000 = "f-per-1000"
AGE_BANDS = "f-age-bands"
CLIENT_GROUPS = "f-client-groups"
WHAT = "f-what"  # the grouped "what" picker: writes one of elements / services / themes / provision
RULE = "f-rule"  # what the catalogue publishes at the level shown, in words
STATE_MESSAGE = "state-message"  # a link the catalogue cannot show (a list, a free region)
TOP_N = "f-top-n"
ELEMENT_A = "f-element-a"
ELEMENT_B = "f-element-b"
HIGHLIGHT = "f-highlight"
MAP_MODE = "f-map-mode"  # the map against the city, or the counts chosen (URL fragment)
AREA_SEARCH = "area-search"  # find an area by name or postcode

DRILL_UP = "drill-up"
PLACE = "place"
PRESENT_LINK = "present-link"  # presenter mode (/present) with the filters on screen
ROOT = "page-root"

MAP_GRAPH = "map-graph"
MAP_KEY = "map-geometry-key"
MAP_SUMMARY = "map-summary"
MAP_LEGEND = "map-legend"  # the key of the map against the city (its classes in words)
HEADLINES = "headlines"
HEADLINES_HEADING = "headlines-heading"
MATRIX_GRAPH = "matrix-graph"
ELEMENTS_GRAPH = "elements-graph"
COMPARE_GRAPH = "compare-graph"
TREND_GRAPH = "trend-graph"

GRAPH_OF_VIEW = {
    "area_map": MAP_GRAPH,
    "matrix": MATRIX_GRAPH,
    "elements": ELEMENTS_GRAPH,
    "element_compare": COMPARE_GRAPH,
    "trend": TREND_GRAPH,
}


def fold(view: str) -> str:
    """A folded view's Details (dashboard.components.fold_section)."""
    return f"fold-{view}"


def note(view: str) -> dict[str, str]:
    """The definition / data date / rule note under a view."""
    return {"type": "note", "view": view}


def csv_button(view: str) -> dict[str, str]:
    return {"type": "csv", "view": view}


def xlsx_button(view: str) -> dict[str, str]:
    return {"type": "xlsx", "view": view}


def download(view: str) -> dict[str, str]:
    return {"type": "download", "view": view}


def table_toggle(view: str) -> dict[str, str]:
    return {"type": "table-toggle", "view": view}


def table(view: str) -> dict[str, str]:
    return {"type": "table", "view": view}


def table_search(view: str) -> dict[str, str]:
    """The query string an open table was last read for (dashboard.components.table_gate)."""
    return {"type": "table-search", "view": view}
