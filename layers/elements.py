"""Element distribution: the top N elements by people, and a two-element compare by area."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from layers.margins import LINE_EM, MarginPlan, fitted_layout, legend_rows, text_ems, widest
from layers.style import (
    BAR_COLOUR,
    COUNT_TICKFORMAT,
    FONT_SIZE,
    LINE_COLOURS,
    TEMPLATE,
    UNVALIDATED,
    format_value,
    has_values,
    is_missing,
    name_and_code,
    no_data_figure,
    wrap_label,
)

#: Areas drawn in the compare chart (the table behind it lists them all).
COMPARE_AREAS_SHOWN = 20


def _numbers(values: pd.Series, statuses: pd.Series) -> list[float]:
    """Bar lengths: withheld values draw as zero-length bars labelled with their shorthand."""
    out = []
    for value, status in zip(values, statuses, strict=True):
        out.append(0.0 if is_missing(value) or status == "[c]" else float(value))
    return out


def bar_labels(codes: list[str], names: list[object]) -> list[str]:
    """Each bar's label: the element's name on at most two lines; where two shortened names
    would read the same (the bars share a category axis), each also gets its code."""
    labels = [wrap_label(name or code) for code, name in zip(codes, names, strict=True)]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    return [
        f"{label}<br>({code})" if seen[label] > 1 else label
        for code, label in zip(codes, labels, strict=True)
    ]


def elements_figure(rows: pd.DataFrame, *, place_label: str) -> go.Figure:
    """Horizontal bars of people per element, largest at the top, labelled by the element's
    name (its code in the tooltip)."""
    data = rows.reset_index(drop=True)
    if data.empty or not has_values(data["people"]):
        return no_data_figure()  # zero-length bars only: an axis of "-1 to 1 people"
    people_status = data.get("people_status", pd.Series([""] * len(data))).fillna("")
    text = [format_value(v, "count", s) for v, s in zip(data["people"], people_status, strict=True)]
    cost_status = data.get("cost_status", pd.Series([""] * len(data))).fillna("")
    codes, descriptions = list(data["element_code"]), list(data["element_description"])
    full_labels = [name_and_code(d, c) for c, d in zip(codes, descriptions, strict=True)]
    labels = bar_labels(codes, descriptions)
    hover = [
        [
            str(p),
            format_value(a, "count", sa),
            format_value(c, "money", sc),
            full,
        ]
        for p, a, sa, c, sc, full in zip(
            data.get("provision_type", pd.Series([""] * len(data))),
            data.get("agreements", pd.Series([None] * len(data))),
            data.get("agreements_status", pd.Series([""] * len(data))).fillna(""),
            data.get("cost", pd.Series([None] * len(data))),
            cost_status,
            full_labels,
            strict=True,
        )
    ]
    layout = dict(
        template=TEMPLATE,
        yaxis={"autorange": "reversed", "automargin": False, "type": "category"},
        xaxis={
            "title": {"text": f"People, {place_label}"},
            "rangemode": "tozero",
            "tickformat": COUNT_TICKFORMAT,
            "automargin": False,
        },
        height=max(260, 50 * len(data) + 100),  # two-line labels, also at presenter size
        **fitted_layout(
            MarginPlan(
                fixed={"l": 16, "r": 60, "t": 20, "b": 14},
                ems={"l": widest(labels)},
                lines={"b": 2.2},
            ),
            FONT_SIZE,
        ),
    )
    fig = go.Figure(
        go.Bar(
            **UNVALIDATED,
            x=_numbers(data["people"], people_status),
            y=labels,
            orientation="h",
            marker_color=BAR_COLOUR,
            text=text,
            textposition="outside",
            cliponaxis=False,
            customdata=hover,
            hovertemplate=(
                "<b>%{customdata[3]}</b><br>People: %{text}<br>Provision: %{customdata[0]}"
                "<br>Agreements: %{customdata[1]}<br>Cost: %{customdata[2]}<extra></extra>"
            ),
            name="People",
        ),
        layout=layout,
        **UNVALIDATED,
    )
    return fig


def element_compare_figure(rows: pd.DataFrame, *, label_a: str, label_b: str) -> go.Figure:
    """People of element A and B by area, and their difference, areas with the widest gap first."""
    data = rows.copy()
    if data.empty or not (has_values(data["a_people"]) or has_values(data["b_people"])):
        return no_data_figure()
    data["order"] = pd.to_numeric(data["difference"], errors="coerce").abs()
    data = data.sort_values("order", ascending=False, na_position="last").head(COMPARE_AREAS_SHOWN)
    names = [
        name_and_code(name, code)
        for code, name in zip(data["area_code"], data["area_name"].fillna(""), strict=True)
    ]
    traces = []
    for column, status, label, colour in (
        ("a_people", "a_status", label_a, BAR_COLOUR),
        ("b_people", "b_status", label_b, LINE_COLOURS[0]),
    ):
        statuses = data[status].fillna("")
        traces.append(
            go.Bar(
                **UNVALIDATED,
                x=_numbers(data[column], statuses),
                y=names,
                orientation="h",
                name=label,
                marker_color=colour,
                text=[
                    format_value(v, "count", s) for v, s in zip(data[column], statuses, strict=True)
                ],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}<br>" + label + ": %{text}<extra></extra>",
            )
        )
    diff_status = data["difference_status"].fillna("")
    traces.append(
        go.Scatter(
            **UNVALIDATED,
            x=_numbers(data["difference"], diff_status),
            y=names,
            mode="markers",
            marker={"symbol": "diamond", "size": 11, "color": "#000000"},
            name="Difference (A minus B)",
            text=[
                format_value(v, "count", s)
                for v, s in zip(data["difference"], diff_status, strict=True)
            ],
            hovertemplate="%{y}<br>Difference: %{text}<extra></extra>",
        )
    )
    legend_ems = tuple(text_ems(trace.name) for trace in traces)
    plan = MarginPlan(
        fixed={"l": 16, "r": 60, "t": 20, "b": 24},
        ems={"l": widest(names)},
        lines={"b": 2.2},
        legend=legend_ems,
    )
    # The figure grows by its legend's rows, so long element names do not shrink the bars.
    legend_height = round(legend_rows(legend_ems, FONT_SIZE) * LINE_EM * FONT_SIZE)
    layout = dict(
        template=TEMPLATE,
        barmode="group",
        yaxis={"autorange": "reversed", "automargin": False, "type": "category"},
        xaxis={
            "title": {"text": "People"},
            "tickformat": COUNT_TICKFORMAT,
            "zeroline": True,
            "zerolinecolor": "#4d4d4d",
            "automargin": False,
        },
        # The legend sits at the figure's foot, under the axis title, with room for its rows
        # (a legend placed relative to the plot covered the title on short charts).
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        height=max(300, 40 * len(data) + 140) + legend_height,
        **fitted_layout(plan, FONT_SIZE),
    )
    fig = go.Figure(traces, layout=layout, **UNVALIDATED)
    return fig
