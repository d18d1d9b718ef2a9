"""Commissioners' page: internal vs external (and direct payment) provision by area, and two
elements compared by area.

Cards: the internal share map (diverging, the city's share as its midpoint), the district x
period matrix of the share with people and cost (the thesis's Figure 37), the areas whose share
moved most, and element A vs B by area with the map of the difference (Table 9, Figure 26).
Every number comes from the query layer through the page's runner (protected and audited);
the page's state is its URL query string in the query layer's own parameter names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from dashboard import catalogue
from dashboard.components import LEVEL_LABELS, data_table
from dashboard.pagekit import (
    SHARED_FILTER_KEYS,
    CardQuery,
    PageControl,
    PageIds,
    PageState,
    card,
    control_bar,
    graph,
    note_children,
    notes_for,
    parse_page_state,
    register_card_tables,
    register_url_sync,
    run_query,
    shared_filter_controls,
)
from dashboard.pages import Page
from dashboard.state import period_label
from dashboard.views import Context, ViewOutcome
from layers.commission_compare import difference_map_figure
from layers.elements import element_compare_figure
from layers.provision import CELL_DETAILS, city_value, provision_matrix_figure, share_map_figure
from layers.provision_moves import MOVES_RULE, moved_most, moves_figure, share_changes
from layers.style import empty_figure

log = logging.getLogger(__name__)

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
    options = tuple((c, f"{c} {d}".strip()) for c, d in ctx.choices.elements)
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


# --- what each card shows (plain functions, tested without a browser) -----------------------


def _share_notes(ctx: Context, outcome: ViewOutcome, state: PageState, city: float | None) -> list:
    lines = notes_for(ctx, outcome)
    shown = f"{city * 100:.1f}%" if city is not None else "withheld, so 50% is used"
    lines.insert(0, MIDPOINT_NOTE.format(shown))
    if state.get("provision"):
        lines.append(PROVISION_NOTE)
    return lines


def render_share_map(ctx: Context, state: PageState) -> tuple[Any, list]:
    """(figure, note): the internal share by area, diverging around the city's share."""
    outcome = run_query(ctx, query_of(ctx, "share_map", state))  # type: ignore[arg-type]
    if outcome.result is None:
        return empty_figure(outcome.message), note_children(notes_for(ctx, outcome))
    rows = outcome.result.rows
    city = city_value(rows)
    note = _share_notes(ctx, outcome, state, city)
    note.append(outcome.result.meta.get("method", ""))
    level = chosen_level(state)
    geometry = ctx.geometry
    if geometry is None or geometry.url(level) is None:
        message = "Map geometry is not available; the table below has the same figures."
        return empty_figure(message), note_children([*note, message])
    figure = share_map_figure(
        rows,
        city_share=city,
        geojson_url=geometry.url(level) or "",
        outline_url=geometry.url("boundary"),
        period_label=cell_period_label(ctx, state),
        view=geometry.view("boundary"),
        revision=level,
    )
    return figure, note_children([line for line in note if line])


def city_share(ctx: Context, state: PageState) -> float | None:
    """The city's published internal share for the state (the matrix's colour midpoint)."""
    outcome = run_query(ctx, query_of(ctx, "city_share", state))  # type: ignore[arg-type]
    if outcome.result is None or outcome.result.rows.empty:
        return None
    rows = outcome.result.rows.rename(
        columns={"value": "city_value", "value_status": "city_status"}
    )
    return city_value(rows)


def render_matrix(ctx: Context, state: PageState, detail: str = "people") -> tuple[Any, list]:
    """(figure, note): districts x periods, internal share with people or cost (Figure 37)."""
    outcome = run_query(ctx, query_of(ctx, "matrix", state))  # type: ignore[arg-type]
    if outcome.result is None:
        return empty_figure(outcome.message), note_children(notes_for(ctx, outcome))
    city = city_share(ctx, state)
    note = _share_notes(ctx, outcome, state, city)
    note.append(DIRECT_NOTE)
    if outcome.result.rows.empty:
        return empty_figure("No areas for these filters."), note_children(note)
    detail = detail if detail in CELL_DETAILS else "people"
    figure = provision_matrix_figure(outcome.result.rows, city_share=city, detail=detail)
    return figure, note_children(note)


def render_moves(ctx: Context, state: PageState) -> tuple[Any, Any, list]:
    """(figure, table, note): the areas whose published internal share moved most."""
    outcome = run_query(ctx, query_of(ctx, "moves", state))  # type: ignore[arg-type]
    if outcome.result is None:
        message = outcome.message
        return empty_figure(message), None, note_children(notes_for(ctx, outcome))
    first, last = period_range(ctx, state)
    note = [MOVES_RULE, *notes_for(ctx, outcome)]
    if state.get("provision"):
        note.append(PROVISION_NOTE)
    if first == last:
        message = "Choose a range of at least two periods to see which areas moved."
        return empty_figure(message), None, note_children(note)
    changes = share_changes(outcome.result.rows, first, last)
    top = moved_most(changes)
    counts = changes["change_status"].value_counts()
    note.insert(
        1,
        f"{first} to {last}: of {len(changes)} areas, {int(counts.get('[c]', 0))} have a "
        f"withheld change [c] and {int(counts.get('[x]', 0))} no share in one of the periods [x].",
    )
    if top.empty:
        return (
            empty_figure("No area has a published share in both periods."),
            None,
            note_children(note),
        )
    table = pd.DataFrame(
        {
            "area": [
                f"{n} ({c})" if n != c else c
                for c, n in zip(top["area_code"], top["area_name"], strict=True)
            ],
            f"{first} (%)": (top["first_share"] * 100).round(1),
            f"{last} (%)": (top["last_share"] * 100).round(1),
            "change (points)": top["change_points"],
            "status": top["change_status"],
        }
    )
    caption = (
        f"Areas whose internal share moved most, {first} to {last} (derived from published shares)"
    )
    return moves_figure(top), data_table(table, caption), note_children(note)


def _element_label(ctx: Context, code: str, letter: str) -> str:
    names = dict(ctx.choices.elements)
    return f"{letter}: {code} {names.get(code, '')}".strip()


def render_compare(ctx: Context, state: PageState) -> tuple[Any, Any, list]:
    """(side-by-side figure, difference map, note): element A vs B by area (Table 9, Fig 26)."""
    query = query_of(ctx, "compare", state)
    assert query is not None
    element_a, element_b = query.params["element_a"], query.params["element_b"]
    if element_a == element_b:
        message = "Choose two different elements to compare."
        return empty_figure(message), empty_figure(message), note_children([message])
    outcome = run_query(ctx, query)
    if outcome.result is None:
        failed = empty_figure(outcome.message)
        return failed, failed, note_children(notes_for(ctx, outcome))
    rows = outcome.result.rows
    note = notes_for(ctx, outcome)
    note.insert(0, COMPARE_NOTE)
    if any(state.get(k) for k in COMPARE_DROPS):
        note.insert(1, COMPARE_DROPS_NOTE)
    if rows.empty:
        empty = empty_figure("No areas for these filters.")
        return empty, empty, note_children(note)
    label_a, label_b = _element_label(ctx, element_a, "A"), _element_label(ctx, element_b, "B")
    bars = element_compare_figure(rows, label_a=label_a, label_b=label_b)
    level = chosen_level(state)
    geometry = ctx.geometry
    if geometry is None or geometry.url(level) is None:
        return bars, empty_figure("Map geometry is not available."), note_children(note)
    difference_map = difference_map_figure(
        rows,
        label_a=label_a,
        label_b=label_b,
        geojson_url=geometry.url(level) or "",
        outline_url=geometry.url("boundary"),
        period_label=cell_period_label(ctx, state),
        view=geometry.view("boundary"),
        revision=level,
    )
    return bars, difference_map, note_children(note)


# --- layout and callbacks ------------------------------------------------------------------


def _wide(section: html.Section) -> html.Section:
    section.className = "card commissioners-wide"
    return section


def layout(ctx: Context) -> html.Div:
    detail_options = [{"label": label, "value": key} for key, label in CELL_DETAILS.items()]
    return html.Div(
        [
            dcc.Location(id=IDS.url, refresh=False),
            html.H2("Commissioners: internal vs external provision", className="page-title"),
            control_bar(IDS, filter_controls(ctx), explain=True),
            control_bar(IDS, (level_control(),), label="Areas"),
            html.Div(
                [
                    card(
                        IDS,
                        "share_map",
                        "Internal share by area, against the city",
                        [graph(IDS.graph("share_map"), "Map of the internal share by area")],
                    ),
                    card(
                        IDS,
                        "moves",
                        "Areas whose internal share moved most",
                        [
                            graph(IDS.graph("moves"), "Change in internal share by area"),
                            html.Div(id=IDS.element("moves-table"), className="table-wrap"),
                        ],
                    ),
                    _wide(
                        card(
                            IDS,
                            "matrix",
                            "Internal share by postcode district and period, with people and cost",
                            [
                                html.Div(
                                    [
                                        html.Label(
                                            "Second line of each cell",
                                            htmlFor=MATRIX_DETAIL_ID,
                                            className="commissioners-detail-title",
                                        ),
                                        dcc.RadioItems(
                                            id=MATRIX_DETAIL_ID,
                                            options=detail_options,
                                            value="people",
                                            inline=True,
                                        ),
                                    ],
                                    className="commissioners-detail",
                                ),
                                graph(IDS.graph("matrix"), "Internal share by district and period"),
                            ],
                        )
                    ),
                    _wide(
                        card(
                            IDS,
                            "compare",
                            "Two elements by area: side by side and the difference",
                            [
                                control_bar(
                                    IDS, element_controls(ctx), label="Elements to compare"
                                ),
                                html.Div(
                                    [
                                        graph(
                                            IDS.graph("compare"),
                                            "People of element A and B by area",
                                        ),
                                        graph(
                                            IDS.graph("compare_map"),
                                            "Map of the difference, A minus B, by area",
                                        ),
                                    ],
                                    className="commissioners-pair",
                                ),
                            ],
                        )
                    ),
                ],
                className="views",
            ),
        ],
        className="page commissioners",
    )


FAILED_MESSAGE = "This view could not be drawn. Please try other filters."


def guarded(render: Callable[..., tuple], shape: tuple[str, ...], *args: object) -> tuple:
    """A card's outputs, or (a blank figure, no table, a message) if drawing them fails: one
    card failing must not blank the page or leak a traceback."""
    try:
        return render(*args)
    except Exception:
        log.exception("commissioners: %s failed", render.__name__)
        fallback = {"figure": empty_figure(FAILED_MESSAGE), "table": None}
        return tuple(
            note_children([FAILED_MESSAGE]) if kind == "note" else fallback[kind] for kind in shape
        )


def register(app: dash.Dash, ctx: Context) -> None:
    register_url_sync(app, IDS, controls(ctx), ctx.choices, levels_of=levels_shown)
    register_card_tables(app, ctx, IDS, lambda name, state: query_of(ctx, name, state))

    @app.callback(
        Output(IDS.graph("share_map"), "figure"),
        Output(IDS.note("share_map"), "children"),
        Input(IDS.url, "search"),
    )
    def update_share_map(search: str | None) -> tuple[Any, list]:
        return guarded(render_share_map, ("figure", "note"), ctx, parse_page_state(search))

    @app.callback(
        Output(IDS.graph("matrix"), "figure"),
        Output(IDS.note("matrix"), "children"),
        Input(IDS.url, "search"),
        Input(MATRIX_DETAIL_ID, "value"),
    )
    def update_matrix(search: str | None, detail: str | None) -> tuple[Any, list]:
        state = parse_page_state(search)
        return guarded(render_matrix, ("figure", "note"), ctx, state, detail or "people")

    @app.callback(
        Output(IDS.graph("moves"), "figure"),
        Output(IDS.element("moves-table"), "children"),
        Output(IDS.note("moves"), "children"),
        Input(IDS.url, "search"),
    )
    def update_moves(search: str | None) -> tuple[Any, Any, list]:
        state = parse_page_state(search)
        return guarded(render_moves, ("figure", "table", "note"), ctx, state)

    @app.callback(
        Output(IDS.graph("compare"), "figure"),
        Output(IDS.graph("compare_map"), "figure"),
        Output(IDS.note("compare"), "children"),
        Input(IDS.url, "search"),
    )
    def update_compare(search: str | None) -> tuple[Any, Any, list]:
        state = parse_page_state(search)
        return guarded(render_compare, ("figure", "figure", "note"), ctx, state)


PAGE = Page(
    path=PATH,
    title="Care Atlas: commissioners",
    layout=layout,
    nav_label="Commissioners: internal vs external",
    register=register,
)
