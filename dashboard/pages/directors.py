"""Strategic directors' page: hotspots, regions, and quarterly users of one element.

Every number comes from the query layer through the page's runner (protected and audited);
the page's state is its URL query string in the query layer's own parameter names:
the shared filters, ``level`` (ward or district, for the hotspots), ``regions`` (the region
builder's groups, e.g. ``North:B16+B18;East:B9``) and ``element`` (the quarterly chart).
Each card turns that state into its own query (the hotspots at the chosen level, the regions
at level=region), so a card's numbers are exactly the API's answer for those parameters.
"""

from __future__ import annotations

import re
from typing import Any

import dash
import pandas as pd
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash import ctx as callback_context

from dashboard.components import data_table
from dashboard.pagekit import (
    SHARED_FILTER_KEYS,
    CardQuery,
    PageControl,
    PageIds,
    PageState,
    build_page_search,
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
from dashboard.views import Context, ViewOutcome, download_payload
from layers.area_map import view_for_bounds
from layers.hotspots import (
    ACTIVITY_WORDING,
    METHOD_WORDING,
    MapGroup,
    category_map_figure,
    hotspot_map_figure,
    hotspot_rank_figure,
    summary_text,
)
from layers.quarterly import quarterly_users_figure
from layers.regions import (
    cost_per_person,
    profile_figure,
    region_colour,
    region_compare_figure,
)
from layers.style import empty_figure
from queries import FilterError, parse_filters
from queries.result import Column, ProtectedResult

MAX_REGIONS = 12  # the free-form region builder goes with issue 18 (region sets)
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

RegionSpec = tuple[str, tuple[str, ...]]
#: The thesis's three regional hotspots (Table 11, T:1612-1617): postcode districts chosen
#: for about 50,000 residents each and a high density of service users.
PRESET_REGIONS: tuple[RegionSpec, ...] = (
    ("North", ("B16", "B18", "B19", "B20", "B21")),
    ("East", ("B9", "B10", "B25", "B26", "B33")),
    ("South", ("B13", "B14", "B30", "B31")),
)
ETHNICITY_COARSE_ONLY = (
    "Ethnicity is shown for regions made of whole postcode districts only (district level or "
    "coarser): a region of wards shows [z]."
)
COST_PER_PERSON_NOTE = (
    "Cost per person: the region's published cost in the period / its published people, "
    "to 3 significant figures; withheld where either is."
)
AGE_FILTER_NOTE = (
    "The age profile covers every age band: the age band filter applies to the other charts "
    "(and to the ethnicity profile)."
)
TOTALS_NOTE = (
    "Each region's profile is that region's own demographics query; its shares are of the "
    "region's published total (a cell of its own)."
)


# --- state -------------------------------------------------------------------------------


def element_control(ctx: Context) -> PageControl:
    codes = [code for code, _ in ctx.choices.elements]
    default = DEFAULT_ELEMENT if DEFAULT_ELEMENT in codes else (codes[0] if codes else None)
    return PageControl(
        "element",
        "Element",
        "dropdown",
        tuple((c, f"{c} {d}".strip()) for c, d in ctx.choices.elements),
        default=default,
        clearable=False,
    )


def level_control() -> PageControl:
    return PageControl("level", "Areas", "radio", HOTSPOT_LEVELS, default="ward")


def controls(ctx: Context) -> tuple[PageControl, ...]:
    """Every control the URL sync owns. ``regions`` is not one: the builder writes it."""
    return (*shared_filter_controls(ctx.choices), element_control(ctx), level_control())


def shared_params(state: PageState, *, with_elements: bool = True) -> dict[str, str]:
    keys = [k for k in SHARED_FILTER_KEYS if with_elements or k != "elements"]
    return {k: state[k] for k in keys if state.get(k)}


def hotspot_level(state: PageState) -> str:
    level = state.get("level", "ward")
    return level if level in dict(HOTSPOT_LEVELS) else "ward"


def parse_regions(text: str | None) -> list[RegionSpec]:
    """The URL's ``regions`` as (name, members), leniently: the query layer validates."""
    out: list[RegionSpec] = []
    for part in (text or "").split(";"):
        name, sep, members = part.partition(":")
        codes = tuple(dict.fromkeys(m for m in re.split(r"[+\s]+", members) if m))
        if sep and name.strip() and codes:
            out.append((name.strip(), codes))
    return out


def format_regions(regions: list[RegionSpec]) -> str:
    return ";".join(f"{name}:{'+'.join(members)}" for name, members in regions)


def add_region(
    regions: list[RegionSpec], name: str | None, members: list[str] | None
) -> tuple[list[RegionSpec], str]:
    """The regions with ``name`` added (or replaced), and a message for the builder.

    A member already in another region is refused: side by side, regions must not overlap."""
    name = (name or "").strip()
    chosen = tuple(dict.fromkeys(m for m in (members or []) if m))
    if not name:
        return regions, "Give the region a name."
    if not chosen:
        return regions, f"Choose at least one district or ward for {name}."
    others = [r for r in regions if r[0] != name]
    taken = {m: r for r, ms in others for m in ms}
    clash = [m for m in chosen if m in taken]
    if clash:
        return regions, f"{', '.join(clash)} already in {taken[clash[0]]}: remove it there first."
    if len(others) >= MAX_REGIONS:
        return regions, f"At most {MAX_REGIONS} regions."
    replaced = len(others) < len(regions)
    updated = [r if r[0] != name else (name, chosen) for r in regions]
    if not replaced:
        updated.append((name, chosen))
    return updated, f"{'Updated' if replaced else 'Added'} {name}: {', '.join(chosen)}."


def remove_region(regions: list[RegionSpec], name: str) -> list[RegionSpec]:
    return [r for r in regions if r[0] != name]


def region_params(state: PageState, regions: list[RegionSpec]) -> dict[str, str]:
    return {**shared_params(state), "level": "region", "regions": format_regions(regions)}


def query_of(ctx: Context, name: str, state: PageState) -> CardQuery | None:
    """The query-layer view and parameters behind each card of this page."""
    if name == "quarterly_users":
        element = state.get("element") or element_control(ctx).default or ""
        params = shared_params(state, with_elements=False)
        return CardQuery("quarterly_users", {**params, "level": "city", "element": element})
    if name == "hotspots":
        params = {**shared_params(state), "level": hotspot_level(state)}
        return CardQuery("area_compare", {**params, "measure": "rate_per_1000"})
    return None


def check_regions(ctx: Context, text: str) -> str:
    """The query layer's own complaint about a regions value, or "" when it accepts it."""
    try:
        parse_filters({"level": "region", "regions": text}, ctx.db.reference)
    except FilterError as exc:
        return str(exc)
    return ""


def is_district_region(ctx: Context, members: tuple[str, ...]) -> bool:
    districts = ctx.choices.area_names.get("district", {})
    return all(m in districts for m in members)


# --- regions: queries and tables ---------------------------------------------------------


COMPARE_COLUMNS: tuple[Column, ...] = (
    Column("region", "area"),
    Column("members", "category"),
    Column("people", "count"),
    Column("people_status", "status"),
    Column("agreements", "count"),
    Column("agreements_status", "status"),
    Column("cost", "money"),
    Column("cost_status", "status"),
    Column("cost_per_person", "money"),
    Column("cost_per_person_status", "status"),
    Column("rate", "rate"),
    Column("rate_status", "status"),
    Column("lower95", "rate"),
    Column("upper95", "rate"),
    Column("comparison", "category"),
    Column("comparison_998", "category"),
)
PROFILE_COLUMNS: tuple[Column, ...] = (
    Column("region", "area"),
    Column("dimension", "category"),
    Column("category", "category"),
    Column("people", "count"),
    Column("people_status", "status"),
    Column("share", "share"),
    Column("share_status", "status"),
)


def _by_region(outcome: ViewOutcome) -> dict[str, dict]:
    if outcome.result is None:
        return {}
    return {str(r["area_code"]): r for r in outcome.result.rows.to_dict(orient="records")}


def region_compare(
    ctx: Context, state: PageState, regions: list[RegionSpec]
) -> tuple[ProtectedResult | None, list[str]]:
    """People, agreements, cost, cost per person and rate per region, side by side.

    Four query-layer answers at level=region (area_map for people, agreements and cost;
    area_compare for the rate); cost per person from the published cost and people of the
    same cell. Returns (table, note lines) or (None, [the message])."""
    base = region_params(state, regions)
    runs = {
        "people": run_query(ctx, CardQuery("area_map", {**base, "measure": "people"})),
        "agreements": run_query(
            ctx, CardQuery("area_map", {**base, "measure": "agreements_active"})
        ),
        "cost": run_query(ctx, CardQuery("area_map", {**base, "measure": "cost"})),
        "rate": run_query(ctx, CardQuery("area_compare", {**base, "measure": "rate_per_1000"})),
    }
    failed = next((o for o in runs.values() if o.result is None), None)
    if failed is not None:
        return None, [failed.message]
    people, agreements = _by_region(runs["people"]), _by_region(runs["agreements"])
    cost, rate = _by_region(runs["cost"]), _by_region(runs["rate"])
    records = []
    for name, members in regions:
        p, a, c, r = (
            people.get(name, {}),
            agreements.get(name, {}),
            cost.get(name, {}),
            rate.get(name, {}),
        )
        per_person, per_status = cost_per_person(
            c.get("value"),
            c.get("value_status", "[x]"),
            c.get("people"),
            c.get("people_status", "[c]"),
        )
        records.append(
            {
                "region": name,
                "members": " ".join(members),
                "people": p.get("value"),
                "people_status": p.get("value_status", "[x]"),
                "agreements": a.get("value"),
                "agreements_status": a.get("value_status", "[x]"),
                "cost": c.get("value"),
                "cost_status": c.get("value_status", "[x]"),
                "cost_per_person": per_person,
                "cost_per_person_status": per_status,
                "rate": r.get("value"),
                "rate_status": r.get("value_status", "[x]"),
                "lower95": r.get("lower95"),
                "upper95": r.get("upper95"),
                "comparison": r.get("comparison", ""),
                "comparison_998": r.get("comparison_998", ""),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=[c.name for c in COMPARE_COLUMNS])
    for column in COMPARE_COLUMNS:
        if column.kind in ("count", "money", "rate"):
            frame[column.name] = pd.to_numeric(frame[column.name], errors="coerce")
    first = runs["people"].result
    meta = dict(first.meta) if first is not None else {}
    meta.update(
        view="regions_compare",
        title="Regions side by side",
        definition=(
            "People and active agreements in the period(s); cost in period; cost per person; "
            "people per 1,000 residents with its 95% interval, compared with the city."
        ),
        notes=[*meta.get("notes", []), COST_PER_PERSON_NOTE],
    )
    lines = notes_for(ctx, runs["people"])
    lines.append(COST_PER_PERSON_NOTE)
    return ProtectedResult(list(COMPARE_COLUMNS), frame, meta), lines


def region_profiles(
    ctx: Context, state: PageState, regions: list[RegionSpec], dimension: str
) -> tuple[ProtectedResult | None, list[str]]:
    """Each region's own demographics (age band or ethnic group) from the query layer.

    Ethnicity only for regions of whole districts: others get [z] rows (no query is run)."""
    categories = (
        ctx.db.reference.age_bands if dimension == "age_band" else ctx.db.reference.ethnic_groups
    )
    frames, lines = [], []
    for name, members in regions:
        if dimension == "ethnic_group" and not is_district_region(ctx, members):
            frames.append(
                pd.DataFrame(
                    {
                        "region": name,
                        "dimension": dimension,
                        "category": list(categories),
                        "people": None,
                        "people_status": "[z]",
                        "share": None,
                        "share_status": "[z]",
                    }
                )
            )
            continue
        params = {**region_params(state, [(name, members)]), "dimension": dimension}
        if dimension == "age_band":
            params.pop("age_bands", None)  # a profile of one band alone says nothing
        outcome = run_query(ctx, CardQuery("demographics", params))
        if outcome.result is None:
            return None, [outcome.message]
        if not lines:
            lines = notes_for(ctx, outcome)
        frames.append(outcome.result.rows.assign(region=name))
    if not frames:
        return None, ["No regions."]
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[[c.name for c in PROFILE_COLUMNS]]
    frame["people"] = pd.to_numeric(frame["people"], errors="coerce").astype("Int64")
    frame["share"] = pd.to_numeric(frame["share"], errors="coerce")
    lines.append(TOTALS_NOTE)
    if dimension == "age_band" and state.get("age_bands"):
        lines.append(AGE_FILTER_NOTE)
    if dimension == "ethnic_group":
        lines.append(ETHNICITY_COARSE_ONLY)
    meta = {"view": f"regions_{dimension}", "title": f"Regions by {dimension}", "notes": lines}
    return ProtectedResult(list(PROFILE_COLUMNS), frame, meta), lines


# --- layout ------------------------------------------------------------------------------


def _region_builder(ctx: Context) -> html.Div:
    kind_id, members_id, name_id = (
        IDS.element("region-kind"),
        IDS.element("region-members"),
        IDS.element("region-name"),
    )
    preset_text = "; ".join(f"{n}: {', '.join(m)}" for n, m in PRESET_REGIONS)
    return html.Div(
        [
            html.Div(
                [
                    html.Button(
                        "Use the thesis's North / East / South",
                        id=IDS.element("region-preset"),
                        className="button",
                        n_clicks=0,
                        title=preset_text,
                    ),
                    html.Button(
                        "Clear all regions",
                        id=IDS.element("region-clear"),
                        className="link-button",
                        n_clicks=0,
                    ),
                ],
                className="directors-builder-row",
            ),
            html.P(f"Thesis regions (Table 11): {preset_text}.", className="hint"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Region name", htmlFor=name_id),
                            dcc.Input(
                                id=name_id,
                                type="text",
                                maxLength=40,
                                placeholder="e.g. North West",
                                debounce=False,
                            ),
                        ],
                        className="field",
                    ),
                    html.Div(
                        [
                            html.Label("Build from", htmlFor=kind_id),
                            dcc.RadioItems(
                                id=kind_id,
                                options=[
                                    {"label": "Postcode districts", "value": "district"},
                                    {"label": "Wards", "value": "ward"},
                                ],
                                value="district",
                                inline=True,
                            ),
                        ],
                        className="field",
                    ),
                    html.Div(
                        [
                            html.Label("Members", htmlFor=members_id),
                            dcc.Dropdown(
                                id=members_id,
                                options=member_options(ctx, "district"),
                                multi=True,
                                value=[],
                                placeholder="choose areas",
                            ),
                        ],
                        className="field directors-members",
                    ),
                    html.Button(
                        "Add or update region",
                        id=IDS.element("region-add"),
                        className="button",
                        n_clicks=0,
                    ),
                ],
                className="filter-bar directors-builder",
                **{"aria-label": "Build a region"},
            ),
            html.P(
                id=IDS.element("region-message"),
                className="directors-message",
                **{"aria-live": "polite"},
            ),
            html.Div(id=IDS.element("region-list"), className="directors-region-list"),
            dcc.Store(id=IDS.element("regions-drawn")),
        ]
    )


def member_options(ctx: Context, kind: str) -> list[dict[str, str]]:
    names = ctx.choices.area_names.get(kind, {})
    if kind == "district":
        codes = sorted(names, key=_district_order)
        return [{"label": code, "value": code} for code in codes]
    return [
        {"label": f"{name} ({code})", "value": code}
        for code, name in sorted(names.items(), key=lambda item: item[1])
    ]


def _district_order(code: str) -> tuple[str, int]:
    match = re.match(r"([A-Z]+)(\d+)", code)
    return (match.group(1), int(match.group(2))) if match else (code, 0)


def _own_downloads(view: str) -> html.Div:
    """CSV / XLSX of a card whose table combines several query-layer answers.

    The ids carry type csv / xlsx, so the audit log records a click as an export."""
    own = f"{IDS.page}-own"
    return html.Div(
        [
            html.Button(
                "Download CSV",
                id={"type": "csv", "view": view, "page": own},
                className="button",
                n_clicks=0,
            ),
            html.Button(
                "Download XLSX",
                id={"type": "xlsx", "view": view, "page": own},
                className="button",
                n_clicks=0,
            ),
            dcc.Download(id={"type": "download", "view": view, "page": own}),
        ],
        className="downloads",
    )


def _table_details(view: str) -> html.Details:
    return html.Details(
        [
            html.Summary("Show table"),
            html.Div(id=IDS.element(f"{view}-table"), className="table-wrap"),
        ]
    )


def _wide(section: html.Section, extra: str = "") -> html.Section:
    section.className = f"card directors-wide {extra}".strip()
    return section


def layout(ctx: Context) -> html.Div:
    element = element_control(ctx)
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
    regions = html.Section(
        [
            html.H2("Regions: build, then compare side by side", id=IDS.element("title-regions")),
            html.P(
                "Group postcode districts or wards into named regions. The regions are kept "
                "in the page's address, so a link shares them.",
                className="hint",
            ),
            _region_builder(ctx),
            graph(IDS.graph("regions_map"), "Map of the regions' members"),
            graph(IDS.graph("regions_compare"), "Regions side by side"),
            html.Div(id=IDS.element("regions-compare-note"), className="note"),
            html.P(
                "[c] suppressed: fewer than 10 (hatched grey). [z] not applicable.",
                className="legend-note",
            ),
            _own_downloads("regions_compare"),
            _table_details("regions-compare"),
        ],
        className="card directors-wide",
        **{"aria-labelledby": IDS.element("title-regions")},
    )
    profiles = html.Section(
        [
            html.H2("Regions' age and ethnicity profiles", id=IDS.element("title-profiles")),
            graph(IDS.graph("regions_age"), "Age profile of each region"),
            graph(IDS.graph("regions_ethnicity"), "Ethnicity profile of each region"),
            html.Div(id=IDS.element("regions-profile-note"), className="note"),
            html.P(
                "[c] suppressed: fewer than 10 (hatched grey). [z] not applicable.",
                className="legend-note",
            ),
            _own_downloads("regions_profiles"),
            _table_details("regions-profiles"),
        ],
        className="card",
        **{"aria-labelledby": IDS.element("title-profiles")},
    )
    quarterly = card(
        IDS,
        "quarterly_users",
        "Quarterly unique users of one element (whole city)",
        [
            control_bar(IDS, (element,), label="Element to follow"),
            graph(IDS.graph("quarterly_users"), "People per quarter"),
        ],
    )
    return html.Div(
        [
            dcc.Location(id=IDS.url, refresh=False),
            html.H2("Strategic directors: hotspots and regions", className="page-title"),
            control_bar(IDS, shared_filter_controls(ctx.choices)),
            html.Div(
                [_wide(hotspots), regions, profiles, quarterly],
                className="views",
            ),
        ],
        className="page directors-page",
    )


# --- callbacks ---------------------------------------------------------------------------


def hotspot_outputs(ctx: Context, state: PageState) -> tuple[Any, Any, str, list]:
    """(map, ranked chart, summary line, note) for a page state."""
    query = query_of(ctx, "hotspots", state) or CardQuery("area_compare")
    outcome = run_query(ctx, query)
    note = note_children(notes_for(ctx, outcome))
    if outcome.result is None:
        blank = empty_figure(outcome.message)
        return blank, blank, outcome.message, note
    rows = outcome.result.rows
    level = hotspot_level(state)
    if rows.empty:
        blank = empty_figure("No areas for these filters.")
        return blank, blank, "No areas for these filters.", note
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


def placeholder(message: str) -> Any:
    """A short blank chart that says why it is blank (no regions yet, a refused value)."""
    figure = empty_figure(message)
    figure.update_layout(height=140)
    return figure


def regions_map(ctx: Context, regions: list[RegionSpec]) -> Any:
    """Members of each region in the region's colour (no numbers: membership only)."""
    geometry = ctx.geometry
    if not regions:
        return placeholder("No regions yet: use the thesis's regions or build your own.")
    if geometry is None:
        return empty_figure("Map geometry is not available; the list above names the members.")
    groups = []
    for index, (name, members) in enumerate(regions):
        for level in ("district", "ward"):
            names = ctx.choices.area_names.get(level, {})
            codes = [m for m in members if m in names]
            url = geometry.url(level)
            if codes and url:
                groups.append(
                    MapGroup(
                        name=name,
                        colour=region_colour(index),
                        geojson_url=url,
                        locations=codes,
                        hover=[f"<b>{name}</b><br>{names[c]} ({c})" for c in codes],
                    )
                )
    bounds = geometry.bounds("boundary") or geometry.bounds("ward")
    view = view_for_bounds(bounds, height_px=440) if bounds else geometry.view("boundary")
    return category_map_figure(
        groups,
        outline_url=geometry.url("boundary"),
        view=view,
        revision="regions",
        height=440,
    )


def region_list(regions: list[RegionSpec]) -> Any:
    if not regions:
        return html.P("No regions yet.", className="hint")
    items = []
    for index, (name, members) in enumerate(regions):
        items.append(
            html.Li(
                [
                    html.Span(
                        className="directors-swatch",
                        style={"background": region_colour(index)},
                        **{"aria-hidden": "true"},
                    ),
                    html.Strong(name),
                    html.Span(f": {', '.join(members)} "),
                    html.Button(
                        "Remove",
                        id={"type": "region-remove", "page": IDS.page, "name": name},
                        className="link-button",
                        n_clicks=0,
                        **{"aria-label": f"Remove region {name}"},
                    ),
                ]
            )
        )
    return html.Ul(items)


def builder_update(
    trigger: object, clicked: bool, search: str | None, name: str | None, members: list | None
) -> tuple[str | None, str]:
    """(new search or None, message) after a builder button; pure, for tests."""
    state = parse_page_state(search)
    regions = parse_regions(state.get("regions"))
    if not clicked:
        return None, ""
    message = ""
    if trigger == IDS.element("region-preset"):
        regions = list(PRESET_REGIONS)
        message = "The thesis's North, East and South regions."
    elif trigger == IDS.element("region-clear"):
        regions, message = [], "All regions removed."
    elif trigger == IDS.element("region-add"):
        regions, message = add_region(regions, name, members)
    elif isinstance(trigger, dict) and trigger.get("type") == "region-remove":
        regions = remove_region(regions, str(trigger.get("name")))
        message = f"Removed {trigger.get('name')}."
    else:
        return None, ""
    if regions:
        state["regions"] = format_regions(regions)
    else:
        state.pop("regions", None)
    return build_page_search(state), message


def register(app: dash.Dash, ctx: Context) -> None:
    register_url_sync(app, IDS, controls(ctx), ctx.choices)
    register_card_tables(app, ctx, IDS, lambda name, state: query_of(ctx, name, state))

    @app.callback(
        Output(IDS.graph("quarterly_users"), "figure"),
        Output(IDS.note("quarterly_users"), "children"),
        Input(IDS.url, "search"),
    )
    def update_quarterly(search: str | None) -> tuple[Any, list]:
        state = parse_page_state(search)
        query = query_of(ctx, "quarterly_users", state) or CardQuery("quarterly_users")
        outcome = run_query(ctx, query)
        if outcome.result is None:
            return empty_figure(outcome.message), note_children(notes_for(ctx, outcome))
        names = dict(ctx.choices.elements)
        code = query.params.get("element", "")
        figure = quarterly_users_figure(
            outcome.result.rows, element_label=f"{code} {names.get(code, '')}".strip()
        )
        return figure, note_children(notes_for(ctx, outcome))

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
        Output(IDS.element("region-members"), "options"),
        Output(IDS.element("region-members"), "value"),
        Input(IDS.element("region-kind"), "value"),
    )
    def member_choices(kind: str | None) -> tuple[list, list]:
        return member_options(ctx, kind or "district"), []

    @app.callback(
        Output(IDS.url, "search", allow_duplicate=True),
        Output(IDS.element("region-message"), "children"),
        Input(IDS.element("region-preset"), "n_clicks"),
        Input(IDS.element("region-clear"), "n_clicks"),
        Input(IDS.element("region-add"), "n_clicks"),
        Input({"type": "region-remove", "page": IDS.page, "name": ALL}, "n_clicks"),
        State(IDS.url, "search"),
        State(IDS.element("region-name"), "value"),
        State(IDS.element("region-members"), "value"),
        prevent_initial_call=True,
    )
    def build(*args: Any) -> tuple:
        search, name, members = args[-3:]
        triggered = callback_context.triggered
        clicked = bool(triggered and triggered[0].get("value"))
        new_search, message = builder_update(
            callback_context.triggered_id, clicked, search, name, members
        )
        if new_search is None:
            return no_update, message or no_update
        return (no_update if new_search == (search or "") else new_search), message

    @app.callback(
        Output(IDS.element("region-list"), "children"),
        Output(IDS.graph("regions_map"), "figure"),
        Output(IDS.element("regions-drawn"), "data"),
        Input(IDS.url, "search"),
        State(IDS.element("regions-drawn"), "data"),
    )
    def update_membership(search: str | None, drawn: str | None) -> tuple:
        # Membership changes only with the regions: a filter change leaves the map alone.
        regions = parse_regions(parse_page_state(search).get("regions"))
        text = format_regions(regions)
        if drawn is not None and text == drawn:
            return no_update, no_update, no_update
        return region_list(regions), regions_map(ctx, regions), text

    @app.callback(
        Output(IDS.graph("regions_compare"), "figure"),
        Output(IDS.element("regions-compare-note"), "children"),
        Output(IDS.element("regions-compare-table"), "children"),
        Input(IDS.url, "search"),
    )
    def update_regions(search: str | None) -> tuple:
        state = parse_page_state(search)
        regions = parse_regions(state.get("regions"))
        if not regions:
            return placeholder("No regions to compare yet."), [], html.P("No regions yet.")
        problem = check_regions(ctx, format_regions(regions))
        if problem:
            message = f"These regions cannot be shown: {problem}"
            return empty_figure(message), [html.P(message)], html.P(message)
        table, lines = region_compare(ctx, state, regions)
        if table is None:
            return empty_figure(lines[0]), note_children(lines), None
        figure = region_compare_figure(table.rows)
        caption = "Regions side by side (published values)"
        return figure, note_children(lines), data_table(table.rows, caption)

    @app.callback(
        Output(IDS.graph("regions_age"), "figure"),
        Output(IDS.graph("regions_ethnicity"), "figure"),
        Output(IDS.element("regions-profile-note"), "children"),
        Output(IDS.element("regions-profiles-table"), "children"),
        Input(IDS.url, "search"),
    )
    def update_profiles(search: str | None) -> tuple:
        state = parse_page_state(search)
        regions = parse_regions(state.get("regions"))
        if not regions:
            blank = placeholder("No regions to compare yet.")
            return blank, blank, [], html.P("No regions yet.")
        problem = check_regions(ctx, format_regions(regions))
        if problem:
            blank = empty_figure(f"These regions cannot be shown: {problem}")
            return blank, blank, [], None
        ref = ctx.db.reference
        age, age_lines = region_profiles(ctx, state, regions, "age_band")
        ethnic, ethnic_lines = region_profiles(ctx, state, regions, "ethnic_group")
        figures = []
        for result, lines, categories, label in (
            (age, age_lines, ref.age_bands, "Age band"),
            (ethnic, ethnic_lines, ref.ethnic_groups, "Ethnic group"),
        ):
            if result is None:
                figures.append(empty_figure(lines[0]))
            else:
                figures.append(
                    profile_figure(result.rows, categories=categories, dimension_label=label)
                )
        lines = list(dict.fromkeys([*age_lines, *ethnic_lines]))
        tables = [
            data_table(r.rows, f"Regions by {d} (published values)")
            for r, d in ((age, "age band"), (ethnic, "ethnic group"))
            if r is not None
        ]
        return figures[0], figures[1], note_children(lines), tables

    own = f"{IDS.page}-own"

    @app.callback(
        Output({"type": "download", "view": "regions_compare", "page": own}, "data"),
        Input({"type": "csv", "view": "regions_compare", "page": own}, "n_clicks"),
        Input({"type": "xlsx", "view": "regions_compare", "page": own}, "n_clicks"),
        State(IDS.url, "search"),
        prevent_initial_call=True,
    )
    def download_compare(_csv: int, _xlsx: int, search: str | None) -> Any:
        state = parse_page_state(search)
        regions = parse_regions(state.get("regions"))
        if not regions or check_regions(ctx, format_regions(regions)):
            return no_update
        table, lines = region_compare(ctx, state, regions)
        return _payload(table, lines, "regions_compare")

    @app.callback(
        Output({"type": "download", "view": "regions_profiles", "page": own}, "data"),
        Input({"type": "csv", "view": "regions_profiles", "page": own}, "n_clicks"),
        Input({"type": "xlsx", "view": "regions_profiles", "page": own}, "n_clicks"),
        State(IDS.url, "search"),
        prevent_initial_call=True,
    )
    def download_profiles(_csv: int, _xlsx: int, search: str | None) -> Any:
        state = parse_page_state(search)
        regions = parse_regions(state.get("regions"))
        if not regions or check_regions(ctx, format_regions(regions)):
            return no_update
        age, age_lines = region_profiles(ctx, state, regions, "age_band")
        ethnic, ethnic_lines = region_profiles(ctx, state, regions, "ethnic_group")
        if age is None or ethnic is None:
            return no_update
        both = ProtectedResult(
            list(PROFILE_COLUMNS),
            pd.concat([age.rows, ethnic.rows], ignore_index=True),
            {**age.meta, "view": "regions_profiles", "notes": [*age_lines, *ethnic_lines]},
        )
        return _payload(both, [], "regions_profiles")


def _payload(result: ProtectedResult | None, lines: list[str], name: str) -> Any:
    trigger = callback_context.triggered_id
    if result is None or not isinstance(trigger, dict):
        return no_update
    payload = download_payload(ViewOutcome(result, " ".join(lines)), name, str(trigger["type"]))
    return payload if isinstance(payload, dict) else no_update


PAGE = Page(
    path=PATH,
    title="Care Atlas: strategic directors",
    layout=layout,
    nav_label="Directors: hotspots and regions",
    register=register,
)
