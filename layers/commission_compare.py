"""The map of the difference between two elements by area (the thesis's Table 9 / Figure 26).

The difference is the query layer's own (element A minus element B, from published counts,
withheld where either is); this only draws it on a diverging scale centred on zero, blue where
A has more people and orange where B has more, matching the bars of the side-by-side chart.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from layers.area_map import VALUE_TRACE, MapView, map_figure
from layers.provision import symmetric_range
from layers.style import format_value, name_and_code

#: Orange (more B) -> near white (equal) -> blue (more A): ColorBrewer PuOr's oranges and
#: RdBu's blues, a pair that stays distinct for the common colour-vision deficiencies.
DIFFERENCE_SCALE: list[list[float | str]] = [
    [0.0, "#b35806"],
    [0.125, "#e08214"],
    [0.25, "#fdb863"],
    [0.375, "#fee0b6"],
    [0.5, "#f7f7f7"],
    [0.625, "#d1e5f0"],
    [0.75, "#92c5de"],
    [0.875, "#4393c3"],
    [1.0, "#2166ac"],
]


def difference_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """``element_compare`` rows in the shape the area map draws (value = the difference)."""
    return rows.assign(
        value=rows["difference"],
        value_status=rows["difference_status"],
        people=rows["a_people"],
        people_status=rows["a_status"],
    )


def difference_map_figure(
    rows: pd.DataFrame,
    *,
    label_a: str,
    label_b: str,
    geojson_url: str,
    outline_url: str | None,
    period_label: str,
    view: MapView,
    revision: str,
) -> go.Figure:
    """Map of A minus B people by area; withheld differences in the area map's grey."""
    fig = map_figure(
        difference_rows(rows),
        geojson_url=geojson_url,
        outline_url=outline_url,
        kind="count",
        measure_label="A minus B",
        period_label=period_label,
        view=view,
        revision=revision,
    )
    custom = {
        str(r.area_code): [
            name_and_code(r.area_name, r.area_code),
            format_value(r.a_people, "count", r.a_status),
            format_value(r.b_people, "count", r.b_status),
            format_value(r.difference, "count", r.difference_status),
        ]
        for r in rows.itertuples(index=False)
    }
    hover = (
        "<b>%{customdata[0]}</b><br>"
        + label_a
        + ": %{customdata[1]}<br>"
        + label_b
        + ": %{customdata[2]}<br>Difference (A minus B): %{customdata[3]}<extra></extra>"
    )
    for trace in fig.data:
        trace.customdata = [custom[str(code)] for code in trace.locations]
        trace.hovertemplate = hover
    zmin, zmax = symmetric_range(list(fig.data[VALUE_TRACE].z or []), 0.0)
    fig.data[VALUE_TRACE].update(
        colorscale=DIFFERENCE_SCALE,
        zmin=zmin,
        zmax=zmax,
        colorbar={
            "title": {
                "text": f"People, A minus B<br>{period_label}<br>blue: more A, orange: more B"
            }
        },
    )
    return fig
