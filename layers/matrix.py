"""The postcode/year matrix: areas x periods, coloured, labelled, with the thesis's highlights.

The three highlight modes are plain rules on the published (already protected) values, so the
rule shown in the tooltip is exactly what picked the cells.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from layers.margins import MarginPlan, fitted_layout, longest
from layers.style import (
    FONT_SIZE,
    HIGHLIGHT_COLOUR,
    MATRIX_SCALE,
    SUPPRESSED_FILL,
    TEMPLATE,
    UNVALIDATED,
    format_value,
)

HIGHLIGHT_MODES: dict[str, str] = {
    "none": "No highlight",
    "unusual": "Unusual cells",
    "improving": "Improving areas",
    "challenging": "Challenging years",
}

#: The rule behind each highlight, shown in its tooltip and under the chart.
HIGHLIGHT_RULES: dict[str, str] = {
    "none": "",
    "unusual": (
        "Unusual cells (boxed): the value is more than 2 standard deviations away from what its "
        "row (area) average and column (period) average together predict."
    ),
    "improving": (
        "Improving areas (boxed rows): at least 3 published periods, a falling straight-line "
        "trend, and the last value at least 10% below the first."
    ),
    "challenging": (
        "Challenging years (boxed columns): at least 60% of the areas published in both periods "
        "rose compared with the period before."
    ),
}

UNUSUAL_SD = 2.0
IMPROVING_DROP = 0.10
CHALLENGING_SHARE = 0.60


def natural_key(code: str) -> tuple[object, ...]:
    """Sort key that puts B2 before B10 and "B21 8" before "B21 10": digits compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code))


def pivot_matrix(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Numeric area x period table (NaN where withheld), its status table, and area names.

    ``rows`` are ``matrix`` view rows: area_code, area_name, period, value, value_status.
    A cell given twice keeps its first row. Vectorised: this runs on every filter change.
    """
    if rows.empty:
        empty = pd.DataFrame()
        return empty, empty, pd.Series(dtype=str)
    codes = rows["area_code"].astype(str).to_numpy()
    period_text = rows["period"].astype(str).to_numpy()
    statuses = rows["value_status"].fillna("").astype(str).to_numpy()
    numeric = pd.to_numeric(rows["value"], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan, copy=True
    )
    numeric[statuses == "[c]"] = np.nan
    periods = sorted(set(period_text))
    areas = sorted(set(codes), key=natural_key)
    row_of = {code: i for i, code in enumerate(areas)}
    col_of = {period: j for j, period in enumerate(periods)}
    i = np.fromiter((row_of[c] for c in codes), dtype=np.intp, count=len(codes))
    j = np.fromiter((col_of[p] for p in period_text), dtype=np.intp, count=len(codes))
    first = np.unique(i * len(periods) + j, return_index=True)[1]  # first row per cell
    i, j = i[first], j[first]
    value_grid = np.full((len(areas), len(periods)), np.nan)
    value_grid[i, j] = numeric[first]
    status_grid = np.full((len(areas), len(periods)), "[x]", dtype=object)
    status_grid[i, j] = statuses[first]
    names_by_code = dict(
        zip(codes[::-1], rows["area_name"].fillna("").astype(str)[::-1], strict=True)
    )
    values = pd.DataFrame(value_grid, index=areas, columns=periods)
    status = pd.DataFrame(status_grid, index=areas, columns=periods)
    names = pd.Series([names_by_code.get(a, "") for a in areas], index=areas, dtype=str)
    return values, status, names


def unusual_cells(values: pd.DataFrame, sd: float = UNUSUAL_SD) -> pd.DataFrame:
    """Cells far from the additive row + column expectation (a two-way residual test)."""
    if values.empty:
        return values.astype(bool)
    grand = np.nanmean(values.to_numpy()) if values.notna().any().any() else np.nan
    expected = (
        values.mean(axis=1).to_numpy()[:, None] + values.mean(axis=0).to_numpy()[None, :] - grand
    )
    residual = values.to_numpy() - expected
    spread = np.nanstd(residual) if np.isfinite(residual).sum() > 2 else np.nan
    if not np.isfinite(spread) or spread == 0:
        return pd.DataFrame(False, index=values.index, columns=values.columns)
    flags = np.abs(residual) > sd * spread
    return pd.DataFrame(np.nan_to_num(flags, nan=False).astype(bool), values.index, values.columns)


def improving_areas(values: pd.DataFrame, drop: float = IMPROVING_DROP) -> pd.Series:
    """Areas whose published values fall over the periods shown."""
    result = {}
    for area, series in values.iterrows():
        points = series.dropna()
        if len(points) < 3:
            result[area] = False
            continue
        x = np.arange(len(series))[series.notna().to_numpy()]
        slope = np.polyfit(x, points.to_numpy(), 1)[0]
        first, last = points.iloc[0], points.iloc[-1]
        result[area] = bool(slope < 0 and first > 0 and last <= first * (1 - drop))
    return pd.Series(result, dtype=bool).reindex(values.index, fill_value=False)


def challenging_years(values: pd.DataFrame, share: float = CHALLENGING_SHARE) -> pd.Series:
    """Periods in which most areas rose from the period before."""
    result = {column: False for column in values.columns}
    for before, after in zip(values.columns[:-1], values.columns[1:], strict=True):
        both = values[[before, after]].dropna()
        if both.empty:
            continue
        rose = (both[after] > both[before]).mean()
        result[after] = bool(rose >= share)
    return pd.Series(result, dtype=bool)


def _box(x0: float, x1: float, y0: float, y1: float, dash: str = "solid") -> dict:
    return {
        "type": "rect",
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "line": {"color": HIGHLIGHT_COLOUR, "width": 3, "dash": dash},
        "fillcolor": "rgba(0,0,0,0)",
        "layer": "above",
    }


def highlight_shapes(values: pd.DataFrame, mode: str) -> list[dict]:
    """Black outlines (readable without colour) around the cells, rows or columns picked out."""
    n_rows, n_cols = values.shape
    shapes: list[dict] = []
    if mode == "unusual":
        flags = unusual_cells(values).to_numpy()
        for i, j in zip(*np.nonzero(flags), strict=True):
            shapes.append(_box(j - 0.5, j + 0.5, i - 0.5, i + 0.5))
    elif mode == "improving":
        for i, flag in enumerate(improving_areas(values).to_numpy()):
            if flag:
                shapes.append(_box(-0.5, n_cols - 0.5, i - 0.5, i + 0.5, "dash"))
    elif mode == "challenging":
        for j, flag in enumerate(challenging_years(values).to_numpy()):
            if flag:
                shapes.append(_box(j - 0.5, j + 0.5, -0.5, n_rows - 0.5, "dash"))
    return shapes


def matrix_figure(
    rows: pd.DataFrame, *, kind: str, measure_label: str, highlight: str = "none"
) -> go.Figure:
    """Heatmap of the matrix rows with cell labels, "[c]" cells in grey, optional highlights."""
    values, status, names = pivot_matrix(rows)
    n_rows, n_cols = values.shape
    value_grid, status_grid = values.to_numpy(), status.to_numpy()
    labels = [
        [format_value(v, kind, st) for v, st in zip(value_row, status_row, strict=True)]
        for value_row, status_row in zip(value_grid.tolist(), status_grid.tolist(), strict=True)
    ]
    # Cells carry the bare shorthand ("[c]"); the tooltip carries its words.
    cell_text = [
        [lab.split(" ")[0] if lab.startswith("[") else lab for lab in row] for row in labels
    ]
    y_labels = [
        f"{code} {name}".strip() if name and name != code else code for code, name in names.items()
    ]
    layout = dict(
        template=TEMPLATE,
        plot_bgcolor=SUPPRESSED_FILL,  # withheld cells are NaN: the grey shows through them
        shapes=highlight_shapes(values, highlight) if highlight in HIGHLIGHT_MODES else [],
        yaxis={"autorange": "reversed", "type": "category", "automargin": False},
        xaxis={"type": "category", "side": "top", "automargin": False},
        height=max(260, 26 * n_rows + 110),
        **fitted_layout(
            MarginPlan(
                fixed={"l": 16, "r": 10, "t": 20, "b": 10},
                chars={"l": longest(y_labels)},
                lines={"t": 1.2},
            ),
            FONT_SIZE,
        ),
    )
    fig = go.Figure(
        go.Heatmap(
            **UNVALIDATED,
            z=values.to_numpy(),
            x=list(values.columns),
            y=y_labels,
            text=cell_text,
            customdata=labels,
            texttemplate="%{text}",
            hovertemplate="%{y}, %{x}<br>" + measure_label + ": %{customdata}<extra></extra>",
            colorscale=MATRIX_SCALE,
            colorbar={
                "title": {"text": f"{measure_label}<br>blue lower, red higher"},
                "thickness": 14,
            },
        ),
        layout=layout,
        **UNVALIDATED,
    )
    return fig
