"""Wire the page to the URL: controls <-> URL in one callback, and each view reads the URL.

The URL is the single source of truth, so copying it, reloading it or pressing the browser's
back button all give the same screen. Callback bodies delegate to pure functions
(dashboard.controls, dashboard.state, dashboard.views).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import MATCH, Input, Output, State, ctx, html, no_update

from dashboard import catalogue, ids
from dashboard.area_search import state_for_choice
from dashboard.choices import Choices
from dashboard.components import data_table, register_table_gate
from dashboard.controls import CONTROL_IDS, controls_from_state, state_from_controls
from dashboard.inputs import (
    as_clicks,
    as_text,
    as_url_part,
    match_value,
    refuse,
    triggered_match,
)
from dashboard.landing_callbacks import FOLD_KEYS, folds_to_open, register_landing_callbacks
from dashboard.matrix_keys import register as register_matrix_keys
from dashboard.pages import not_found, pages
from dashboard.present import present_href
from dashboard.state import (
    build_hash,
    build_search,
    drill,
    drill_from_matrix,
    drill_up,
    map_level,
    parse_location,
    selected_place,
)
from dashboard.views import (
    PAGE_VIEWS,
    Context,
    _place,
    export,
    render_compare,
    render_elements,
    render_matrix,
    render_trend,
    view_result,
)


def sync_location(
    trigger: str | None,
    search: str | None,
    fragment: str | None,
    values: dict[str, object],
    click_location: str | None,
    matrix_row: str | None = None,
    *,
    choices: Choices,
    found: dict[str, str] | None = None,
) -> tuple[str | None, str | None, dict[str, object]]:
    """New (search, hash, control values) after ``trigger`` fired; None = leave the URL.

    Triggered by the URL itself (first load, back/forward, a pasted link) the controls follow
    the URL; triggered by a control or button the URL follows the change. ``found`` is the
    state an area chosen in the search opens (dashboard.area_search).
    """
    previous = parse_location(search, fragment)
    if trigger in (None, ids.URL):
        state = previous
    elif trigger == ids.DRILL_UP:
        state = drill_up(previous)
    elif trigger == ids.MAP_GRAPH:
        state = drill(previous, click_location) if click_location else previous
    elif trigger == ids.MATRIX_GRAPH:
        state = drill_from_matrix(previous, matrix_row) if matrix_row else previous
    elif trigger == ids.AREA_SEARCH:
        state = found if found is not None else previous
    else:
        state = state_from_controls(values, previous, trigger, choices)
    new_search, new_hash = build_search(state), build_hash(state)
    return (
        None if new_search == build_search(previous) and trigger in (None, ids.URL) else new_search,
        None if new_hash == build_hash(previous) and trigger in (None, ids.URL) else new_hash,
        controls_from_state(state, choices),
    )


def offered_options(
    choices: Choices, state: dict[str, str], kinds: list[dict], levels: list[dict]
) -> tuple:
    """The filter bar's options with what the catalogue does not publish for the levels on
    screen disabled, the rule of the map's level in words, and why a link cannot be shown."""
    shown = [map_level(state), "sector" if state.get("within") else "district"]
    what_values = [o["value"] for o in catalogue.what_options(choices) if "disabled" not in o]
    what = catalogue.what_options(
        choices, catalogue.allowed_values("what", what_values, state, shown)
    )
    selects = []
    for key, values in (("age_bands", choices.age_bands), ("client_groups", choices.client_groups)):
        allowed = catalogue.allowed_values(key, values, state, shown)
        selects.append(catalogue.options_with([(v, v) for v in values], allowed))
    kind_values = [o["value"] for o in kinds]
    kind_ok = catalogue.allowed_values("period_kind", kind_values, state, shown)
    level_options = []
    for option in levels:
        trial_level = option["value"]
        ok = not catalogue.cell_problem(trial_level, state)
        level_options.append({**option, "disabled": not ok})
    return (
        what,
        *selects,
        [{**o, "disabled": o["value"] not in kind_ok} for o in kinds],
        level_options,
        catalogue.level_rule_text(map_level(state)),
        catalogue.link_message(state, choices),
    )


def _click_location(click_data: Any) -> str | None:
    try:
        return str(click_data["points"][0]["location"])
    except (KeyError, IndexError, TypeError):
        return None


def _click_row(click_data: Any) -> str | None:
    """The row label of a clicked heatmap cell."""
    try:
        return str(click_data["points"][0]["y"])
    except (KeyError, IndexError, TypeError):
        return None


def _control_value(cid: str, value: object) -> object:
    """A filter control's value as the browser sends it: text (or None); the per-1,000 toggle
    a list of text. Anything else reads as blank, which the URL then fills back in."""
    if cid == ids.PER_1000:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return value if ok and len(value) <= 4 else []
    return as_text(value)


def _options(value: object, what: str) -> list[dict]:
    """The options a select holds (sent back as state): a list of {label, value} objects."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(o, dict) and isinstance(o.get("value"), str) for o in value
    ):
        raise refuse(what)
    return value


def _note(lines: list) -> list:
    return [html.P(str(line)) for line in lines]


def register_callbacks(app: dash.Dash, context: Context) -> None:
    registry = pages()

    @app.callback(Output(ids.PAGE, "children"), Input(ids.SHELL_URL, "pathname"))
    def route(pathname: str | None) -> Any:
        pathname = as_url_part(pathname, "pathname")
        page = registry.get(pathname or "/")
        return page.layout(context) if page else not_found(pathname or "")

    for page in registry.values():
        if page.register is not None:
            page.register(app, context)
    register_matrix_keys(app, context)  # the matrix's rows as links (keyboard drill)

    control_inputs = [Input(cid, "value") for cid in CONTROL_IDS]
    control_outputs = [Output(cid, "value") for cid in CONTROL_IDS]

    @app.callback(
        Output(ids.URL, "search"),
        Output(ids.URL, "hash"),
        Output(ids.MAP_GRAPH, "clickData"),
        Output(ids.MATRIX_GRAPH, "clickData"),
        Output(ids.AREA_SEARCH, "value"),
        *control_outputs,
        Input(ids.URL, "search"),
        Input(ids.URL, "hash"),
        Input(ids.DRILL_UP, "n_clicks"),
        Input(ids.MAP_GRAPH, "clickData"),
        Input(ids.MATRIX_GRAPH, "clickData"),
        Input(ids.AREA_SEARCH, "value"),
        *control_inputs,
    )
    def sync(search, fragment, _up, click_data, matrix_click, chosen, *values):  # noqa: ANN001
        trigger = ctx.triggered_id if isinstance(ctx.triggered_id, str) else None
        if trigger == ids.URL or trigger is None:
            trigger = None
        search, fragment = as_url_part(search, "url.search"), as_url_part(fragment, "url.hash")
        current = {
            cid: _control_value(cid, value) for cid, value in zip(CONTROL_IDS, values, strict=True)
        }
        found = None
        if trigger == ids.AREA_SEARCH and chosen:
            found = state_for_choice(
                parse_location(search, fragment), as_text(chosen), context.db.reference
            )
        new_search, new_hash, shown = sync_location(
            trigger,
            search,
            fragment,
            current,
            _click_location(click_data),
            _click_row(matrix_click),
            choices=context.choices,
            found=found,
        )
        if new_search == (search or ""):
            new_search = None
        if new_hash == (fragment or ""):
            new_hash = None
        return (
            no_update if new_search is None else new_search,
            no_update if new_hash is None else new_hash,
            None if click_data else no_update,
            None if matrix_click else no_update,
            None if chosen else no_update,  # the search empties once it has drilled
            *[no_update if shown[cid] == current[cid] else shown[cid] for cid in CONTROL_IDS],
        )

    @app.callback(Output(ids.PERIOD, "options"), Input(ids.PERIOD_KIND, "value"))
    def period_options(kind: str | None) -> list:
        return catalogue.period_options(context.choices, as_text(kind) or "year")

    @app.callback(
        Output(ids.WHAT, "options"),
        Output(ids.AGE_BANDS, "options"),
        Output(ids.CLIENT_GROUPS, "options"),
        Output(ids.PERIOD_KIND, "options"),
        Output(ids.LEVEL, "options"),
        Output(ids.RULE, "children"),
        Output(ids.STATE_MESSAGE, "children"),
        Input(ids.URL, "search"),
        State(ids.PERIOD_KIND, "options"),
        State(ids.LEVEL, "options"),
    )
    def offered(search: str | None, kinds: list | None, levels: list | None) -> tuple:
        state = parse_location(search)
        kinds, levels = _options(kinds, "period kinds"), _options(levels, "levels")
        return offered_options(context.choices, state, kinds, levels)

    register_landing_callbacks(app, context)

    @app.callback(
        Output(ids.MATRIX_GRAPH, "figure"),
        Output(ids.note("matrix"), "children"),
        Output("highlight-rule", "children"),
        Input(ids.URL, "search"),
        Input(ids.URL, "hash"),
    )
    def update_matrix(search: str | None, fragment: str | None) -> tuple:
        figure, note, rule = render_matrix(context, parse_location(search, fragment))
        return figure, _note(note), rule

    @app.callback(
        Output(ids.ELEMENTS_GRAPH, "figure"),
        Output(ids.note("elements"), "children"),
        Input(ids.URL, "search"),
    )
    def update_elements(search: str | None) -> tuple:
        figure, note = render_elements(context, parse_location(search))
        return figure, _note(note)

    @app.callback(
        Output(ids.COMPARE_GRAPH, "figure"),
        Output(ids.note("element_compare"), "children"),
        Input(ids.URL, "search"),
    )
    def update_compare(search: str | None) -> tuple:
        figure, note = render_compare(context, parse_location(search))
        return figure, _note(note)

    @app.callback(
        Output(ids.TREND_GRAPH, "figure"),
        Output(ids.note("trend"), "children"),
        Input(ids.URL, "search"),
    )
    def update_trend(search: str | None) -> tuple:
        figure, note = render_trend(context, parse_location(search))
        return figure, _note(note)

    @app.callback(
        Output(ids.PLACE, "children"),
        Output(ids.DRILL_UP, "hidden"),
        Output(ids.PRESENT_LINK, "href"),
        *[Output(ids.fold(view), "open") for view in FOLD_KEYS],
        Input(ids.URL, "search"),
        Input(ids.URL, "hash"),
    )
    def update_frame(search: str | None, fragment: str | None) -> tuple:
        """The place line, the way back up, the Present link and the folds a link opens: one
        request per change rather than three."""
        state = parse_location(search, fragment)
        shown = f"Showing: {_place(context, state)}"
        opened = [True if wanted else no_update for wanted in folds_to_open(state)]
        return shown, selected_place(state) is None, present_href(state), *opened

    @app.callback(
        Output(ids.download(MATCH), "data"),
        Input(ids.csv_button(MATCH), "n_clicks"),
        Input(ids.xlsx_button(MATCH), "n_clicks"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def download(_csv: int, _xlsx: int, search: str | None) -> Any:
        trigger = triggered_match(ctx.triggered_id)
        if trigger is None or trigger[0] not in ("csv", "xlsx") or trigger[1] not in PAGE_VIEWS:
            return no_update  # not one of the page's export buttons
        fmt, view = trigger
        payload = export(context, view, parse_location(search), fmt)
        return payload if isinstance(payload, dict) else no_update

    register_table_gate(app, ids.URL, ids.table_toggle(MATCH), ids.table_search(MATCH))

    @app.callback(
        Output(ids.table(MATCH), "children"),
        Output(ids.table_toggle(MATCH), "children"),
        Input(ids.table_toggle(MATCH), "n_clicks"),
        Input(ids.table_search(MATCH), "data"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def table(clicks: int | None, _shown_for: object, search: str | None) -> Any:
        if not as_clicks(clicks) % 2:
            return None, "Show table"
        view = match_value(ctx.outputs_list)
        if view not in PAGE_VIEWS:
            raise refuse("view")
        outcome = view_result(context, view, parse_location(search))
        if outcome.result is None:
            return html.P(outcome.message), "Hide table"
        caption = f"Published rows behind the {view.replace('_', ' ')} chart"
        return data_table(outcome.result.rows, caption), "Hide table"
