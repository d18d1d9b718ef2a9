"""The postcode/year matrix: areas x periods, coloured, labelled, with the thesis's highlights.

The three highlight modes (layers.highlights) are plain rules on the published (already
protected) values, so the rule shown under the chart is exactly what picked the cells.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from layers.highlights import RULES, find
from layers.margins import MarginPlan, fits_flat, fitted_layout, text_ems, widest
from layers.style import (
    FONT_SIZE,
    HIGHLIGHT_COLOUR,
    MATRIX_SCALE,
    PART_MARK,
    SUPPRESSED_FILL,
    SUPPRESSED_TEXT,
    TEMPLATE,
    UNVALIDATED,
    format_value,
    has_values,
    money_axis,
    no_data_figure,
)

HIGHLIGHT_MODES: dict[str, str] = {
    "none": "No highlight",
    "unusual": "Unusual cells",
    "improving": "Improving areas",
    "challenging": "Challenging years",
}

#: Period labels longer than a year lie flat if they fit side by side in this (a full-width card
#: at 1280 px less the area names and colour bar: the overview's plot is about 690 px there).
FLAT_LABELS_PX = 640


#: The rule behind each highlight, shown in its tooltip and under the chart.
HIGHLIGHT_RULES: dict[str, str] = RULES

#: Type size of the numbers in the cells: fixed, so one long label ("12.3 [u]") can no longer
#: shrink every cell's text to ~5 px as Plotly's automatic size did.
CELL_TEXT_SIZE = 12
#: A [u] (low reliability) cell keeps its number but takes no colour from the scale (a rate of
#: 0% or 100% on a few people would otherwise be the brightest cell): it is pale grey with an
#: open ring in its corner; the legend and the tooltip say what that means.
UNRELIABLE_FILL = "#e3e3e3"
UNRELIABLE_NAME = "[u] low reliability (pale grey, ringed)"
WITHHELD_NAME = f"{SUPPRESSED_TEXT}, in grey"


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


def highlight_shapes(values: pd.DataFrame, mode: str, parts: Collection[str] = ()) -> list[dict]:
    """Black outlines (readable without colour) around the cells, rows or columns picked out
    (part periods never are)."""
    n_rows, n_cols = values.shape
    picked = find(values, mode, parts)
    shapes = [_box(j - 0.5, j + 0.5, i - 0.5, i + 0.5) for i, j in picked.cells]
    shapes += [_box(-0.5, n_cols - 0.5, i - 0.5, i + 0.5, "dash") for i in picked.rows]
    shapes += [_box(j - 0.5, j + 0.5, -0.5, n_rows - 0.5, "dash") for j in picked.columns]
    return shapes


def set_cell_text(fig: go.Figure, text: list[list[str]], size: int = CELL_TEXT_SIZE) -> None:
    """Put other words in the cells of a matrix_figure (e.g. a second line of people): the
    numbers trace draws them, the heatmap keeps them for its hover and its tests."""
    fig.data[0].text = text
    for trace in fig.data:
        if trace.type == "scatter" and trace.mode == "text":
            trace.text = [t for row in text for t in row]
            trace.textfont.size = size


def highlight_note(rows: pd.DataFrame, mode: str, parts: Collection[str] = ()) -> str:
    """The rule of ``mode`` and what it found for these rows ("None found: ..." when nothing
    qualifies), for the line under the chart; part periods shown are said to be left out."""
    if mode not in HIGHLIGHT_RULES or mode == "none":
        return ""
    values, _, _ = pivot_matrix(rows)
    found = find(values, mode, parts).summary(*values.shape)
    shown = [str(c) for c in values.columns if str(c) in parts]
    left_out = f" Part periods ({', '.join(shown)}) are left out." if shown else ""
    return f"{HIGHLIGHT_RULES[mode]} {found}{left_out}"


def _legend_entry(name: str, colour: str, line: str) -> go.Scatter:
    """A legend-only entry (no points) that names a cell style."""
    return go.Scatter(
        **UNVALIDATED,
        x=[None],
        y=[None],
        mode="markers",
        name=name,
        marker={
            "symbol": "square",
            "size": 14,
            "color": colour,
            "line": {"color": line, "width": 1},
        },
        hoverinfo="skip",
        showlegend=True,
    )


def cell_texts(values: pd.DataFrame, status: pd.DataFrame, kind: str) -> tuple[list, list]:
    """(text in each cell, text in each tooltip). A cell shows its number alone, or the bare
    shorthand ("[c]") when withheld; the tooltip carries the words ("12.3 [u] low reliability")."""
    labels = [
        [format_value(v, kind, st) for v, st in zip(value_row, status_row, strict=True)]
        for value_row, status_row in zip(
            values.to_numpy().tolist(), status.to_numpy().tolist(), strict=True
        )
    ]
    cells = [
        [
            lab.split(" ")[0] if lab.startswith("[") else lab.replace(" [u] low reliability", "")
            for lab in row
        ]
        for row in labels
    ]
    return cells, labels


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a "#rrggbb" colour."""
    channels = [int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_colours(
    values: np.ndarray,
    status: np.ndarray,
    zmin: float,
    zmax: float,
    scale: list[list[float | str]] = MATRIX_SCALE,
) -> list[str]:
    """Black or white, whichever reads better on each cell's fill (row by row, flattened):
    black on grey [c] cells and on the pale [u] cells."""
    span = zmax - zmin if zmax > zmin else 1.0
    out = []
    for value, flag in zip(values.ravel(), status.ravel(), strict=True):
        if flag == "[u]" or not np.isfinite(value):
            out.append("#000000")
            continue
        position = min(max((value - zmin) / span, 0.0), 1.0)
        stop = min(int(position * (len(scale) - 1) + 0.5), len(scale) - 1)
        fill = str(scale[stop][1])
        out.append("#000000" if _luminance(fill) > 0.179 else "#ffffff")
    return out


def _unreliable(status: pd.DataFrame, x: list[str], y: list[str]) -> list[go.BaseTraceType]:
    """The pale grey fill of [u] cells and the ring in their top-left corner. Neither answers the
    pointer: the heatmap's tooltip, underneath, does and says "[u] low reliability"."""
    flags = status.to_numpy() == "[u]"
    if not flags.any():
        return []
    rows, cols = np.nonzero(flags)
    return [
        go.Heatmap(
            **UNVALIDATED,
            z=np.where(flags, 1.0, np.nan),
            x=x,
            y=y,
            colorscale=[[0, UNRELIABLE_FILL], [1, UNRELIABLE_FILL]],
            showscale=False,
            hoverinfo="skip",
            name=UNRELIABLE_NAME,
        ),
        go.Scatter(
            **UNVALIDATED,
            x=[x[j] for j in cols],
            y=[y[i] for i in rows],
            mode="markers",
            marker={"symbol": "circle-open", "size": 7, "color": "#1a1a1a", "line": {"width": 1.5}},
            xaxis="x2",
            yaxis="y2",
            hoverinfo="skip",
            showlegend=False,
            name=UNRELIABLE_NAME,
        ),
    ]


def _numbers(
    cell_text: list[list[str]], colours: list[str], x: list[str], y: list[str]
) -> go.Scatter:
    """Every cell's number, on top of the fills, at one fixed size (CELL_TEXT_SIZE)."""
    return go.Scatter(
        **UNVALIDATED,
        x=[label for _ in y for label in x],
        y=[label for label in y for _ in x],
        text=[t for row in cell_text for t in row],
        mode="text",
        textfont={"size": CELL_TEXT_SIZE, "color": colours},
        hoverinfo="skip",
        showlegend=False,
        name="cell values",
    )


def _order(labels: list[str]) -> dict:
    """Category axis keys that keep the rows and periods in the order given."""
    return {"categoryorder": "array", "categoryarray": labels}


def _money_ticks(zmin: float, zmax: float) -> dict:
    """Colour bar ticks in the one money format (no "2M", no "£800m" for £0.8)."""
    axis = money_axis([zmin, zmax])
    shown = [(v, t) for v, t in zip(axis["tickvals"], axis["ticktext"], strict=True) if v >= zmin]
    return {
        "tickmode": "array",
        "tickvals": [v for v, _ in shown],
        "ticktext": [t for _, t in shown],
    }


def matrix_figure(
    rows: pd.DataFrame,
    *,
    kind: str,
    measure_label: str,
    highlight: str = "none",
    zrange: tuple[float, float] | None = None,
    scale: list[list[float | str]] = MATRIX_SCALE,
    upright_periods: bool | None = None,
    parts: Collection[str] = (),
) -> go.Figure:
    """Heatmap of the matrix rows with cell labels at a fixed size, "[c]" cells in grey, "[u]"
    cells pale and ringed, optional highlights; the no-data figure when nothing is published.
    ``upright_periods`` says whether the period labels stand upright (None: when longer than
    a year and too wide to lie flat in FLAT_LABELS_PX; the projector's type always needs it).
    Part periods' columns are headed "(part)" and never highlighted."""
    values, status, names = pivot_matrix(rows)
    if values.empty:
        return no_data_figure()
    # Every cell withheld: the grey grid still says which areas and periods there are (and
    # its rows still drill down), but without a colour bar running "-0.4 to 0.4".
    any_value = has_values(values.to_numpy().ravel())
    n_rows, n_cols = values.shape
    cell_text, labels = cell_texts(values, status, kind)
    y_labels = [
        f"{code} {name}".strip() if name and name != code else code for code, name in names.items()
    ]
    x_labels = [f"{c} {PART_MARK}" if str(c) in parts else str(c) for c in values.columns]
    legend_names = [WITHHELD_NAME]
    extra = _unreliable(status, x_labels, y_labels)
    grid = values.to_numpy(dtype=float)
    coloured = np.where(status.to_numpy() == "[u]", np.nan, grid)  # [u]: no colour of its own
    reliable = coloured[np.isfinite(coloured)]
    zmin, zmax = zrange or (
        (float(reliable.min()), float(reliable.max())) if reliable.size else (0.0, 1.0)
    )
    colours = text_colours(grid, status.to_numpy(), zmin, zmax, scale)
    if extra:
        legend_names.append(UNRELIABLE_NAME)
    axis = {"type": "category", "automargin": False}
    # Upright labels get a top that holds them whole, under the tool bar, and their angle is
    # set: left to itself Plotly tilts them 30 degrees, half-filling that top and leaving a
    # blank band over the matrix (or lays a few flat in it).
    upright = upright_periods
    if upright is None:  # years always fit
        upright = widest(x_labels) > text_ems("2015") and not fits_flat(
            x_labels, FONT_SIZE, FLAT_LABELS_PX
        )
    layout = dict(
        template=TEMPLATE,
        plot_bgcolor=SUPPRESSED_FILL,  # withheld cells are NaN: the grey shows through them
        shapes=highlight_shapes(values, highlight, parts) if highlight in HIGHLIGHT_MODES else [],
        # Fixed ranges: the text and ring traces would otherwise pad the autorange by rows.
        # Every row named (dtick 1): left to itself Plotly names every other area once rows
        # are barely taller than the type, as on a projector's slide.
        yaxis={**axis, "range": [n_rows - 0.5, -0.5], "dtick": 1, **_order(y_labels)},
        xaxis={
            **axis,
            "side": "top",
            "range": [-0.5, n_cols - 0.5],
            **({"tickangle": -90} if upright else {}),
            **_order(x_labels),
        },
        # The rings' axes: the same categories, shifted a third of a cell up and left.
        xaxis2={
            **axis,
            "overlaying": "x",
            "visible": False,
            "range": [-0.5 + 0.36, n_cols - 0.5 + 0.36],
            **_order(x_labels),
        },
        yaxis2={
            **axis,
            "overlaying": "y",
            "visible": False,
            "range": [n_rows - 0.5 + 0.3, -0.5 + 0.3],
            **_order(y_labels),
        },
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        showlegend=True,
        height=max(260, 26 * n_rows + 150),
        **fitted_layout(
            MarginPlan(
                fixed={"l": 16, "r": 10, "t": 20, "b": 14},
                ems={"l": widest(y_labels), "t": widest(x_labels) if upright else 0},
                # Flat labels: a line; upright ones: the gap between their foot and the grid.
                lines={"t": 0.4 if upright else 1.2},
                legend=tuple(text_ems(n) for n in legend_names),
                clears_toolbar=upright,
            ),
            FONT_SIZE,
        ),
    )
    traces: list[go.BaseTraceType] = [
        go.Heatmap(
            **UNVALIDATED,
            z=coloured,
            zmin=zmin,
            zmax=zmax,
            x=x_labels,
            y=y_labels,
            text=cell_text,
            customdata=labels,
            hovertemplate="%{y}, %{x}<br>" + measure_label + ": %{customdata}<extra></extra>",
            colorscale=scale,
            showscale=any_value,
            colorbar={
                "title": {"text": f"{measure_label}<br>blue lower, red higher"},
                "thickness": 14,
                **(_money_ticks(zmin, zmax) if kind == "money" else {}),
            },
            name=measure_label,
        ),
        *extra,
        _numbers(cell_text, colours, x_labels, y_labels),
        _legend_entry(WITHHELD_NAME, SUPPRESSED_FILL, SUPPRESSED_FILL),
    ]
    if extra:
        traces.append(_legend_entry(UNRELIABLE_NAME, UNRELIABLE_FILL, "#1a1a1a"))
    return go.Figure(traces, layout=layout, **UNVALIDATED)
