"""Strategic directors' page: hotspots, the council's regions, and quarterly users of one element.

Every number comes from the query layer through the page's runner (protected and audited);
the page's state is its URL query string in the query layer's own parameter names: the shared
filters (one value each), ``level`` (ward or district, for the hotspots), ``region_set`` (one
of the council's region sets, fixed at build time), ``measure`` (what the regions are compared
by) and ``element`` (the quarterly chart). Each card is one query-layer view, so its numbers,
table and downloads are exactly the API's answer for those parameters (the regions' cards:
dashboard.pages.directors_regions).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, dcc, html

from dashboard.catalogue import WHAT_KEYS
from dashboard.components import graph
from dashboard.inputs import as_text
from dashboard.pagekit import (
    SHARED_FILTER_KEYS,
    CardQuery,
    PageControl,
    PageIds,
    PageState,
    card,
    control_bar,
    note_children,
    notes_for,
    parse_page_state,
    register_card_tables,
    register_url_sync,
    run_query,
    shared_filter_controls,
)
from dashboard.pages import Page
from dashboard.pages import directors_regions as regions
from dashboard.views import Context, with_shown_names
from layers.hotspot_rank import hotspot_rank_figure
from layers.hotspots import (
    ACTIVITY_WORDING,
    METHOD_WORDING,
    hotspot_map_figure,
    summary_text,
)
from layers.quarterly import quarterly_users_figure
from layers.regions import profile_figure, region_compare_figure
from layers.style import NO_DATA, SUPPRESSED_TEXT, empty_figure, no_data_figure

IDS = PageIds("directors")
PATH = "/directors"
#: The element the thesis charted quarter by quarter (about 100 users a quarter).
DEFAULT_ELEMENT = "CHIRDRT"
#: Levels the hotspots are drawn at (the URL's ``level``); ward is the query layer's default.
HOTSPOT_LEVELS: tuple[tuple[str, str], ...] = (
    ("ward", "Wards"),
    ("district", "Postcode districts"),
)
AREA_WORDS = {"ward": "wards", "district": "postcode districts"}
QUARTERLY_WHAT_NOTE = (
    "The element chosen here decides what is counted: the service filter above does not apply."
)
REGION_LEGEND = f"{SUPPRESSED_TEXT}, hatched grey. [z] not applicable."


# --- state -------------------------------------------------------------------------------


def element_control(ctx: Context) -> PageControl:
    codes = [code for code, _ in ctx.choices.elements]
    default = DEFAULT_ELEMENT if DEFAULT_ELEMENT in codes else (codes[0] if codes else None)
    return PageControl(
        "element",
        "Element",
        "dropdown",
        tuple(ctx.choices.element_options()),
        default=default,
        clearable=False,
    )


def level_control() -> PageControl:
    return PageControl("level", "Areas", "radio", HOTSPOT_LEVELS, default="ward")


def controls(ctx: Context) -> tuple[PageControl, ...]:
    return (
        *shared_filter_controls(ctx.choices),
        element_control(ctx),
        level_control(),
        regions.region_set_control(ctx),
        regions.measure_control(),
    )


def shared_params(state: PageState, *, with_what: bool = True) -> dict[str, str]:
    keys = [k for k in SHARED_FILTER_KEYS if with_what or k not in WHAT_KEYS]
    return {k: state[k] for k in keys if state.get(k)}


def hotspot_level(state: PageState) -> str:
    level = state.get("level", "ward")
    return level if level in dict(HOTSPOT_LEVELS) else "ward"


def levels_shown(state: PageState) -> list[str]:
    """The levels the page's cards read: the filters offer what all of them publish."""
    return [hotspot_level(state), "region"]


def query_of(ctx: Context, name: str, state: PageState) -> CardQuery | None:
    """The query-layer view and parameters behind each single-view card of this page."""
    if name == "quarterly_users":
        element = state.get("element") or element_control(ctx).default or ""
        params = shared_params(state, with_what=False)
        return CardQuery("quarterly_users", {**params, "level": "city", "element": element})
    if name == "hotspots":
        params = {**shared_params(state), "level": hotspot_level(state)}
        return CardQuery("area_compare", {**params, "measure": "rate_per_1000"})
    if name == "regions_compare":
        return regions.compare_query(ctx, state, shared_params(state))
    if name == "area_profiles":
        return regions.profiles_query(ctx, state, shared_params(state))
    return None


# --- what each card shows (plain functions, tested without a browser) -----------------------


def hotspot_outputs(ctx: Context, state: PageState) -> tuple[Any, Any, str, list]:
    """(map, ranked chart, summary line, note) for a page state."""
    query = query_of(ctx, "hotspots", state) or CardQuery("area_compare")
    outcome = run_query(ctx, query)
    note = note_children(notes_for(ctx, outcome))
    if outcome.result is None:
        blank = empty_figure(outcome.message)
        return blank, blank, outcome.message, note
    level = hotspot_level(state)
    rows = with_shown_names(ctx, outcome.result.rows, level, with_code=True)
    if rows.empty:
        blank = no_data_figure()
        return blank, blank, NO_DATA + ".", note
    summary = summary_text(rows, AREA_WORDS[level])
    rank = hotspot_rank_figure(rows, area_word=AREA_WORDS[level])
    geometry = ctx.geometry
    if geometry is None or geometry.url(level) is None:
        message = "Map geometry is not available; the ranked chart has the same areas."
        return empty_figure(message), rank, summary, note
    figure = hotspot_map_figure(
        rows,
        geojson_url=geometry.url(level) or "",
        outline_url=geometry.url("boundary"),
        view=geometry.view("boundary"),
        revision=level,
    )
    return figure, rank, summary, note


def render_regions(ctx: Context, state: PageState) -> tuple[Any, list]:
    """(figure, note) of the regions compared: one view at level=region."""
    query = query_of(ctx, "regions_compare", state)
    assert query is not None
    outcome = run_query(ctx, query)
    note = note_children(notes_for(ctx, outcome))
    if outcome.result is None:
        return empty_figure(outcome.message), note
    _value, label, _view, kind = regions.chosen_measure(state)
    names = regions.region_names(regions.chosen_set(ctx, state))
    figure = region_compare_figure(outcome.result.rows, measure_label=label, kind=kind, names=names)
    return figure, note


def render_profiles(ctx: Context, state: PageState) -> tuple[Any, Any, list]:
    """(age figure, ethnicity figure, note) of the regions' profiles: one area_profiles view."""
    query = query_of(ctx, "area_profiles", state) or CardQuery("area_profiles")
    outcome = run_query(ctx, query)
    note = note_children(notes_for(ctx, outcome))
    if outcome.result is None:
        blank = empty_figure(outcome.message)
        return blank, blank, note
    ref = ctx.db.reference
    rows = outcome.result.rows.rename(columns={"area_name": "region"})
    figures = []
    for dimension, categories, label in (
        ("age_band", ref.age_bands, "Age band"),
        ("ethnic_group", ref.ethnic_groups, "Ethnic group"),
    ):
        shown = rows[rows["dimension"] == dimension]
        if shown.empty:
            withheld = outcome.result.meta.get("ethnicity_withheld") or NO_DATA
            figures.append(empty_figure(str(withheld)))
        else:
            figures.append(profile_figure(shown, categories=categories, dimension_label=label))
    return figures[0], figures[1], note


def render_quarterly(ctx: Context, state: PageState) -> tuple[Any, list]:
    query = query_of(ctx, "quarterly_users", state) or CardQuery("quarterly_users")
    outcome = run_query(ctx, query)
    lines = notes_for(ctx, outcome)
    if any(state.get(k) for k in WHAT_KEYS):
        lines.insert(0, QUARTERLY_WHAT_NOTE)
    if outcome.result is None:
        return empty_figure(outcome.message), note_children(lines)
    figure = quarterly_users_figure(
        outcome.result.rows, element_label=ctx.choices.element_label(query.params.get("element"))
    )
    return figure, note_children(lines)


# --- layout ------------------------------------------------------------------------------


def _wide(section: html.Section) -> html.Section:
    section.className = "card directors-wide"
    return section


def layout(ctx: Context) -> html.Div:
    hotspots = card(
        IDS,
        "hotspots",
        "Hotspots: service activity per 1,000 residents against the city",
        [
            html.P(ACTIVITY_WORDING, className="directors-activity"),
            control_bar(IDS, (level_control(),), label="Areas to compare"),
            html.P(
                id=IDS.element("hotspots-summary"), className="place", **{"aria-live": "polite"}
            ),
            html.Div(
                [
                    graph(IDS.graph("hotspots_map"), "Map of areas higher, similar or lower"),
                    html.Div(
                        graph(IDS.graph("hotspots_rank"), "Areas ranked by rate with intervals"),
                        className="directors-rank",
                        tabIndex="0",
                        **{"aria-label": "Ranked areas (scrolls)"},
                    ),
                ],
                className="directors-hotspots-body",
            ),
            html.P(METHOD_WORDING, className="hint"),
        ],
    )
    compared = card(
        IDS,
        "regions_compare",
        "Regions compared: the council's region sets",
        [
            control_bar(
                IDS,
                (regions.region_set_control(ctx), regions.measure_control()),
                label="Region set and measure",
            ),
            html.Div(
                [
                    html.Div(id=IDS.element("region-list"), className="directors-region-list"),
                    graph(IDS.graph("regions_map"), "Map of the regions' members"),
                ],
                className="directors-regions-body",
            ),
            graph(IDS.graph("regions_compare"), "Regions compared with the city"),
        ],
        legend=REGION_LEGEND,
    )
    profiles = card(
        IDS,
        "area_profiles",
        "Regions' age and ethnicity profiles",
        [
            graph(IDS.graph("regions_age"), "Age profile of each region"),
            graph(IDS.graph("regions_ethnicity"), "Ethnicity profile of each region"),
        ],
        legend=REGION_LEGEND,
    )
    quarterly = card(
        IDS,
        "quarterly_users",
        "Quarterly unique users of one element (whole city)",
        [
            control_bar(IDS, (element_control(ctx),), label="Element to follow"),
            graph(IDS.graph("quarterly_users"), "People per quarter"),
        ],
    )
    return html.Div(
        [
            dcc.Location(id=IDS.url, refresh=False),
            html.H2("Strategic directors: hotspots and regions", className="page-title"),
            control_bar(IDS, shared_filter_controls(ctx.choices), explain=True),
            html.Div(
                [_wide(hotspots), _wide(compared), profiles, quarterly],
                className="views",
            ),
        ],
        className="page directors-page",
    )


# --- callbacks ---------------------------------------------------------------------------


def register(app: dash.Dash, ctx: Context) -> None:
    register_url_sync(app, IDS, controls(ctx), ctx.choices, levels_of=levels_shown)
    register_card_tables(app, ctx, IDS, lambda name, state: query_of(ctx, name, state))

    @app.callback(
        Output(IDS.graph("quarterly_users"), "figure"),
        Output(IDS.note("quarterly_users"), "children"),
        Input(IDS.url, "search"),
    )
    def update_quarterly(search: str | None) -> tuple[Any, list]:
        return render_quarterly(ctx, parse_page_state(search))

    @app.callback(
        Output(IDS.graph("hotspots_map"), "figure"),
        Output(IDS.graph("hotspots_rank"), "figure"),
        Output(IDS.element("hotspots-summary"), "children"),
        Output(IDS.note("hotspots"), "children"),
        Input(IDS.url, "search"),
    )
    def update_hotspots(search: str | None) -> tuple:
        return hotspot_outputs(ctx, parse_page_state(search))

    @app.callback(
        Output(IDS.element("region-list"), "children"),
        Output(IDS.graph("regions_map"), "figure"),
        Input(IDS.control("region_set"), "value"),
    )
    def update_membership(set_id: str | None) -> tuple:
        chosen = regions.region_sets(ctx).get(as_text(set_id) or "")
        return regions.member_list(chosen), regions.membership_map(ctx, chosen)

    @app.callback(
        Output(IDS.graph("regions_compare"), "figure"),
        Output(IDS.note("regions_compare"), "children"),
        Input(IDS.url, "search"),
    )
    def update_regions(search: str | None) -> tuple:
        return render_regions(ctx, parse_page_state(search))

    @app.callback(
        Output(IDS.graph("regions_age"), "figure"),
        Output(IDS.graph("regions_ethnicity"), "figure"),
        Output(IDS.note("area_profiles"), "children"),
        Input(IDS.url, "search"),
    )
    def update_profiles(search: str | None) -> tuple:
        return render_profiles(ctx, parse_page_state(search))


PAGE = Page(
    path=PATH,
    title="Care Atlas: strategic directors",
    layout=layout,
    nav_label="Directors: hotspots and regions",
    register=register,
)
