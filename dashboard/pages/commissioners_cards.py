"""What each of the commissioners' cards shows for a page state: plain functions of the
context and the state, tested without a browser (dashboard.pages.commissioners wires them)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.components import data_table
from dashboard.pagekit import PageState, note_children, notes_for, run_query
from dashboard.pages.commissioners_state import (
    COMPARE_DROPS,
    COMPARE_DROPS_NOTE,
    COMPARE_NOTE,
    DIRECT_NOTE,
    MIDPOINT_NOTE,
    PROVISION_NOTE,
    cell_period_label,
    chosen_level,
    period_range,
    query_of,
)
from dashboard.views import Context, ViewOutcome, lettered_element, with_shown_names
from layers.commission_compare import difference_map_figure
from layers.elements import element_compare_figure
from layers.provision import CELL_DETAILS, city_value, provision_matrix_figure, share_map_figure
from layers.provision_moves import MOVES_RULE, moved_most, moves_figure, share_changes
from layers.style import empty_figure, name_and_code, no_data_figure

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
    query = query_of(ctx, "matrix", state)
    outcome = run_query(ctx, query)  # type: ignore[arg-type]
    if outcome.result is None:
        return empty_figure(outcome.message), note_children(notes_for(ctx, outcome))
    city = city_share(ctx, state)
    note = _share_notes(ctx, outcome, state, city)
    note.append(DIRECT_NOTE)
    if outcome.result.rows.empty:
        return no_data_figure(), note_children(note)
    detail = detail if detail in CELL_DETAILS else "people"
    level = query.params.get("level", "") if query is not None else ""
    rows = with_shown_names(ctx, outcome.result.rows, level)
    parts = outcome.result.meta.get("part_periods", {})
    figure = provision_matrix_figure(rows, city_share=city, detail=detail, parts=parts)
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
    changes = share_changes(
        with_shown_names(ctx, outcome.result.rows, chosen_level(state)), first, last
    )
    top = moved_most(changes)
    counts = changes["change_status"].value_counts()
    note.insert(
        1,
        f"{first} to {last}: of {len(changes)} areas, {int(counts.get('[c]', 0))} have a "
        f"withheld change [c] and {int(counts.get('[x]', 0))} no share in one of the periods [x].",
    )
    if top.empty:
        return (
            # Named, with the way out: the default range starts in a year of few people.
            empty_figure(
                f"No area has a published share in both {first} and {last}: "
                "choose a later first period."
            ),
            None,
            note_children(note),
        )
    table = pd.DataFrame(
        {
            "area": [
                name_and_code(n, c) for c, n in zip(top["area_code"], top["area_name"], strict=True)
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


def render_compare(ctx: Context, state: PageState) -> tuple[Any, Any, list]:
    """(side-by-side figure, difference map, note): element A vs B by area (Table 9, Fig 26)."""
    query = query_of(ctx, "compare", state)
    assert query is not None
    element_a, element_b = query.params["element_a"], query.params["element_b"]
    if element_a == element_b:
        message = "Choose two different elements to compare."
        return no_data_figure(message), no_data_figure(message), note_children([message])
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
        empty = no_data_figure()
        return empty, empty, note_children(note)
    label_a = lettered_element(ctx, element_a, "A")
    label_b = lettered_element(ctx, element_b, "B")
    rows = with_shown_names(ctx, rows, chosen_level(state))
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
