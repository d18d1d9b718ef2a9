"""The landing page's headline figures: what a director asks first.

People, agreements and cost in the latest period of the selection, each with its change on
the period before, told by an arrow and in words (never by colour alone). The figures are the
query layer's ``headlines`` view (published cells; the change is their difference), so the
API serves the same numbers. A withheld figure reads "[c] suppressed" and has no change.
"""

from __future__ import annotations

from dash import html

from dashboard.state import State, view_params
from dashboard.views import Context, _place, run
from layers.style import format_value, is_missing
from queries.headline_views import HEADLINES

ARROWS = {"up": "▲", "down": "▼", "no change": "▶"}


def headline_params(state: State) -> dict[str, str]:
    """The place and filters of the page (the trend's), for the headline view."""
    return view_params(state, "trend")


def change_words(row: dict, column: str, kind: str) -> tuple[str, str]:
    """(arrow, words) for one measure's change, e.g. ("▲", "up 190 (+6.7%) on 2014")."""
    previous = row.get("previous_period") or ""
    if not previous:
        return "", "no earlier period to compare with"
    direction = row.get(f"{column}_direction") or ""
    change = row.get(f"{column}_change")
    if row.get(f"{column}_change_status") == "[z]":
        return "", f"no change shown on {previous}: a part period is not comparable"
    if not direction or is_missing(change):
        return "", f"change on {previous} not shown: a figure is suppressed [c]"
    if direction == "no change":
        return ARROWS[direction], f"no change on {previous}"
    size = format_value(abs(float(change)), kind)
    ratio = row.get(f"{column}_change_ratio")
    pct = "" if is_missing(ratio) else f" ({float(ratio) * 100:+.1f}%)"
    return ARROWS[direction], f"{direction} {size}{pct} on {previous}"


def headline_tiles(row: dict) -> list[html.Div]:
    """One tile per headline measure from the view's single row."""
    tiles = []
    for column, _measure, words in HEADLINES:
        kind = "money" if column == "cost" else "count"
        value = format_value(row.get(column), kind, row.get(f"{column}_status", ""))
        if row.get(f"{column}_status") == "[c]":
            value = "[c] suppressed"
        arrow, change = change_words(row, column, kind)
        direction = row.get(f"{column}_direction") or "none"
        tiles.append(
            html.Div(
                [
                    html.P(f"{words}, {row.get('period', '')}", className="headline-label"),
                    html.P(value, className="headline-value"),
                    html.P(
                        [html.Span(arrow, className="arrow", **{"aria-hidden": "true"}), change],
                        className=f"headline-change change-{direction.replace(' ', '-')}",
                    ),
                ],
                className="headline",
                id=f"headline-{column}",
            )
        )
    return tiles


def render_headlines(ctx: Context, state: State) -> tuple[list, str]:
    """(tiles, heading) for the page state; a message in place of the tiles on a refusal."""
    heading = f"Headline figures for {_place(ctx, state)}"
    outcome = run(ctx, "headlines", headline_params(state))
    if outcome.result is None:
        return [html.P(outcome.message, className="headline-message")], heading
    rows = outcome.result.rows
    if rows.empty:
        return [html.P("No figures for these filters.", className="headline-message")], heading
    row = rows.iloc[0].to_dict()
    tiles = headline_tiles(row)
    if row.get("period_note"):
        tiles.append(html.P(str(row["period_note"]), className="headline-note"))
    return tiles, heading
