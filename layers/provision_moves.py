"""The areas whose internal share moved most between the first and last period of a range.

A change is made only from two PUBLISHED shares (PRIVACY.md §4): where either end is withheld
the change is withheld too, and it carries "[u]" when either end is of low reliability. The
rule is stated in words (MOVES_RULE) beside the chart, so the ranking can be checked by hand.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from layers.style import TEMPLATE, is_missing, name_and_code

#: Areas listed by the chart (the table under it and the download have all of them).
MOVES_SHOWN = 10

MOVES_RULE = (
    "Moved most: the internal share in the last period of the range minus the share in the "
    "first, in percentage points, from the published shares of each area; withheld [c] where "
    "either share is withheld, not available [x] where either period has no share, marked [u] "
    "where either is of low reliability. Areas are ranked by the size of the change, rises and "
    "falls together."
)

MOVE_COLUMNS = (
    "area_code",
    "area_name",
    "first_period",
    "first_share",
    "first_status",
    "last_period",
    "last_share",
    "last_status",
    "change_points",
    "change_status",
)

#: PuOr ends (layers.provision.SHARE_SCALE): purple = more council-run, orange = more bought in.
RISE_COLOUR = "#542788"
FALL_COLOUR = "#b35806"


def _usable(value: object, status: str) -> bool:
    return not is_missing(value) and status not in ("[c]", "[z]", "[x]")


def share_changes(rows: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """Per area, the published shares in ``first`` and ``last`` and their change (points).

    ``rows`` are ``provision`` view rows (area x period). Sorted by the size of the change,
    largest first; withheld changes last.
    """
    if rows.empty:
        return pd.DataFrame(columns=list(MOVE_COLUMNS))
    data = rows.assign(
        internal_share_status=rows["internal_share_status"].fillna("").astype(str),
        period=rows["period"].astype(str),
    )
    out = []
    for code, group in data.groupby("area_code", sort=False):
        by_period = group.set_index("period")
        name = str(group["area_name"].iloc[0] or code)

        def end(period: str, frame: pd.DataFrame = by_period) -> tuple[object, str]:
            if period not in frame.index:
                return None, "[x]"
            return frame.at[period, "internal_share"], frame.at[period, "internal_share_status"]

        first_share, first_status = end(first)
        last_share, last_status = end(last)
        if _usable(first_share, first_status) and _usable(last_share, last_status):
            change: float | None = round((float(last_share) - float(first_share)) * 100, 1)  # type: ignore[arg-type]
            status = "[u]" if "[u]" in (first_status, last_status) else ""
        else:
            # [c] when an end is suppressed; [x] when an end has no share at all (no row, [z]).
            change, status = None, "[c]" if "[c]" in (first_status, last_status) else "[x]"
        out.append(
            (
                str(code),
                name,
                first,
                None if not _usable(first_share, first_status) else float(first_share),  # type: ignore[arg-type]
                first_status,
                last,
                None if not _usable(last_share, last_status) else float(last_share),  # type: ignore[arg-type]
                last_status,
                change,
                status,
            )
        )
    frame = pd.DataFrame(out, columns=list(MOVE_COLUMNS))
    for column in ("first_share", "last_share", "change_points"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["size"] = frame["change_points"].abs()
    frame = frame.sort_values(["size", "area_code"], ascending=[False, True], na_position="last")
    return frame.drop(columns="size").reset_index(drop=True)


def moved_most(changes: pd.DataFrame, n: int = MOVES_SHOWN) -> pd.DataFrame:
    """The ``n`` published changes largest in size."""
    shown = changes["change_status"].isin(["", "[u]"]) & changes["change_points"].notna()
    return changes[shown].head(n).reset_index(drop=True)


def change_text(row: object, *, full: bool = True) -> str:
    """The change in words: "-4.2 pts" on the bar, with "(41.0% to 36.8%)" in the tooltip."""
    change = getattr(row, "change_points", None)
    status = str(getattr(row, "change_status", "") or "")
    if is_missing(change) or status in ("[c]", "[x]"):
        return status or "[c]"
    text = f"{float(change):+.1f} pts"  # type: ignore[arg-type]
    if full:
        first, last = float(row.first_share) * 100, float(row.last_share) * 100  # type: ignore[attr-defined]
        text += f" ({first:.1f}% to {last:.1f}%)"
    return f"{text} [u]" if status == "[u]" else text


def moves_figure(top: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the change in points: purple rises, orange falls, largest at the top."""
    labels = [
        name_and_code(name, code)
        for code, name in zip(top["area_code"], top["area_name"], strict=True)
    ]
    changes = [float(c) for c in top["change_points"]]
    fig = go.Figure(
        go.Bar(
            x=changes,
            y=labels,
            orientation="h",
            marker_color=[RISE_COLOUR if c >= 0 else FALL_COLOUR for c in changes],
            text=[change_text(r, full=False) for r in top.itertuples(index=False)],
            customdata=[change_text(r) for r in top.itertuples(index=False)],
            # Inside a bar long enough to hold it, else beyond its end: a long bar's label
            # outside ran past the axis into the (now named) areas' labels.
            textposition="auto",
            cliponaxis=False,
            hovertemplate="%{y}<br>Change: %{customdata}<extra></extra>",
            name="Change in internal share",
        ),
        layout={"template": TEMPLATE},
    )
    widest = max([abs(c) for c in changes] + [1.0])
    fig.update_layout(
        yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
        xaxis={
            "title": {"text": "Change in internal share (percentage points)"},
            "range": [-widest * 1.5, widest * 1.5],
            "zeroline": True,
            "zerolinecolor": "#4d4d4d",
        },
        height=max(260, 32 * len(top) + 110),
        margin={"l": 10, "r": 20, "t": 20, "b": 50},
        showlegend=False,
    )
    return fig
