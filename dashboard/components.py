"""Layout building blocks: the filter bar, a view card, the table behind a chart."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from dash import dcc, html

from dashboard import ids
from dashboard.choices import Choices
from layers.matrix import HIGHLIGHT_MODES, HIGHLIGHT_RULES
from layers.style import MEASURE_LABELS

LEVEL_LABELS = {
    "ward": "Wards",
    "district": "Postcode districts",
    "sector": "Postcode sectors",
    "h3r7": "Hexagons (about 5 km²)",
    "h3r8": "Hexagons (about 0.7 km²)",
}
PERIOD_KIND_LABELS = {"year": "Calendar year", "fy": "Financial year", "quarter": "Quarter"}
NEED_NOTE = "Hotspots show service activity, not need."
SUPPRESSION_LEGEND = "[c] suppressed: fewer than 10 (shown mid-grey)."


def _field(label: str, control: object, field_id: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=field_id), control], className="field")


def _multi(component_id: str, options: Sequence[dict], placeholder: str) -> dcc.Dropdown:
    return dcc.Dropdown(
        id=component_id, options=list(options), multi=True, placeholder=placeholder, value=[]
    )


def filter_bar(choices: Choices) -> html.Section:
    """The one filter bar every view reads (through the URL)."""
    kind_options = [{"label": PERIOD_KIND_LABELS[k], "value": k} for k in choices.periods]
    # Every kind's labels at first (a range dropdown clears a value it does not list, and a
    # shared URL may carry financial years); the period-kind callback then narrows them.
    every_label = dict.fromkeys(label for labels in choices.periods.values() for label in labels)
    periods = [{"label": p, "value": p} for p in every_label]
    measures = [
        {"label": MEASURE_LABELS[m], "value": m}
        for m in ("people", "agreements_active", "agreements_started", "cost", "internal_share")
    ]
    return html.Section(
        [
            html.H2("Filters", className="visually-hidden"),
            _field(
                "Period",
                dcc.RadioItems(id=ids.PERIOD_KIND, options=kind_options, value="year", inline=True),
                ids.PERIOD_KIND,
            ),
            _field(
                "From", dcc.Dropdown(id=ids.FROM, options=periods, placeholder="first"), ids.FROM
            ),
            _field("To", dcc.Dropdown(id=ids.TO, options=periods, placeholder="last"), ids.TO),
            _field(
                "Measure",
                dcc.Dropdown(id=ids.MEASURE, options=measures, value="people", clearable=False),
                ids.MEASURE,
            ),
            _field(
                "Rate",
                dcc.Checklist(
                    id=ids.PER_1000,
                    options=[{"label": " per 1,000 residents", "value": "on"}],
                    value=[],
                ),
                ids.PER_1000,
            ),
            _field(
                "Age band",
                _multi(ids.AGE_BANDS, [{"label": a, "value": a} for a in choices.age_bands], "all"),
                ids.AGE_BANDS,
            ),
            _field(
                "Client group",
                _multi(
                    ids.CLIENT_GROUPS,
                    [{"label": c, "value": c} for c in choices.client_groups],
                    "all",
                ),
                ids.CLIENT_GROUPS,
            ),
            _field(
                "Service",
                _multi(
                    ids.SERVICES,
                    [{"label": f"{c} {d}", "value": c} for c, d in choices.services],
                    "all",
                ),
                ids.SERVICES,
            ),
            _field(
                "Element",
                _multi(
                    ids.ELEMENTS,
                    [{"label": f"{c} {d}", "value": c} for c, d in choices.elements],
                    "all",
                ),
                ids.ELEMENTS,
            ),
            _field(
                "MIA theme",
                _multi(ids.THEMES, [{"label": t, "value": t} for t in choices.themes], "all"),
                ids.THEMES,
            ),
            _field(
                "Provision",
                _multi(ids.PROVISION, [{"label": p, "value": p} for p in choices.provision], "all"),
                ids.PROVISION,
            ),
        ],
        className="filter-bar",
        **{"aria-label": "Filters for every view"},
    )


def downloads(view: str) -> html.Div:
    return html.Div(
        [
            html.Button("Download CSV", id=ids.csv_button(view), className="button", n_clicks=0),
            html.Button("Download XLSX", id=ids.xlsx_button(view), className="button", n_clicks=0),
            dcc.Download(id=ids.download(view)),
        ],
        className="downloads",
    )


def table_alternative(view: str) -> html.Div:
    """The protected rows behind a chart, loaded when asked for (a text alternative)."""
    return html.Div(
        [
            html.Button(
                "Show table", id=ids.table_toggle(view), className="link-button", n_clicks=0
            ),
            html.Div(id=ids.table(view), className="table-wrap", **{"aria-live": "polite"}),
        ]
    )


def graph(component_id: str, description: str) -> html.Div:
    """A chart in a labelled figure region; its text alternative is the table below it."""
    return html.Div(
        dcc.Graph(
            id=component_id,
            config={
                "displaylogo": False,
                "toImageButtonOptions": {"format": "png", "scale": 2, "filename": component_id},
                "modeBarButtonsToRemove": ["select2d", "lasso2d"],
            },
            className="graph",
        ),
        role="figure",
        **{"aria-label": f"{description} (the table under the chart has the same figures)"},
    )


def view_section(view: str, title: str, body: list, *, slide: str) -> html.Section:
    """A view's block: title, chart and controls, its note, downloads and table."""
    return html.Section(
        [
            html.H2(title, id=f"title-{view}"),
            *body,
            html.Div(id=ids.note(view), className="note"),
            html.P([SUPPRESSION_LEGEND, " ", NEED_NOTE], className="legend-note"),
            downloads(view),
            table_alternative(view),
        ],
        className=f"card card-{slide}",
        **{"aria-labelledby": f"title-{view}"},
    )


def highlight_control() -> html.Div:
    options = [
        {
            "label": html.Span(label, title=HIGHLIGHT_RULES[mode] or "No cells picked out"),
            "value": mode,
        }
        for mode, label in HIGHLIGHT_MODES.items()
    ]
    return html.Div(
        [
            html.Span("Highlight: ", className="inline-label"),
            dcc.RadioItems(id=ids.HIGHLIGHT, options=options, value="none", inline=True),
            html.P(id="highlight-rule", className="rule"),
        ],
        className="view-controls",
    )


def map_controls(levels: Sequence[str] = tuple(LEVEL_LABELS)) -> html.Div:
    """The map's level switch, offering only ``levels`` (a viewer gets no sectors or H3)."""
    return html.Div(
        [
            html.Span("Map areas: ", className="inline-label"),
            dcc.RadioItems(
                id=ids.LEVEL,
                options=[
                    {"label": label, "value": level}
                    for level, label in LEVEL_LABELS.items()
                    if level in levels
                ],
                value="ward",
                inline=True,
            ),
        ],
        className="view-controls",
    )


def element_controls() -> html.Div:
    return html.Div(
        [
            _field(
                "Show top",
                dcc.Dropdown(
                    id=ids.TOP_N,
                    options=[{"label": str(n), "value": str(n)} for n in (5, 10, 20, 50)],
                    value="10",
                    clearable=False,
                ),
                ids.TOP_N,
            ),
        ],
        className="view-controls",
    )


def compare_controls(choices: Choices) -> html.Div:
    elements = [{"label": f"{c} {d}", "value": c} for c, d in choices.elements]
    return html.Div(
        [
            _field(
                "Element A",
                dcc.Dropdown(id=ids.ELEMENT_A, options=elements, placeholder="largest"),
                ids.ELEMENT_A,
            ),
            _field(
                "Element B",
                dcc.Dropdown(id=ids.ELEMENT_B, options=elements, placeholder="second largest"),
                ids.ELEMENT_B,
            ),
        ],
        className="view-controls",
    )


def data_table(rows: pd.DataFrame, caption: str, limit: int = 1000) -> html.Table | html.P:
    """A plain, screen-reader friendly table of the published rows (same values as the CSV)."""
    if rows.empty:
        return html.P("No rows for these filters.")
    shown = rows.head(limit)
    header = html.Thead(html.Tr([html.Th(c, scope="col") for c in shown.columns]))
    body = html.Tbody(
        [
            html.Tr([html.Td("" if pd.isna(v) else str(v)) for v in record])
            for record in shown.itertuples(index=False)
        ]
    )
    note = f" (first {limit} of {len(rows)} rows; download for all)" if len(rows) > limit else ""
    return html.Table([html.Caption(caption + note), header, body], className="data-table")
