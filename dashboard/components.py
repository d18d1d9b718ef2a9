"""Layout building blocks: the filter bar, a view card, the table behind a chart."""

from __future__ import annotations

from collections.abc import Sequence

import dash
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, dcc, html

from dashboard import ids
from dashboard.catalogue import ALL_VALUE, every_period_option, options_with, what_options
from dashboard.choices import Choices
from layers.matrix import HIGHLIGHT_MODES, HIGHLIGHT_RULES
from layers.style import MEASURE_LABELS, SUPPRESSED_TEXT

LEVEL_LABELS = {
    "ward": "Wards",
    "district": "Postcode districts",
    "sector": "Postcode sectors",
    "h3r7": "Hexagons (about 5 km²)",
    "h3r8": "Hexagons (about 0.7 km²)",
}
PERIOD_KIND_LABELS = {"year": "Calendar year", "fy": "Financial year", "quarter": "Quarter"}
NEED_NOTE = "Hotspots show service activity, not need."
SUPPRESSION_LEGEND = f"{SUPPRESSED_TEXT}, shown mid-grey."


def _field(label: str, control: object, field_id: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=field_id), control], className="field")


def single_select(
    component_id: str, options: Sequence[dict], *, value: str | None = ALL_VALUE, **extra: object
) -> dcc.Dropdown:
    """One value or "All" (PRIVACY.md v2 §2: no lists anywhere)."""
    return dcc.Dropdown(
        id=component_id,
        options=list(options),
        value=value,
        multi=False,
        clearable=False,
        placeholder="choose one",
        **extra,
    )


def what_picker(component_id: str, choices: Choices) -> dcc.Dropdown:
    """The one grouped "what" picker: all services, a provision type, an MIA theme, a theme by
    provision type, a service or an element (labels carry codes and names; search by either)."""
    return single_select(
        component_id,
        what_options(choices),
        search_order="original",
        maxHeight=360,
        className="what-picker",
    )


def period_picker(component_id: str, choices: Choices, value: str | None = None) -> dcc.Dropdown:
    """One period or a preset range (whole series, last 5, last 3): no free from / to."""
    labels = choices.periods.get("year", [])
    default = f"{labels[0]}..{labels[-1]}" if len(labels) > 1 else (labels[0] if labels else None)
    return single_select(
        component_id,
        every_period_option(choices),
        value=value if value is not None else default,
        search_order="original",
        maxHeight=320,
    )


def filter_bar(choices: Choices) -> html.Section:
    """The one filter bar every view reads (through the URL)."""
    kind_options = [{"label": PERIOD_KIND_LABELS[k], "value": k} for k in choices.periods]
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
            _field("Periods shown", period_picker(ids.PERIOD, choices), ids.PERIOD),
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
            _field("Services", what_picker(ids.WHAT, choices), ids.WHAT),
            _field(
                "Age band",
                single_select(
                    ids.AGE_BANDS, options_with([(a, a) for a in choices.age_bands], None)
                ),
                ids.AGE_BANDS,
            ),
            _field(
                "Client group",
                single_select(
                    ids.CLIENT_GROUPS, options_with([(c, c) for c in choices.client_groups], None)
                ),
                ids.CLIENT_GROUPS,
            ),
            html.P(id=ids.RULE, className="rule filter-rule", **{"aria-live": "polite"}),
            html.P(id=ids.STATE_MESSAGE, className="state-message", role="alert"),
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
            dcc.Store(id=ids.table_search(view)),
        ]
    )


def register_table_gate(app: dash.Dash, url: str, toggle: dict, search: dict) -> None:
    """Let a shown table follow the filters and a hidden one cost nothing: in the browser, the
    URL's query string goes to the table's search store (``search``, a MATCH id; its server
    callback reads the table) only while the table is shown (assets/tables.js). Without it,
    every filter change sent one request per table on the page, each answering "hidden"."""
    app.clientside_callback(
        ClientsideFunction("tables", "followUrlWhenOpen"),
        Output(search, "data"),
        Input(url, "search"),
        State(toggle, "n_clicks"),
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


def about_chart(note_id: str | dict, legend: str) -> html.Details:
    """The chart's definition, data date, method and disclosure rule, folded into one "About
    this chart" under it: shown once when asked for, not a screenful under every chart."""
    parts: list = [html.Summary("About this chart"), html.Div(id=note_id, className="note")]
    if legend:
        parts.append(html.P(legend, className="legend-note"))
    return html.Details(parts, className="about")


def view_section(view: str, title: str, body: list) -> html.Section:
    """A view's block: title, chart and controls, what it shows, downloads and table."""
    return html.Section(
        [html.H2(title, id=f"title-{view}"), *_view_parts(view, body)],
        className=f"card card-{view}",
        **{"aria-labelledby": f"title-{view}"},
    )


def fold_section(view: str, title: str, teaser: str, body: list) -> html.Details:
    """A secondary view folded under its title and one line on what it shows: the page then
    scans in a meeting (headlines, map, trend, then what else there is), and one click opens
    the whole view, controls, downloads and table included."""
    return html.Details(
        [
            html.Summary(
                [html.H2(title, id=f"title-{view}"), html.Span(teaser, className="fold-teaser")],
                className="fold-summary",
            ),
            *_view_parts(view, body),
        ],
        id=ids.fold(view),
        className=f"card card-{view} fold",
        **{"aria-labelledby": f"title-{view}"},
    )


def _view_parts(view: str, body: list) -> list:
    return [
        *body,
        about_chart(ids.note(view), f"{SUPPRESSION_LEGEND} {NEED_NOTE}"),
        downloads(view),
        table_alternative(view),
    ]


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
            html.Label("Highlight: ", htmlFor=ids.HIGHLIGHT, className="inline-label"),
            dcc.RadioItems(id=ids.HIGHLIGHT, options=options, value="none", inline=True),
            html.P(id="highlight-rule", className="rule"),
        ],
        className="view-controls",
    )


def map_controls(levels: Sequence[str] = tuple(LEVEL_LABELS)) -> html.Div:
    """The map's level switch, offering only ``levels`` (a viewer gets no sectors or H3)."""
    return html.Div(
        [
            html.Label("Map areas: ", htmlFor=ids.LEVEL, className="inline-label"),
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


MAP_MODE_LABELS = {
    "compare": "Against the city (people per 1,000)",
    "counts": "Counts of the measure chosen",
}


def map_mode_control() -> html.Div:
    """The map's two readings, one click apart."""
    return html.Div(
        [
            html.Label("Show: ", htmlFor=ids.MAP_MODE, className="inline-label"),
            dcc.RadioItems(
                id=ids.MAP_MODE,
                options=[
                    {"label": label, "value": mode} for mode, label in MAP_MODE_LABELS.items()
                ],
                value="compare",
                inline=True,
            ),
        ],
        className="view-controls",
    )


def area_search() -> html.Div:
    """Find a ward, postcode district or sector by name or code, or type a full postcode:
    choosing one drills the map and the views there (the keyboard's way into the map)."""
    return html.Div(
        [
            html.Label("Find an area", htmlFor=ids.AREA_SEARCH),
            dcc.Dropdown(
                id=ids.AREA_SEARCH,
                options=[],
                value=None,
                searchable=True,
                clearable=True,
                placeholder="Ward, district, sector or postcode (B31 2AB)",
                maxHeight=320,
            ),
        ],
        className="field area-search",
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
    elements = [{"label": label, "value": c} for c, label in choices.element_options()]
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
