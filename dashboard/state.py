"""The whole view state lives in the URL query string.

Filter keys are the query layer's own parameter names (docs/ARCHITECTURE.md §3.1), so the
query string of a dashboard URL also works against ``/api/v1/views/<view>``. A few keys only
the dashboard reads (the matrix's highlight, the map's mode) live in the URL fragment
(``#highlight=unusual``) instead, because the query layer rejects keys it does not know.
Functions here are pure: they are the callbacks' logic, tested without a browser.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

#: Query-layer filters every view shares (the filter bar).
#: Each is one value or absent ("all"): PRIVACY.md v2 §2 (dashboard.catalogue).
SHARED_KEYS: tuple[str, ...] = (
    "period_kind",
    "from",
    "to",
    "age_bands",
    "elements",
    "services",
    "themes",
    "provision",
    "client_groups",
)
#: Query-layer keys for the map and the element views.
VIEW_KEYS: tuple[str, ...] = (
    "level",
    "within",
    "areas",
    "measure",
    "top_n",
    "element_a",
    "element_b",
)
#: Keys only the dashboard reads.
UI_KEYS: tuple[str, ...] = ("highlight", "map")
#: Keys of old links the catalogue no longer answers: read only so that the page can say why
#: it does not show them (dashboard.catalogue.list_problems); never passed to a view.
REFUSED_KEYS: tuple[str, ...] = ("regions",)
ALL_KEYS: tuple[str, ...] = SHARED_KEYS + VIEW_KEYS + UI_KEYS

#: Levels the map can show, in the order of the level switch.
MAP_LEVELS: tuple[str, ...] = ("ward", "district", "sector", "h3r7", "h3r8")
DEFAULT_LEVEL = "ward"
DEFAULT_MEASURE = "people"
RATE_MEASURE = "rate_per_1000"
DEFAULT_TOP_N = "10"

_WARD_CODE = re.compile(r"^[EWSN]05\d{6}$")

State = dict[str, str]


def parse_pairs(text: str, keys: tuple[str, ...]) -> State:
    """Query string (no "?") -> the given keys' values; unknown keys and blanks are dropped.

    A key given more than once keeps every value, comma-joined, so the catalogue's one value
    per filter names it (dashboard.catalogue.list_problems) as it names ``elements=A,B``,
    rather than the last value silently winning."""
    values: dict[str, list[str]] = {}
    for key, value in parse_qsl(text, keep_blank_values=False):
        if key in keys and value.strip():
            values.setdefault(key, []).append(value.strip())
    return {key: ",".join(given) for key, given in values.items()}


def parse_location(search: str | None, fragment: str | None = None) -> State:
    """URL query string (+ fragment) -> state (parse_pairs).

    Callbacks pass the browser's values on: anything but text (a crafted post) stops the
    update (dashboard.inputs.as_url_part)."""
    from dashboard.inputs import as_url_part

    search_text = as_url_part(search, "url.search").lstrip("?")
    state = parse_pairs(search_text, SHARED_KEYS + VIEW_KEYS + REFUSED_KEYS)
    state.update(parse_pairs(as_url_part(fragment, "url.hash").lstrip("#"), UI_KEYS))
    return state


def _encode(state: State, keys: tuple[str, ...]) -> str:
    pairs = [(key, state[key]) for key in keys if state.get(key)]
    return urlencode(pairs, safe=",:;")


def build_search(state: State) -> str:
    """State -> canonical query string of the query-layer keys (commas left readable)."""
    text = _encode(state, SHARED_KEYS + VIEW_KEYS)
    return "?" + text if text else ""


def build_hash(state: State) -> str:
    """State -> URL fragment of the dashboard-only keys."""
    text = _encode(state, UI_KEYS)
    return "#" + text if text else ""


def map_level(state: State) -> str:
    level = state.get("level", DEFAULT_LEVEL)
    return level if level in MAP_LEVELS else DEFAULT_LEVEL


def parent_level(code: str) -> str:
    """A drill-down parent is either a ward (GSS code) or a postcode district."""
    return "ward" if _WARD_CODE.match(code) else "district"


def selected_place(state: State) -> tuple[str, str] | None:
    """(level, code) the other views are filtered to, or None for the whole city.

    A clicked area wins over the drill-down parent it sits in.
    """
    area = state.get("areas")
    if area and "," not in area:
        return map_level(state), area
    within = state.get("within")
    if within:
        return parent_level(within), within
    return None


def view_params(state: State, view: str) -> dict[str, str]:
    """The query-layer parameters one view runs with, derived from the page state."""
    params = {key: state[key] for key in SHARED_KEYS if state.get(key)}
    measure = state.get("measure", DEFAULT_MEASURE)
    place = selected_place(state)
    if view == "area_map":
        params.update(level=map_level(state), measure=measure)
        if state.get("within"):
            params["within"] = state["within"]
    elif view == "matrix":
        params["measure"] = measure
        within = state.get("within")
        if within:
            params.update(level="sector", within=within)
        else:
            params["level"] = "district"
    elif view in ("elements", "trend"):
        if place:
            params.update(level=place[0], areas=place[1])
        else:
            params["level"] = "city"
        if view == "elements":
            params["top_n"] = state.get("top_n", DEFAULT_TOP_N)
    elif view == "element_compare":
        # The two elements decide what is counted (one what per request: PRIVACY.md v2 §2).
        for key in ("elements", "services", "themes", "provision"):
            params.pop(key, None)
        params["level"] = map_level(state)
        if state.get("within"):
            params["within"] = state["within"]
        for key in ("element_a", "element_b"):
            if state.get(key):
                params[key] = state[key]
    else:
        raise KeyError(view)
    return params


def drill(state: State, code: str) -> State:
    """A click on the map: a ward or district opens its sectors; any other area is selected.

    Clicking the selected area again clears the selection.
    """
    new = dict(state)
    level = map_level(state)
    if level in ("ward", "district") and not state.get("within"):
        new.update(within=code, level="sector")
        new.pop("areas", None)
    elif state.get("areas") == code:
        new.pop("areas", None)
    else:
        new["areas"] = code
    return new


def drill_from_matrix(state: State, row_label: str) -> State:
    """A click on a matrix cell or row label, read like a click on the map.

    Rows are postcode districts for the whole city (a click opens the district's sectors) or
    the sectors of the area drilled into (a click selects the sector; again clears it).
    """
    tokens = row_label.split()
    # A row reads "<code> <name>"; a sector code itself has a space ("B12 9").
    code = " ".join(tokens[:2]) if state.get("within") else " ".join(tokens[:1])
    if not code:
        return dict(state)
    new = dict(state)
    if state.get("within"):
        new["level"] = "sector"
        if state.get("areas") == code:
            new.pop("areas", None)
        else:
            new["areas"] = code
    else:
        new.update(within=code, level="sector")
        new.pop("areas", None)
    return new


def drill_up(state: State) -> State:
    """Back to the whole city at the level the drill started from."""
    new = dict(state)
    within = new.pop("within", None)
    new.pop("areas", None)
    if within:
        new["level"] = parent_level(within)
    return new


def place_label(state: State, names: dict[str, str] | None = None) -> str:
    """Plain words for where the views are filtered to."""
    place = selected_place(state)
    if place is None:
        return "Birmingham (whole city)"
    level, code = place
    name = (names or {}).get(code)
    words = {"ward": "ward", "district": "postcode district", "sector": "postcode sector"}
    kind = words.get(level, "H3 cell")
    return f"{name} ({kind} {code})" if name and name != code else f"{kind} {code}"


def period_label(state: State, periods: dict[str, list[str]] | None = None) -> str:
    """The period range in words; an open end is filled from ``periods`` (kind -> labels)."""
    labels = (periods or {}).get(state.get("period_kind", "year"), [])
    start, end = state.get("from"), state.get("to")
    if not start and not end and labels:
        # As the query layer reads it: the whole series, or the latest quarter (quarters are
        # published one at a time).
        start = labels[-1] if state.get("period_kind") == "quarter" else labels[0]
        end = labels[-1]
    start, end = start or end, end or start
    kind = {"fy": "financial years", "quarter": "quarters"}.get(state.get("period_kind", ""), "")
    if start and end:
        span = start if start == end else f"{start} to {end}"
    elif start or end:
        span = f"from {start}" if start else f"to {end}"
    else:
        span = "all periods"
    return f"{span} ({kind})" if kind else span
