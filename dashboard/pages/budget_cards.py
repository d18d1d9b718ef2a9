"""How the budget officers' cards are drawn, each from its one query-layer view: the theme's
trend (``trend``, with Table 14's figures from ``mia_targets`` as reference lines), Table 14
itself (``mia_targets``), what the saving means (``mia_saving``) and MIA17 enablement beyond
6 weeks by client group (``enablement_groups``) and by area (``enablement_areas``).

Nothing is put together or derived here: the views publish every number (queries.budget_views,
queries.saving_views), so each card's downloads are the API's answer for the same parameters.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from dashboard.components import data_table
from dashboard.pagekit import PageState, note_children, notes_for, run_query
from dashboard.pages.budget_state import area_level, mia17_shown, query_of, trend_params
from dashboard.views import Context, ViewOutcome, note_text, with_shown_names
from layers.mia import (
    enablement_area_figure,
    enablement_groups_figure,
    mia_trend_figure,
    targets_display,
    theme_label,
)
from layers.mia_saving import worked_steps
from layers.style import empty_figure, format_value, no_data_figure
from queries.budget_views import NOT_RECONCILED_NOTE
from queries.saving_views import AVERAGE_LABEL, ILLUSTRATION


def card_result(ctx: Context, name: str, state: PageState) -> ViewOutcome:
    """The protected result behind one card (its view, through the page's runner)."""
    query = query_of(ctx, name, state)
    if query is None:
        return ViewOutcome(None, f"No card named {name}.")
    return run_query(ctx, query)


def theme_choice_label(ctx: Context, theme: str) -> str:
    """The theme's code and name as the theme control shows it ("MIA3 Independent travel")."""
    return f"{theme} {ctx.choices.theme_names.get(theme, '')}".strip()


def _notes(ctx: Context, outcome: ViewOutcome) -> list:
    return note_children(notes_for(ctx, outcome))


def render_theme(ctx: Context, state: PageState) -> tuple[Any, list, Any, list, Any, list]:
    """(trend figure, trend note, targets table, targets note, saving body, saving note)."""
    trend = card_result(ctx, "trend", state)
    targets = card_result(ctx, "mia_targets", state)
    saving = card_result(ctx, "mia_saving", state)
    theme = trend_params(ctx, state).get("themes", "")
    if trend.result is None:
        message = _notes(ctx, trend)
        return empty_figure(trend.message), message, None, message, None, message
    frame = targets.result.rows if targets.result is not None else pd.DataFrame()
    if trend.result.rows.empty:
        figure = no_data_figure("No financial years for these filters.")
    else:
        parts = trend.result.meta.get("part_periods", {})
        figure = mia_trend_figure(trend.result.rows, frame, theme=theme, parts=parts)
    trend_note = [*notes_for(ctx, trend), NOT_RECONCILED_NOTE]
    label = theme_label(frame, theme) if not frame.empty else theme_choice_label(ctx, theme)
    if targets.result is None:
        targets_body: Any = html.P(targets.message)
    elif frame.empty:
        targets_body = html.P(f"{label} has no savings targets in the reference table.")
    else:
        targets_body = data_table(targets_display(frame), f"{label}: Table 14 (£ million)")
    return (
        figure,
        note_children(trend_note),
        targets_body,
        _notes(ctx, targets),
        saving_body(saving),
        _notes(ctx, saving),
    )


def saving_body(saving: ViewOutcome) -> list:
    """The worked steps for the average saving (or why they are withheld) and a short table of
    every saving, all read from the ``mia_saving`` view's rows."""
    if saving.result is None:
        return [html.P(saving.message)]
    table = saving.result.rows
    withheld = str(saving.result.meta.get("withheld") or "")
    parts: list = []
    if withheld:
        parts.append(html.P(f"[c] {withheld}", className="budget-withheld"))
    else:
        average = table[table["saving_year"] == AVERAGE_LABEL].iloc[0]
        steps = worked_steps(average.to_dict())
        parts.append(html.Ol([html.Li(step) for step in steps], className="budget-steps"))
    parts.append(html.P(ILLUSTRATION, className="budget-illustration"))
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
    groups = card_result(ctx, "enablement_groups", state)
    if groups.result is None:
        return empty_figure(groups.message), [html.P(groups.message)]
    parts = groups.result.meta.get("part_periods", {})
    figure = enablement_groups_figure(groups.result.rows, parts=parts)
    return figure, note_children(note_text(groups.result, ctx.synthetic))


def render_mia17_areas(ctx: Context, state: PageState) -> tuple[Any, list]:
    """(figure, note) of MIA17 by area and financial year: the share beyond 6 weeks or the
    cost beyond day 42, as the card's "Show" control says."""
    areas = card_result(ctx, "enablement_areas", state)
    if areas.result is None:
        return empty_figure(areas.message), [html.P(areas.message)]
    rows = with_shown_names(ctx, areas.result.rows, area_level(ctx, state))
    note = note_children(note_text(areas.result, ctx.synthetic))
    if rows.empty:
        return no_data_figure(), note
    parts = areas.result.meta.get("part_periods", {})
    measure = mia17_shown(ctx, state)
    return enablement_area_figure(rows, measure=measure, parts=parts), note
