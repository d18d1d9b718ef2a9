"""Budget officers' MIA charts: a theme's activity against its budget figures, and MIA17.

The budget figures (Table 14: net spend 2015/16 and the savings targets) are drawn as
reference lines on the cost axis and labelled as not reconciled: they are budget-level figures,
never sums of agreement costs. Withheld values are gaps, never zeros.
"""

from __future__ import annotations

import textwrap
from collections.abc import Collection, Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from layers.margins import LEGEND_WRAP_PX, fits_flat
from layers.matrix import matrix_figure
from layers.style import (
    FONT_SIZE,
    LINE_COLOURS,
    SUPPRESSED_TEXT,
    TEMPLATE,
    format_value,
    is_missing,
    money_axis,
)
from layers.trend import fit_below_axis, part_period_marks, trend_figure

#: The group of the MIA17 rows for all enablement: the query layer's "all" member (the MIA17
#: theme's own cell, labelled in the row's group_label), drawn dashed in black.
ALL_GROUPS = "all"
NOT_RECONCILED = "budget figure, not reconciled with agreement costs"
#: Budget figures are reference lines: grey-black and dashed, apart from the data's colours.
REFERENCE_COLOUR = "#333333"
#: The year of Table 14's net spend figure.
NET_SPEND_YEAR = "2015/16"
GROUP_COLOURS = (LINE_COLOURS[0], LINE_COLOURS[1], LINE_COLOURS[2], LINE_COLOURS[3], "#56B4E9")


# --- Table 14 ----------------------------------------------------------------------------


def theme_label(targets: pd.DataFrame, theme: str) -> str:
    """ "MIA3 Independent travel": the code with the name Table 14 gives it (the code alone
    when the table has no row for it)."""
    if "theme_name" in targets and not targets.empty:
        names = targets.loc[targets["theme"] == theme, "theme_name"]
        name = str(names.iloc[0]) if len(names) else ""
        if name and name != "nan":
            return f"{theme} {name}"
    return theme


def targets_display(targets: pd.DataFrame) -> pd.DataFrame:
    """Table 14 as people read it: £ million and the share as a percentage."""
    return pd.DataFrame(
        {
            "Theme": [theme_label(targets, t) for t in targets["theme"]],
            "Scope": targets["scope"],
            "Financial year": targets["financial_year"],
            "Net spend 2015/16 (£m)": [f"{v / 1e6:,.3f}" for v in targets["net_spend_2015_16"]],
            "Savings target (£m)": [f"{v / 1e6:,.3f}" for v in targets["saving"]],
            "Saving as a share of net spend": [
                format_value(v, "share") for v in targets["saving_share_of_net_spend"]
            ],
        }
    )


# --- the theme's trend -------------------------------------------------------------------


def mia_trend_figure(
    rows: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    theme: str,
    parts: Mapping[str, str] | None = None,
) -> go.Figure:
    """Records and people (top panel) and cost (bottom panel) per financial year, with the
    theme's net spend 2015/16 (one marker at 2015/16) and its savings targets on the £ panel,
    named with the theme's code and name; part years marked (layers.trend)."""
    saving = (
        pd.DataFrame({"period": targets["financial_year"], "target": targets["saving"]})
        if not targets.empty
        else None
    )
    theme = theme_label(targets, theme)
    fig = trend_figure(rows, targets=saving, parts=parts)
    for trace in fig.data:
        if str(trace.name).startswith("Savings target"):
            trace.name = f"{theme} savings target (£)<br>{NOT_RECONCILED}"
            trace.line.color = REFERENCE_COLOUR
    if targets.empty or not fig.data:  # no targets, or the no-data figure
        return fig
    net = float(targets["net_spend_2015_16"].iloc[0])
    periods = [str(p) for p in rows["period"]] + [str(p) for p in targets["financial_year"]]
    periods = list(dict.fromkeys([*periods, NET_SPEND_YEAR]))
    fig.add_trace(
        go.Scatter(
            # The net spend is a 2015/16 figure: one marker at 2015/16, not a flat line
            # across every year as if it were each year's budget.
            x=[NET_SPEND_YEAR],
            y=[net],
            name=f"{theme} net spend 2015/16 (£)<br>{NOT_RECONCILED}",
            mode="markers",
            yaxis="y2",
            marker={"symbol": "star", "size": 14, "color": REFERENCE_COLOUR},
            text=[format_value(net, "money")],
            hovertemplate="Net spend 2015/16 (Table 14): %{text}<br>"
            + NOT_RECONCILED.capitalize()
            + "<extra></extra>",
        )
    )
    money = [v for t in fig.data if t.yaxis == "y2" for v in (t.y or ())]
    ordered = sorted(periods, key=_year_start)
    xaxis, shapes, ticks = part_period_marks(ordered, parts or {})
    fig.update_layout(
        height=500,
        yaxis2=money_axis(money),
        xaxis={"categoryorder": "array", "categoryarray": ordered, **xaxis},
        shapes=shapes,
        # A two-line legend entry counts as two (names wrap so they fit a half-width card).
        **fit_below_axis(ticks, [line for t in fig.data for line in str(t.name).split("<br>")]),
    )
    return fig


def _year_start(label: str) -> tuple[int, str]:
    """Sort key of a financial year ("2015/16" -> 2015) so the axis runs in time order."""
    digits = label[:4]
    return (int(digits) if digits.isdigit() else 0, label)


# --- MIA17 -------------------------------------------------------------------------------


def _shown(values: pd.Series, statuses: pd.Series) -> list[float | None]:
    return [
        None if is_missing(v) or s == "[c]" else float(v)
        for v, s in zip(values, statuses.fillna("").astype(str), strict=True)
    ]


def enablement_groups_figure(
    rows: pd.DataFrame, parts: Mapping[str, str] | None = None
) -> go.Figure:
    """Share of people beyond 6 weeks (top, lines) and cost of the days beyond day 42 (bottom,
    bars) per financial year, one colour per client group; [c] years are gaps; part years
    marked (layers.trend), and the years upright when they do not lie flat in a card."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=(
            "Share of people with enablement lasting over 6 weeks",
            "Cost of the days beyond day 42 (£)",
        ),
    )
    groups = list(dict.fromkeys(rows["group"].astype(str)))
    for index, group in enumerate(groups):
        data = rows[rows["group"].astype(str) == group]
        periods = [str(p) for p in data["period"]]
        is_all = group == ALL_GROUPS
        colour = "#000000" if is_all else GROUP_COLOURS[index % len(GROUP_COLOURS)]
        label = data["group_label"].iloc[0] if "group_label" in data else group
        share_text = [
            format_value(v, "share", s)
            for v, s in zip(data["share_over_6w"], data["share_status"].fillna(""), strict=True)
        ]
        cost_text = [
            format_value(v, "money", s)
            for v, s in zip(data["cost_beyond_42"], data["cost_status"].fillna(""), strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=periods,
                y=_shown(data["share_over_6w"], data["share_status"]),
                name=label,
                legendgroup=group,
                mode="lines+markers",
                line={"color": colour, "width": 3, "dash": "dash" if is_all else "solid"},
                marker={
                    "size": 8,
                    "symbol": ("diamond", "circle", "square", "triangle-up")[index % 4],
                },
                text=share_text,
                hovertemplate="%{x}<br>" + label + ": %{text} beyond 6 weeks<extra></extra>",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Bar(
                x=periods,
                y=_shown(data["cost_beyond_42"], data["cost_status"]),
                name=label,
                legendgroup=group,
                showlegend=False,
                marker_color=colour,
                text=cost_text,
                textposition="none",
                hovertemplate="%{x}<br>" + label + ": %{text} beyond day 42<extra></extra>",
            ),
            row=2,
            col=1,
        )
    withheld = withheld_text(rows)
    # Wrapped: one long line of withheld years ran off the card's right edge.
    lines = textwrap.wrap(withheld, 72) if withheld else []
    if lines:
        fig.add_annotation(
            text="<br>".join(lines),
            xref="paper",
            yref="paper",
            x=0,
            y=1.0,
            yshift=30,
            xanchor="left",
            yanchor="bottom",
            align="left",
            showarrow=False,
            font={"size": 13},
        )
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        height=620,
        # The legend at the figure's foot, below the slanted year labels (it sat on them).
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        margin={"l": 10, "r": 10, "t": 64 + 18 * len(lines) if lines else 40, "b": 140},
        hovermode="x unified",
    )
    xaxis, shapes, ticks = part_period_marks(
        list(dict.fromkeys(str(p) for p in rows["period"])), parts or {}
    )
    # Left to Plotly, a long series was slanted and its last year ran off the card's edge.
    upright = {} if fits_flat(ticks, FONT_SIZE, LEGEND_WRAP_PX) else {"tickangle": -90}
    fig.update_layout(shapes=shapes)
    fig.update_xaxes(type="category", **xaxis, **upright)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", automargin=True, row=1, col=1)
    costs = [v for t in fig.data if t.type == "bar" for v in (t.y or ())]
    fig.update_yaxes(automargin=True, **money_axis(costs), row=2, col=1)
    return fig


def withheld_text(rows: pd.DataFrame) -> str:
    """Name the withheld shares, so a gap in a line is never read as 'none'."""
    flagged = rows[rows["share_status"].fillna("").astype(str) == "[c]"]
    if flagged.empty:
        return ""
    label = "group_label" if "group_label" in flagged else "group"
    parts = [
        f"{name} {', '.join(str(p) for p in group['period'])}"
        for name, group in flagged.groupby(label, sort=False)
    ]
    return f"{SUPPRESSED_TEXT}. Withheld: " + "; ".join(parts)


def enablement_area_figure(
    rows: pd.DataFrame, *, measure: str, parts: Collection[str] = ()
) -> go.Figure:
    """Areas x financial years of the share beyond 6 weeks (``measure="share"``) or of the
    cost beyond day 42 (``"cost"``); withheld cells grey with their shorthand."""
    if measure == "share":
        value, status, kind = "share_over_6w", "share_status", "share"
        label = "Share beyond 6 weeks"
    else:
        value, status, kind = "cost_beyond_42", "cost_status", "money"
        label = "Cost beyond day 42"
    cells = rows.rename(columns={value: "value", status: "value_status"})[
        ["area_code", "area_name", "period", "value", "value_status"]
    ]
    # Shares run 0% to 100% whatever the data; [u] cells (0% or 100% of a few people) take
    # no colour from the scale (layers.matrix): pale grey, ringed, their words in the hover.
    zrange = (0.0, 1.0) if kind == "share" else None
    fig = matrix_figure(cells, kind=kind, measure_label=label, zrange=zrange, parts=parts)
    if kind == "share" and fig.data:
        fig.data[0].update(colorbar={"tickformat": ".0%"})
    return fig
