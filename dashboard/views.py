"""What each view shows for a URL state: figure, note and table, from the query layer only.

These are the bodies of the dashboard's callbacks, written as plain functions of a
:class:`Context` and a state so they are tested without a browser. Every number comes from
``queries.run_view``; a filter the query layer rejects becomes a message, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalogue import WHAT_KEYS, list_problem, one_cell_period
from dashboard.choices import Choices
from dashboard.geometry import GeometryStore
from dashboard.state import (
    DEFAULT_MEASURE,
    State,
    place_label,
    selected_place,
    view_params,
)
from layers.elements import element_compare_figure, elements_figure
from layers.matrix import HIGHLIGHT_MODES, highlight_note, matrix_figure
from layers.style import (
    MEASURE_LABELS,
    empty_figure,
    no_data_figure,
)
from layers.trend import TARGETS_NOTE, trend_figure
from queries import FilterError, ProtectedResult, parse_filters, run_view
from queries.export import csv_text, file_name, xlsx_bytes

log = logging.getLogger(__name__)

COMPARE_WHAT_NOTE = (
    "The two elements chosen here decide what is counted: the services filter does not apply."
)

#: The views with a chart on the first page, in presenting order.
PAGE_VIEWS: tuple[str, ...] = ("matrix", "area_map", "elements", "element_compare", "trend")
#: Views with one cell per area or element: one period or a preset range (PRIVACY.md v2 §2).
#: The others (matrix, trend, provision, quarterly_users) show each period of their range.
ONE_CELL_VIEWS: frozenset[str] = frozenset(
    {"area_map", "elements", "element_compare", "enablement", "area_compare", "demographics"}
)


@dataclass
class Context:
    """What the callbacks share: the open database, geometry and control options."""

    db: Any  # queries.Database
    choices: Choices
    geometry: GeometryStore | None = None
    #: run_view, or the app's role-aware, audited wrapper of it (auth.guard.GuardedRunner).
    runner: Callable[..., ProtectedResult] = run_view

    @property
    def synthetic(self) -> bool:
        return str(self.db.meta.get("synthetic", "")).lower() in ("true", "1", "yes")


@dataclass(frozen=True)
class ViewOutcome:
    """A view's result, or the message that replaces it."""

    result: ProtectedResult | None
    message: str = ""


def cell_params(ctx: Context, view: str, params: dict[str, str]) -> tuple[dict[str, str], str]:
    """The parameters a view runs with, and a notice when its period was narrowed: a view with
    one cell per area shows the last period of a range the catalogue does not publish."""
    if view in ONE_CELL_VIEWS:
        return one_cell_period(params, ctx.choices)
    return params, ""


def run(ctx: Context, view: str, params: dict[str, str]) -> ViewOutcome:
    """Run one view through the query layer; errors become a message for the page.

    A list or a free-form region (an old link) is refused here, naming the field, as the query
    layer refuses it: no request the catalogue cannot answer leaves the page."""
    problem = list_problem(params)
    if problem is not None:
        return ViewOutcome(None, f"These filters cannot be shown: {problem[1]}")
    params, notice = cell_params(ctx, view, params)
    try:
        filters = parse_filters(params, ctx.db.reference)
        result = ctx.runner(ctx.db, view, filters)
    except FilterError as exc:
        return ViewOutcome(None, f"These filters cannot be shown: {exc}")
    except Exception:  # one view failing must not blank the page or leak a traceback
        log.exception("view %s failed for %s", view, params)
        return ViewOutcome(None, "This view could not be drawn. Please try other filters.")
    if notice:
        meta = {**result.meta, "notes": [notice, *(result.meta.get("notes") or [])]}
        result = ProtectedResult(result.columns, result.rows, meta)
    return ViewOutcome(result)


def compare_params(ctx: Context, state: State) -> dict[str, str]:
    """Element compare parameters, defaulting A and B to the two largest elements shown."""
    params = view_params(state, "element_compare")
    if params.get("element_a") and params.get("element_b"):
        return params
    without_what = {k: v for k, v in state.items() if k not in WHAT_KEYS}
    top = run(ctx, "elements", view_params(without_what, "elements")).result
    codes = [] if top is None else [str(c) for c in top.rows["element_code"]]
    for key in ("element_a", "element_b"):
        if not params.get(key):
            spare = [
                c for c in codes if c not in (params.get("element_a"), params.get("element_b"))
            ]
            if spare:
                params[key] = spare[0]
    return params


def params_for(ctx: Context, view: str, state: State) -> dict[str, str]:
    return compare_params(ctx, state) if view == "element_compare" else view_params(state, view)


def column_kind(result: ProtectedResult, name: str, default: str = "count") -> str:
    for column in result.columns:
        if column.name == name:
            return str(column.kind)
    return default


def note_text(result: ProtectedResult, synthetic: bool) -> list[str]:
    """The definition, denominator, data date and rule lines under a view."""
    meta = result.meta
    lines = []
    if meta.get("definition"):
        lines.append(f"Definition: {meta['definition']}")
    if meta.get("denominator"):
        lines.append(f"Denominator: {meta['denominator']}")
    if meta.get("data_date"):
        lines.append(f"Data to {meta['data_date']} (build {meta.get('build_id', 'unknown')}).")
    if meta.get("rule"):
        lines.append(f"Disclosure control: {meta['rule']}")
    for extra in meta.get("notes") or []:
        lines.append(str(extra))
    if synthetic:
        lines.append("Synthetic data: not real people.")
    return lines


def _measure(state: State) -> str:
    measure = state.get("measure", DEFAULT_MEASURE)
    return measure if measure in MEASURE_LABELS else DEFAULT_MEASURE


# --- matrix ------------------------------------------------------------------------------


def render_matrix(ctx: Context, state: State) -> tuple[go.Figure, list, str]:
    """(figure, note, the rule of the chosen highlight)."""
    highlight = state.get("highlight", "none")
    highlight = highlight if highlight in HIGHLIGHT_MODES else "none"
    outcome = run(ctx, "matrix", view_params(state, "matrix"))
    if outcome.result is None:
        return empty_figure(outcome.message), [outcome.message], ""
    result = outcome.result
    if result.rows.empty:
        return no_data_figure(), note_text(result, ctx.synthetic), ""
    rows = with_shown_names(ctx, result.rows, view_params(state, "matrix").get("level", ""))
    parts = result.meta.get("part_periods", {})
    fig = matrix_figure(
        rows,
        kind=column_kind(result, "value"),
        measure_label=MEASURE_LABELS[_measure(state)],
        highlight=highlight,
        parts=parts,
    )
    return fig, note_text(result, ctx.synthetic), highlight_note(rows, highlight, parts)


def with_shown_names(
    ctx: Context, rows: pd.DataFrame, level: str, *, with_code: bool = False
) -> pd.DataFrame:
    """Rows whose bare-code names (postcode districts, sectors) are given the reference's
    name for them (dashboard.choices.shown_area_names), so a row reads "B31 Northfield".
    ``with_code`` puts the code in front of such a name, for charts that show names alone
    (several districts share a ward's name)."""
    names = ctx.choices.area_names.get(level) or {}
    if rows.empty or not names:
        return rows
    codes = rows["area_code"].astype(str)
    shown = rows["area_name"].fillna("").astype(str)
    bare = (shown == codes) | (shown == "")
    named = codes.map(names).fillna(codes)
    if with_code:
        named = (codes + " " + named).where(named != codes, codes)
    return rows.assign(area_name=shown.where(~bare, named))


# --- elements ----------------------------------------------------------------------------


def _place(ctx: Context, state: State) -> str:
    place = selected_place(state)
    names = {place[1]: ctx.choices.name_of(*place) or place[1]} if place else {}
    return place_label(state, names)


def render_elements(ctx: Context, state: State) -> tuple[go.Figure, list]:
    outcome = run(ctx, "elements", view_params(state, "elements"))
    if outcome.result is None:
        return empty_figure(outcome.message), [outcome.message]
    if outcome.result.rows.empty:
        return no_data_figure(), note_text(outcome.result, ctx.synthetic)
    fig = elements_figure(outcome.result.rows, place_label=_place(ctx, state))
    return fig, note_text(outcome.result, ctx.synthetic)


def lettered_element(ctx: Context, code: str | None, letter: str) -> str:
    """A compared element's legend name: "A: Home Support, 65 Plus (OAHSUP)"."""
    return f"{letter}: {ctx.choices.element_label(code)}"


#: What the compare card says until it has two different elements to compare.
CHOOSE_TWO = "Choose two elements to compare."


def render_compare(ctx: Context, state: State) -> tuple[go.Figure, list]:
    params = compare_params(ctx, state)
    a, b = params.get("element_a"), params.get("element_b")
    if not a or not b or a == b:  # the query layer's refusal names fields; people need a step
        return no_data_figure(CHOOSE_TWO), [CHOOSE_TWO]
    outcome = run(ctx, "element_compare", params)
    if outcome.result is None:
        return empty_figure(outcome.message), [outcome.message]
    if outcome.result.rows.empty:
        return no_data_figure(), note_text(outcome.result, ctx.synthetic)
    fig = element_compare_figure(
        with_shown_names(ctx, outcome.result.rows, params.get("level", "")),
        label_a=lettered_element(ctx, params.get("element_a"), "A"),
        label_b=lettered_element(ctx, params.get("element_b"), "B"),
    )
    note = note_text(outcome.result, ctx.synthetic)
    if any(state.get(k) for k in WHAT_KEYS):
        note.insert(0, COMPARE_WHAT_NOTE)
    return fig, note


# --- trend -------------------------------------------------------------------------------


def savings_targets(meta: dict) -> pd.DataFrame | None:
    """The chosen themes' savings targets from the trend's meta, as period / target (£)."""
    raw = meta.get("savings_targets") or meta.get("targets")
    if not raw:
        return None
    frame = pd.DataFrame(raw)
    period = next((c for c in ("financial_year", "period") if c in frame.columns), None)
    if period is None:
        return None
    if "saving_m" in frame.columns:
        target = pd.to_numeric(frame["saving_m"], errors="coerce") * 1_000_000
    elif "target" in frame.columns:
        target = pd.to_numeric(frame["target"], errors="coerce")
    else:
        return None
    out = pd.DataFrame({"period": frame[period].astype(str), "target": target}).dropna()
    return out.groupby("period", as_index=False)["target"].sum()


def render_trend(ctx: Context, state: State) -> tuple[go.Figure, list]:
    outcome = run(ctx, "trend", view_params(state, "trend"))
    if outcome.result is None:
        return empty_figure(outcome.message), [outcome.message]
    result = outcome.result
    targets = savings_targets(result.meta)
    fig = trend_figure(result.rows, targets=targets, parts=result.meta.get("part_periods"))
    note = note_text(result, ctx.synthetic)
    if targets is not None:
        note.append(TARGETS_NOTE)
    return fig, note


# --- tables and exports ------------------------------------------------------------------


def view_result(ctx: Context, view: str, state: State) -> ViewOutcome:
    """The exact protected result a chart on the page was drawn from."""
    return run(ctx, view, params_for(ctx, view, state))


def download_payload(outcome: ViewOutcome, name: str, fmt: str) -> dict | str:
    """A dcc.Download payload (CSV or XLSX) of a protected result, or the message instead.
    Both carry the result's metadata and are named after the view and the selection
    (queries.export)."""
    if outcome.result is None:
        return outcome.message
    filename = file_name(outcome.result, name, fmt)
    if fmt == "csv":
        return {"content": csv_text(outcome.result, name), "filename": filename, "type": "text/csv"}
    import base64

    return {
        "content": base64.b64encode(xlsx_bytes(outcome.result, name)).decode("ascii"),
        "filename": filename,
        "base64": True,
        "type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def export(ctx: Context, view: str, state: State, fmt: str) -> dict | str:
    """A dcc.Download payload of the view's protected table, or a message."""
    return download_payload(view_result(ctx, view, state), view, fmt)
