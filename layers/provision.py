"""Internal vs external provision: a diverging share map and the district x period matrix.

Both colour the internal share on a diverging scale whose midpoint is the city's own share, so
an area reads as "more council-run than the city" (purple) or "more bought in" (orange) at a
glance (the thesis's Figures 29 and 37). Every value drawn is a published one from the query
layer; the only numbers made here (totals, the direct-payment share) come from published
values and are withheld when any of them is.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from layers.area_map import VALUE_TRACE, MapView, map_figure
from layers.matrix import matrix_figure, pivot_matrix, set_cell_text
from layers.style import format_value, is_missing

#: ColorBrewer PuOr (11 classes), colour-blind safe: orange = a lower internal share than the
#: midpoint (more external provision), purple = higher (more council-run).
SHARE_SCALE: list[list[float | str]] = [
    [0.0, "#7f3b08"],
    [0.1, "#b35806"],
    [0.2, "#e08214"],
    [0.3, "#fdb863"],
    [0.4, "#fee0b6"],
    [0.5, "#f7f7f7"],
    [0.6, "#d8daeb"],
    [0.7, "#b2abd2"],
    [0.8, "#8073ac"],
    [0.9, "#542788"],
    [1.0, "#2d004b"],
]

#: The smallest half-width of a diverging scale, so equal values do not divide by zero.
MIN_SPAN = 0.01

#: Which published columns make each matrix cell label's second line (display choice only).
CELL_DETAILS: dict[str, str] = {
    "people": "People (internal + external)",
    "cost": "Cost (internal + external)",
    "none": "Share only",
}

SHARE_LABEL = "Internal share"
WITHHELD = "[c]"


def symmetric_range(values: Sequence[float], midpoint: float) -> tuple[float, float]:
    """(zmin, zmax) centred on ``midpoint`` and wide enough for every value shown."""
    finite = [float(v) for v in values if not is_missing(v)]
    span = max([abs(v - midpoint) for v in finite] + [MIN_SPAN])
    return midpoint - span, midpoint + span


def percent(value: object) -> str:
    return "" if is_missing(value) else f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]


def published(value: object, status: object) -> bool:
    """True when a value may be used in arithmetic: present and not withheld."""
    return not is_missing(value) and status not in ("[c]", "[z]", "[x]")


# --- share map ---------------------------------------------------------------------------


def share_hover(row: object, city_share: float | None) -> list[str]:
    """Tooltip lines of one area_compare row: share, the city's, and the 95% comparison."""
    status = getattr(row, "value_status", "") or ""
    name = str(getattr(row, "area_name", "") or row.area_code)  # type: ignore[attr-defined]
    share = format_value(getattr(row, "value", None), "share", status)
    comparison = str(getattr(row, "comparison", "") or "")
    if comparison in ("higher", "lower", "similar"):
        words = {
            "higher": "higher than the city",
            "lower": "lower than the city",
            "similar": "similar to the city",
        }[comparison]
        low, high = getattr(row, "lower95", None), getattr(row, "upper95", None)
        if not is_missing(low) and not is_missing(high):
            words += f" (95% interval {percent(low)} to {percent(high)})"
    else:
        words = "not compared (share withheld)"
    city = percent(city_share) if city_share is not None else "[x] not available"
    return [f"{name} ({row.area_code})", share, city, words]  # type: ignore[attr-defined]


def share_map_figure(
    rows: pd.DataFrame,
    *,
    city_share: float | None,
    geojson_url: str,
    outline_url: str | None,
    period_label: str,
    view: MapView,
    revision: str,
) -> go.Figure:
    """Map of ``area_compare`` rows (measure=internal_share) on PuOr centred on the city share.

    The map itself is layers.area_map's (geometry by URL, withheld areas in grey); this
    recolours its value trace and writes the tooltips a commissioner needs.
    """
    midpoint = city_share if city_share is not None else 0.5
    fig = map_figure(
        rows,
        geojson_url=geojson_url,
        outline_url=outline_url,
        kind="share",
        measure_label=SHARE_LABEL,
        period_label=period_label,
        view=view,
        revision=revision,
    )
    custom = {str(r.area_code): share_hover(r, city_share) for r in rows.itertuples(index=False)}
    hover = (
        "<b>%{customdata[0]}</b><br>Internal share: %{customdata[1]}"
        "<br>City share: %{customdata[2]}<br>%{customdata[3]}<extra></extra>"
    )
    for trace in fig.data:
        trace.customdata = [custom[str(code)] for code in trace.locations]
        trace.hovertemplate = hover
    zmin, zmax = symmetric_range(list(fig.data[VALUE_TRACE].z or []), midpoint)
    centre = f"city {percent(city_share)}" if city_share is not None else "50% (city withheld)"
    fig.data[VALUE_TRACE].update(
        colorscale=SHARE_SCALE,
        zmin=zmin,
        zmax=zmax,
        colorbar={
            "title": {"text": f"{SHARE_LABEL}<br>{period_label}<br>white = {centre}"},
            "tickformat": ".0%",
        },
    )
    return fig


# --- district x period matrix --------------------------------------------------------------


def _pivot(rows: pd.DataFrame, value: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One published column of the provision rows as area x period values and statuses."""
    frame = rows[["area_code", "area_name", "period"]].copy()
    frame["value"] = rows[value]
    frame["value_status"] = rows[f"{value}_status"]
    values, status, _ = pivot_matrix(frame)
    return values, status


def _usable(cells: dict[str, pd.DataFrame], name: str) -> np.ndarray:
    """Cells of one column that may enter arithmetic: present and not withheld."""
    status = cells[f"{name}_status"].fillna("").to_numpy()
    return cells[name].notna().to_numpy() & ~np.isin(status, ["[c]", "[z]", "[x]"])


def provision_cells(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Area x period tables of every published provision column and of the derived ones.

    Derived from published values only: ``people`` and ``cost`` (internal + external) and
    ``direct_share`` (direct / all three); each is NaN with status "[c]" where any input is
    withheld ("[z]" for a share of nobody).
    """
    out: dict[str, pd.DataFrame] = {}
    for column in (
        "internal_share",
        "internal_people",
        "external_people",
        "direct_people",
        "internal_cost",
        "external_cost",
        "direct_cost",
    ):
        out[column], out[f"{column}_status"] = _pivot(rows, column)
    index, columns = out["internal_share"].index, out["internal_share"].columns

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=index, columns=columns)

    for name, parts in (
        ("people", ("internal_people", "external_people")),
        ("cost", ("internal_cost", "external_cost")),
    ):
        usable = np.logical_and.reduce([_usable(out, p) for p in parts])
        total = sum(out[p].to_numpy() for p in parts)
        out[name] = frame(np.where(usable, total, np.nan))
        out[f"{name}_status"] = frame(np.where(usable, "", WITHHELD).astype(object))
    parts = ("internal_people", "external_people", "direct_people")
    usable = np.logical_and.reduce([_usable(out, p) for p in parts])
    everyone = sum(out[p].fillna(0).to_numpy() for p in parts)
    shown = usable & (everyone > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(shown, out["direct_people"].fillna(0).to_numpy() / everyone, np.nan)
    out["direct_share"] = frame(share)
    status = np.where(shown, "", np.where(usable, "[z]", WITHHELD))
    out["direct_share_status"] = frame(status.astype(object))
    return out


def _matrix_hover(cells: dict[str, pd.DataFrame], i: int, j: int) -> list[str]:
    def text(name: str, kind: str) -> str:
        return format_value(cells[name].iat[i, j], kind, cells[f"{name}_status"].iat[i, j])

    return [
        text("internal_share", "share"),
        f"{text('internal_people', 'count')} internal, {text('external_people', 'count')} "
        f"external, {text('direct_people', 'count')} direct payment",
        f"{text('internal_cost', 'money')} internal, {text('external_cost', 'money')} external, "
        f"{text('direct_cost', 'money')} direct payment",
        text("direct_share", "share"),
    ]


def cell_label(text: str) -> str:
    """A matrix cell's short label: "[c]" alone, "50%" not "50.0%", and a [u] value without
    its shorthand: the matrix marks [u] cells by style (pale grey, ringed; layers.matrix) and
    the tooltip says "[u] low reliability"."""
    if text.startswith("["):
        return text.split(" ")[0]
    value = text.partition(" ")[0]
    if value.endswith(".0%"):
        value = value[:-3] + "%"
    return value


def _second_line(cells: dict[str, pd.DataFrame], detail: str, i: int, j: int) -> str:
    if detail not in ("people", "cost"):
        return ""
    kind = "count" if detail == "people" else "money"
    return cell_label(
        format_value(cells[detail].iat[i, j], kind, cells[f"{detail}_status"].iat[i, j])
    )


def provision_matrix_figure(
    rows: pd.DataFrame,
    *,
    city_share: float | None,
    detail: str = "people",
    parts: Collection[str] = (),
) -> go.Figure:
    """The thesis's Figure 37: areas x periods, coloured by internal share (PuOr centred on the
    city share), each cell labelled with its share and, on a second line, people or cost."""
    share_rows = rows.rename(
        columns={"internal_share": "value", "internal_share_status": "value_status"}
    )
    cells = provision_cells(rows)
    shares = cells["internal_share"]
    midpoint = city_share if city_share is not None else 0.5
    zmin, zmax = symmetric_range(shares.to_numpy().ravel().tolist(), midpoint)
    fig = matrix_figure(
        share_rows,
        kind="share",
        measure_label=SHARE_LABEL,
        zrange=(zmin, zmax),
        scale=SHARE_SCALE,
        parts=parts,
    )
    if not fig.data:  # the no-data figure
        return fig
    n_rows, n_cols = shares.shape
    text, custom = [], []
    for i in range(n_rows):
        text_row, custom_row = [], []
        for j in range(n_cols):
            share = cell_label(
                format_value(shares.iat[i, j], "share", cells["internal_share_status"].iat[i, j])
            )
            second = _second_line(cells, detail, i, j)
            text_row.append(f"{share}<br>{second}" if second else share)
            custom_row.append(_matrix_hover(cells, i, j))
        text.append(text_row)
        custom.append(custom_row)
    centre = f"city {percent(city_share)}" if city_share is not None else "50%"
    set_cell_text(fig, text, size=11)
    fig.data[0].update(
        customdata=custom,
        hovertemplate=(
            "%{y}, %{x}<br>Internal share: %{customdata[0]}<br>People: %{customdata[1]}"
            "<br>Cost: %{customdata[2]}<br>Direct payment share of people: %{customdata[3]}"
            "<extra></extra>"
        ),
        colorbar={
            "title": {"text": f"{SHARE_LABEL}<br>orange lower, purple higher<br>white = {centre}"},
            "tickformat": ".0%",
            "thickness": 14,
        },
    )
    row_height = 36 if detail in ("people", "cost") else 26
    fig.update_layout(height=max(260, row_height * n_rows + 110))
    return fig


def city_value(rows: pd.DataFrame, column: str = "city_value") -> float | None:
    """The city's published share from a result's rows (first row), or None when withheld."""
    if rows.empty or column not in rows.columns:
        return None
    value = rows[column].iloc[0]
    status = rows.get("city_status", pd.Series([""])).iloc[0]
    if is_missing(value) or status in ("[c]", "[z]", "[x]"):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
