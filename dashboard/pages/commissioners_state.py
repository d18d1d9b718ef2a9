"""The commissioners' page: its constants, controls and the query-layer view and parameters
behind each card (dashboard.pages.commissioners)."""

from __future__ import annotations

from dashboard import catalogue
from dashboard.components import LEVEL_LABELS
from dashboard.pagekit import (
    SHARED_FILTER_KEYS,
    CardQuery,
    PageControl,
    PageIds,
    PageState,
    shared_filter_controls,
)
from dashboard.state import period_label
from dashboard.views import Context

IDS = PageIds("commissioners")
PATH = "/commissioners"
#: The areas a commissioner can map: wards and postcode districts (the thesis's level).
LEVELS: tuple[str, ...] = ("district", "ward")
DEFAULT_LEVEL = "district"
#: The thesis's pair (Table 9): the two most commissioned older adults' home support elements.
DEFAULT_PAIR: tuple[str, str] = ("OAEHSGCO", "HSSU65PL")
#: The share needs internal and external together, so a provision filter is not applied to it.
SHARE_DROPS: tuple[str, ...] = ("provision",)
#: The pair chooses the elements, so the filters that pick elements are not applied to it.
COMPARE_DROPS: tuple[str, ...] = ("elements", "services", "themes", "provision")
COMPARE_DROPS_NOTE = (
    "The two elements chosen here decide what is counted: the element, service, MIA theme and "
    "provision filters are not applied to this view."
)
PROVISION_NOTE = (
    "The provision filter is not applied to the internal share: the share needs internal and "
    "external provision together."
)
DIRECT_NOTE = (
    "The internal share leaves out direct payments (neither internal nor external); the "
    "tooltip's direct payment share is direct / (internal + external + direct) people, from "
    "published counts, withheld [c] where any of them is."
)
MIDPOINT_NOTE = "Colour midpoint (white): the city's internal share for the same filters, {}."
COMPARE_NOTE = (
    "Difference = A minus B people, from published counts; withheld [c] where either is. The "
    "chart shows the 20 areas with the widest published gap; the map, table and downloads "
    "have every area."
)
MATRIX_DETAIL_ID = IDS.element("matrix-detail")


def level_control() -> PageControl:
    return PageControl(
        "level",
        "Areas (map, moves and compare)",
        "radio",
        tuple((level, LEVEL_LABELS[level]) for level in LEVELS),
        default=DEFAULT_LEVEL,
    )


def _element_default(ctx: Context, preferred: str, avoid: str | None) -> str | None:
    codes = [code for code, _ in ctx.choices.elements]
    if preferred in codes:
        return preferred
    spare = [c for c in codes if c != avoid]
    return spare[0] if spare else None


def element_controls(ctx: Context) -> tuple[PageControl, PageControl]:
    options = tuple(ctx.choices.element_options())
    first = _element_default(ctx, DEFAULT_PAIR[0], None)
    second = _element_default(ctx, DEFAULT_PAIR[1], first)
    return (
        PageControl("element_a", "Element A", "dropdown", options, first, clearable=False),
        PageControl("element_b", "Element B", "dropdown", options, second, clearable=False),
    )


def filter_controls(ctx: Context) -> tuple[PageControl, ...]:
    """The shared filter bar: one period or a preset range, one what, one age band, one client
    group (the catalogue's single values)."""
    return shared_filter_controls(ctx.choices)


def levels_shown(state: PageState) -> list[str]:
    """The levels this page's cards read (the filters offer what all of them publish)."""
    return [chosen_level(state), "district"]


def controls(ctx: Context) -> tuple[PageControl, ...]:
    return (*filter_controls(ctx), level_control(), *element_controls(ctx))


def chosen_level(state: PageState) -> str:
    level = state.get("level", DEFAULT_LEVEL)
    return level if level in LEVELS else DEFAULT_LEVEL


def shared_params(state: PageState, drop: tuple[str, ...] = ()) -> dict[str, str]:
    return {k: state[k] for k in SHARED_FILTER_KEYS if state.get(k) and k not in drop}


def pair(ctx: Context, state: PageState) -> tuple[str, str]:
    a_control, b_control = element_controls(ctx)
    return (
        state.get("element_a") or a_control.default or "",
        state.get("element_b") or b_control.default or "",
    )


def query_of(ctx: Context, name: str, state: PageState) -> CardQuery | None:
    """The query-layer view and parameters behind each card of this page."""
    share = {**shared_params(state, SHARE_DROPS), "measure": "internal_share"}
    level = chosen_level(state)
    if name == "share_map":
        return CardQuery("area_compare", {**share, "level": level})
    if name == "city_share":
        return CardQuery("area_map", {**share, "level": "city"})
    if name == "matrix":
        return CardQuery("provision", {**shared_params(state, SHARE_DROPS), "level": "district"})
    if name == "moves":
        return CardQuery("provision", {**shared_params(state, SHARE_DROPS), "level": level})
    if name == "compare":
        element_a, element_b = pair(ctx, state)
        params = {**shared_params(state, COMPARE_DROPS), "level": level}
        return CardQuery(
            "element_compare", {**params, "element_a": element_a, "element_b": element_b}
        )
    return None


def period_range(ctx: Context, state: PageState) -> tuple[str, str]:
    """First and last period of the state's range (open ends filled from the database)."""
    return catalogue.period_range(state, ctx.choices)


def cell_period_label(ctx: Context, state: PageState) -> str:
    """The period a one-cell-per-area card shows (one period or a preset range)."""
    return period_label(catalogue.one_cell_period(state, ctx.choices)[0], ctx.choices.periods)
