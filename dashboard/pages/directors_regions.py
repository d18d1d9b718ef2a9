"""The directors' regions: a picker of the council's region sets (fixed at build time, PRIVACY.md
v2 §2: no region is defined by a user at run time), their membership map, the regions compared
and each region's age and ethnicity profile.

Every number is one query-layer view at ``level=region&region_set=<set id>``: the comparison is
``area_compare`` (a rate or share with its interval against the city; ``area_map`` for
people, agreements and cost, which area_compare does not compare), the profiles are
``area_profiles`` (every region's age and ethnicity profile, each the same cells as that
region's own ``demographics``). Membership is reference data (the served ``region_members``).
"""

from __future__ import annotations

import html as html_text
from typing import Any

from dashboard.choices import RegionSet
from dashboard.pagekit import CardQuery, PageControl, PageState
from dashboard.views import Context
from layers.area_map import view_for_bounds
from layers.hotspots import MapGroup, category_map_figure
from layers.regions import region_colour
from layers.style import empty_figure

DEFAULT_SET = "nes"
#: The regions card's measures: (URL value, label, the view that publishes it, value kind).
#: area_compare compares rates and shares with the city (95% intervals); counts and money are
#: area_map's published values (no interval).
REGION_MEASURES: tuple[tuple[str, str, str, str], ...] = (
    ("rate_per_1000", "People per 1,000 residents", "area_compare", "rate"),
    ("internal_share", "Internal share of people", "area_compare", "share"),
    ("people", "People", "area_map", "count"),
    ("agreements_active", "Active agreements", "area_map", "count"),
    ("agreements_started", "Agreements started", "area_map", "count"),
    ("cost", "Cost in period", "area_map", "money"),
)


def region_sets(ctx: Context) -> dict[str, RegionSet]:
    return ctx.choices.region_sets


def default_set(ctx: Context) -> str | None:
    sets = region_sets(ctx)
    return DEFAULT_SET if DEFAULT_SET in sets else next(iter(sets), None)


def region_set_control(ctx: Context) -> PageControl:
    sets = region_sets(ctx)
    return PageControl(
        "region_set",
        "Region set",
        "dropdown",
        tuple((set_id, f"{s.name} ({set_id})") for set_id, s in sets.items()),
        default=default_set(ctx),
        clearable=False,
    )


def measure_control() -> PageControl:
    return PageControl(
        "measure",
        "Compare by",
        "dropdown",
        tuple((value, label) for value, label, _view, _kind in REGION_MEASURES),
        default=REGION_MEASURES[0][0],
        clearable=False,
    )


def chosen_set(ctx: Context, state: PageState) -> RegionSet | None:
    """The state's region set; None when the database has none or the URL names an unknown one
    (the query layer then says so, naming the field)."""
    return region_sets(ctx).get(state.get("region_set") or default_set(ctx) or "")


def chosen_measure(state: PageState) -> tuple[str, str, str, str]:
    by_value = {m[0]: m for m in REGION_MEASURES}
    return by_value.get(state.get("measure", ""), REGION_MEASURES[0])


def region_params(ctx: Context, state: PageState, shared: dict[str, str]) -> dict[str, str]:
    set_id = state.get("region_set") or default_set(ctx) or DEFAULT_SET
    return {**shared, "level": "region", "region_set": set_id}


def compare_query(ctx: Context, state: PageState, shared: dict[str, str]) -> CardQuery:
    """The one view behind the regions compared: area_compare (area_map for cost)."""
    value, _label, view, _kind = chosen_measure(state)
    return CardQuery(view, {**region_params(ctx, state, shared), "measure": value})


def profiles_query(ctx: Context, state: PageState, shared: dict[str, str]) -> CardQuery:
    """The one view behind the regions' profiles: area_profiles of the chosen set."""
    return CardQuery("area_profiles", region_params(ctx, state, shared))


def region_names(regions: RegionSet | None) -> dict[str, str]:
    return {code: name for code, (name, _m) in (regions.regions.items() if regions else [])}


def membership_map(ctx: Context, regions: RegionSet | None) -> Any:
    """Members of each region in the region's colour (no numbers: membership only)."""
    if regions is None or not regions.regions:
        return empty_figure("No region sets in this database.")
    geometry = ctx.geometry
    if geometry is None or geometry.url(regions.kind) is None:
        return empty_figure("Map geometry is not available; the list names the members.")
    names = ctx.choices.area_names.get(regions.kind, {})
    groups = []
    for index, (name, members) in enumerate(regions.regions.values()):
        shown = html_text.escape(name, quote=False)
        groups.append(
            MapGroup(
                name=shown,
                colour=region_colour(index),
                geojson_url=geometry.url(regions.kind) or "",
                locations=list(members),
                hover=[
                    f"<b>{shown}</b><br>"
                    + html_text.escape(f"{names.get(c, c)} ({c})", quote=False)
                    for c in members
                ],
            )
        )
    bounds = geometry.bounds("boundary") or geometry.bounds("ward")
    view = view_for_bounds(bounds, height_px=440) if bounds else geometry.view("boundary")
    return category_map_figure(
        groups,
        outline_url=geometry.url("boundary"),
        view=view,
        revision=f"regions-{regions.set_id}",
        height=440,
    )


def member_list(regions: RegionSet | None) -> list:
    """Each region's members, in its colour (text, never markup)."""
    from dash import html

    if regions is None:
        return [html.P("No region set chosen.", className="hint")]
    items = []
    for index, (name, members) in enumerate(regions.regions.values()):
        items.append(
            html.Li(
                [
                    html.Span(
                        className="directors-swatch",
                        style={"background": region_colour(index)},
                        **{"aria-hidden": "true"},
                    ),
                    html.Strong(name),
                    html.Span(f": {', '.join(members)}"),
                ]
            )
        )
    kind = "postcode districts" if regions.kind == "district" else "wards"
    return [
        html.P(f"{regions.name}: regions of whole {kind}, fixed by the council.", className="hint"),
        html.Ul(items),
    ]
