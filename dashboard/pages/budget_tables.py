"""The budget officers' page's composite cards: the MIA17 tables (one ``enablement`` query per
financial year and group or level, put side by side), the theme's Table 14 targets and what the
saving means (from the ``trend`` result), and how each card is drawn.

The query layer has no single view for these yet (the lead's report lists what each must
return); until it has, every number here is a query-layer result, put together unchanged or
(the saving) derived from published values only, and each composite carries its source's rule,
data date and notes into its downloads.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from dashboard.components import data_table
from dashboard.pagekit import CardQuery, PageState, note_children, notes_for, run_query
from dashboard.pages.budget_state import (
    AREA_LEVELS,
    NOT_RECONCILED_NOTE,
    PERIOD_KIND,
    enablement_groups,
    enablement_params,
    financial_years,
    mia17_filters,
    page_state,
    trend_params,
)
from dashboard.views import Context, ViewOutcome, note_text, with_shown_names
from layers.mia import (
    ALL_GROUPS,
    TARGET_COLUMNS,
    enablement_area_figure,
    enablement_groups_figure,
    mia_trend_figure,
    targets_display,
    targets_frame,
    theme_label,
)
from layers.mia_saving import ILLUSTRATION, SAVING_COLUMNS, choose_basis, saving_meaning
from layers.style import empty_figure, format_value, no_data_figure
from queries.result import Column, ProtectedResult

# --- composite (derived) results ----------------------------------------------------------


def _composite(
    columns: tuple[tuple[str, str], ...],
    rows: pd.DataFrame,
    source: ProtectedResult | None,
    **meta: Any,
) -> ProtectedResult:
    """A table built from protected results, with the rule, data date and statuses of its
    source so its export says what the query layer's exports say."""
    base = dict(source.meta) if source is not None else {}
    merged = {
        k: base[k] for k in ("rule", "data_date", "build_id", "synthetic", "statuses") if k in base
    }
    merged.update(meta)
    return ProtectedResult([Column(n, k) for n, k in columns], rows, merged)


ENABLEMENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("people", "count"),
    ("people_status", "status"),
    ("people_over_6w", "count"),
    ("over_6w_status", "status"),
    ("share_over_6w", "share"),
    ("share_status", "status"),
    ("cost_beyond_42", "money"),
    ("cost_status", "status"),
)
MIA17_NOTES = [
    "One enablement query per financial year and group: each year's cells are published "
    "cells of their own.",
    "The MIA theme chosen above does not apply: these tables are MIA17 enablement whatever "
    "theme is chosen; each client group is its enablement element.",
    "Totals and 'all' rows are perturbed on their own: they need not equal the sum of the "
    "published parts.",
]


def _first_error(outcomes: list[ViewOutcome]) -> str:
    return next((o.message for o in outcomes if o.result is None), "")


def mia17_groups_result(ctx: Context, state: PageState) -> ViewOutcome:
    """Per financial year and client group (and all enablement): people, people beyond 6
    weeks, the share and the cost of the days beyond day 42. One ``enablement`` query per year
    and group (the query layer lacks a view of enablement by period: see the module doc)."""
    groups = enablement_groups(ctx)
    frames, outcomes = [], []
    for year in financial_years(ctx, state):
        runs = [(group, label, code) for group, (code, label) in groups.items()]
        runs.append((ALL_GROUPS, ALL_GROUPS, ""))
        for group, label, element in runs:
            outcome = run_query(
                ctx, CardQuery("enablement", enablement_params(ctx, state, year, element=element))
            )
            outcomes.append(outcome)
            if outcome.result is None:
                return ViewOutcome(None, outcome.message)
            row = outcome.result.rows.iloc[[0]][[c for c, _ in ENABLEMENT_COLUMNS]].copy()
            row.insert(0, "group_label", label)
            row.insert(0, "group", group)
            row.insert(0, "period", year)
            frames.append(row)
    if not frames:
        return ViewOutcome(None, _first_error(outcomes) or "No financial years in the range.")
    columns = (
        ("period", "period"),
        ("group", "category"),
        ("group_label", "category"),
        *ENABLEMENT_COLUMNS,
    )
    first = outcomes[0].result
    meta = {
        "view": "enablement by client group and financial year",
        "title": "MIA17 enablement beyond 6 weeks by client group, per financial year",
        "definition": first.meta.get("definition", "") if first else "",
        "denominator": first.meta.get("denominator", "") if first else "",
        "client_groups": "the client-group prefix of the enablement element code: "
        + ", ".join(f"{g} = {code}" for g, (code, _label) in groups.items()),
        "filters": mia17_filters(ctx, state, "city"),
        "notes": MIA17_NOTES,
    }
    rows = pd.concat(frames, ignore_index=True)
    return ViewOutcome(_composite(columns, rows, first, **meta))


def mia17_areas_result(ctx: Context, state: PageState) -> ViewOutcome:
    """Per financial year and area: the enablement view at the chosen level, year by year."""
    level = page_state(ctx, state).get("level", AREA_LEVELS[0][0])
    frames, first = [], None
    for year in financial_years(ctx, state):
        query = CardQuery("enablement", enablement_params(ctx, state, year, level=level))
        outcome = run_query(ctx, query)
        if outcome.result is None:
            return ViewOutcome(None, outcome.message)
        first = first or outcome.result
        rows = outcome.result.rows[
            ["area_code", "area_name", *[c for c, _ in ENABLEMENT_COLUMNS]]
        ].copy()
        rows.insert(0, "period", year)
        frames.append(rows)
    if not frames:
        return ViewOutcome(None, "No financial years in the range.")
    columns = (
        ("period", "period"),
        ("area_code", "area"),
        ("area_name", "area"),
        *ENABLEMENT_COLUMNS,
    )
    meta = {
        "view": "enablement by area and financial year",
        "title": f"MIA17 enablement beyond 6 weeks by {level}, per financial year",
        "definition": first.meta.get("definition", "") if first else "",
        "denominator": first.meta.get("denominator", "") if first else "",
        "filters": mia17_filters(ctx, state, level),
        "notes": [*MIA17_NOTES, "Hotspots show service activity, not need."],
    }
    return ViewOutcome(_composite(columns, pd.concat(frames, ignore_index=True), first, **meta))


def _trend(ctx: Context, state: PageState) -> ViewOutcome:
    return run_query(ctx, CardQuery("trend", trend_params(ctx, state)))


def targets_result(ctx: Context, state: PageState, trend: ViewOutcome) -> ViewOutcome:
    """Table 14 for the theme, from the trend result's meta (the serving database's copy of
    the reference table): reference data, not personal data."""
    if trend.result is None:
        return ViewOutcome(None, trend.message)
    targets = targets_frame(trend.result.meta.get("savings_targets") or [])
    kinds = {
        "theme": "category",
        "theme_name": "category",
        "scope": "category",
        "financial_year": "period",
        "net_spend_2015_16": "money",
        "saving": "money",
        "saving_share_of_net_spend": "share",
    }
    meta = {
        "view": "MIA savings targets (Table 14)",
        "title": "Net spend 2015/16 and savings targets, £ (budget figures)",
        "definition": "The council's 2016 budget for the theme: net spend 2015/16 and the "
        "savings target of each financial year; the share is the saving / the net spend.",
        "source": "Table 14 of the thesis (T:1772-1777): care_atlas/reference/mia_targets.csv "
        "as built into the serving database.",
        "data_date": trend.result.meta.get("data_date"),
        "synthetic": trend.result.meta.get("synthetic"),
        "notes": [NOT_RECONCILED_NOTE, "Reference data, not personal data: not perturbed."],
        "filters": {"themes": trend_params(ctx, state).get("themes", "")},
    }
    columns = tuple((c, kinds[c]) for c in TARGET_COLUMNS)
    return ViewOutcome(ProtectedResult([Column(n, k) for n, k in columns], targets, meta))


def period_ends(ctx: Context) -> dict[str, str]:
    dates = ctx.db.reference.period_dates
    return {p: dates[(PERIOD_KIND, p)][1] for p in ctx.choices.periods.get(PERIOD_KIND, [])}


def part_year_note(ctx: Context, trend: ViewOutcome) -> list[str]:
    """Say so when the last financial year shown is only partly covered by the data."""
    if trend.result is None or trend.result.rows.empty:
        return []
    last = str(trend.result.rows["period"].iloc[-1])
    data_date = trend.result.meta.get("data_date")
    if data_date and period_ends(ctx).get(last, "") > str(data_date):
        return [f"{last} is a part year: the data runs to {data_date}, so it shows less."]
    return []


def saving_result(ctx: Context, state: PageState, trend: ViewOutcome) -> tuple[ViewOutcome, Any]:
    """(the saving table as a result, the SavingMeaning with its steps)."""
    if trend.result is None:
        return ViewOutcome(None, trend.message), None
    targets = targets_frame(trend.result.meta.get("savings_targets") or [])
    basis = choose_basis(trend.result.rows, period_ends(ctx), trend.result.meta.get("data_date"))
    meaning = saving_meaning(targets, basis)
    meta = {
        "view": "what the saving means",
        "title": "What the saving means in people (an illustration, not a forecast)",
        "definition": "share = saving / net spend 2015/16 (Table 14); average cost per person "
        "= published cost / published people in the basis year; proportional cut = share x "
        "published cost; people fewer = proportional cut / average cost per person.",
        "denominator": "published people and cost of the latest whole financial year in range",
        "notes": [ILLUSTRATION, NOT_RECONCILED_NOTE, meaning.withheld]
        if meaning.withheld
        else [ILLUSTRATION, NOT_RECONCILED_NOTE],
        "filters": trend_params(ctx, state),
    }
    result = _composite(SAVING_COLUMNS, meaning.table, trend.result, **meta)
    return ViewOutcome(result), meaning


def derived_result(ctx: Context, name: str, state: PageState) -> ViewOutcome:
    """The protected table behind a composite card, for its downloads and its table."""
    if name == "mia17_groups":
        return mia17_groups_result(ctx, state)
    if name == "mia17_areas":
        return mia17_areas_result(ctx, state)
    trend = _trend(ctx, state)
    if name == "targets":
        return targets_result(ctx, state, trend)
    if name == "saving":
        return saving_result(ctx, state, trend)[0]
    return ViewOutcome(None, f"No table named {name}.")


# --- rendering ---------------------------------------------------------------------------


def render_theme(ctx: Context, state: PageState) -> tuple[Any, list, Any, list, Any, list]:
    """(trend figure, trend note, targets table, targets note, saving body, saving note)."""
    trend = _trend(ctx, state)
    theme = trend_params(ctx, state).get("themes", "")
    if trend.result is None:
        message = note_children(notes_for(ctx, trend))
        return empty_figure(trend.message), message, None, message, None, message
    targets = targets_result(ctx, state, trend)
    frame = targets.result.rows if targets.result is not None else pd.DataFrame()
    if trend.result.rows.empty:
        figure = no_data_figure("No financial years for these filters.")
    else:
        figure = mia_trend_figure(trend.result.rows, frame, theme=theme)
    trend_note = [*notes_for(ctx, trend), NOT_RECONCILED_NOTE, *part_year_note(ctx, trend)]
    label = theme_label(frame, theme) if not frame.empty else theme_choice_label(ctx, theme)
    if frame.empty:
        targets_body: Any = html.P(f"{label} has no savings targets in the reference table.")
    else:
        targets_body = data_table(targets_display(frame), f"{label}: Table 14 (£ million)")
    saving, meaning = saving_result(ctx, state, trend)
    return (
        figure,
        note_children(trend_note),
        targets_body,
        note_children(note_text(targets.result, ctx.synthetic) if targets.result else []),
        saving_body(saving, meaning),
        note_children(note_text(saving.result, ctx.synthetic) if saving.result else []),
    )


def theme_choice_label(ctx: Context, theme: str) -> str:
    """The theme's code and name as the theme control shows it ("MIA3 Independent travel")."""
    return f"{theme} {ctx.choices.theme_names.get(theme, '')}".strip()


def saving_body(saving: ViewOutcome, meaning: Any) -> list:
    """The worked steps (or why they are withheld) and a short table of every saving."""
    if saving.result is None or meaning is None:
        return [html.P(saving.message)]
    parts: list = []
    if meaning.withheld:
        parts.append(html.P(f"[c] {meaning.withheld}", className="budget-withheld"))
    else:
        parts.append(html.Ol([html.Li(step) for step in meaning.steps], className="budget-steps"))
    parts.append(html.P(ILLUSTRATION, className="budget-illustration"))
    table = meaning.table
    if not table.empty:
        shown = pd.DataFrame(
            {
                "Saving": table["saving_year"],
                "Savings target": [format_value(v, "money") for v in table["saving"]],
                "Share of net spend": [
                    format_value(v, "share") for v in table["saving_share_of_net_spend"]
                ],
                "Basis year": table["basis_year"].fillna(""),
                "People implied (fewer)": [
                    format_value(v, "count", s)
                    for v, s in zip(
                        table["people_fewer"], table["people_fewer_status"], strict=True
                    )
                ],
            }
        )
        parts.append(data_table(shown, "Each savings target read the same way"))
    return parts


def render_mia17_groups(ctx: Context, state: PageState) -> tuple[Any, list]:
    """(figure, note) of MIA17 by client group and financial year."""
    groups = mia17_groups_result(ctx, state)
    if groups.result is None:
        return empty_figure(groups.message), [html.P(groups.message)]
    figure = enablement_groups_figure(groups.result.rows)
    return figure, note_children(note_text(groups.result, ctx.synthetic))


def render_mia17_areas(ctx: Context, state: PageState) -> tuple[Any, Any, list]:
    """(share-by-area figure, cost-by-area figure, note) of MIA17 by area and year."""
    areas = mia17_areas_result(ctx, state)
    if areas.result is None:
        blank = empty_figure(areas.message)
        return blank, blank, [html.P(areas.message)]
    level = page_state(ctx, state).get("level", AREA_LEVELS[0][0])
    rows = with_shown_names(ctx, areas.result.rows, level)
    note = note_children(note_text(areas.result, ctx.synthetic))
    if rows.empty:
        blank = no_data_figure()
        return blank, blank, note
    return (
        enablement_area_figure(rows, measure="share"),
        enablement_area_figure(rows, measure="cost"),
        note,
    )
