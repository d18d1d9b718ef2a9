"""Budget officers' page: an MIA theme's activity per financial year beside its budget figures,
what a saving means in people, and MIA17 enablement beyond 6 weeks.

Every number comes from the query layer through the page's runner (protected and audited).
The theme's trend is one ``trend`` query (its meta carries the theme's Table 14 figures); the
MIA17 tables are ``enablement`` queries, one per financial year and client group or area level,
put side by side. Those composite tables, the Table 14 targets and the "what the saving means"
table are not one query-layer result, so they have their own downloads (``TABLES`` ids, the
same CSV / XLSX format and audit as the kit's) built from the same protected results.

The page is per financial year (budgets run April to March): its URL always names
``period_kind=fy`` once a control is touched, and a URL without it is read as financial years.
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import MATCH, Input, Output, State, dcc, html, no_update
from dash import ctx as callback_context

from dashboard.catalogue import ALL_VALUE
from dashboard.components import data_table
from dashboard.pagekit import (
    CardQuery,
    PageControl,
    PageIds,
    PageState,
    PeriodControl,
    card,
    control_bar,
    graph,
    note_children,
    notes_for,
    parse_page_state,
    register_card_tables,
    register_url_sync,
    run_query,
    shared_filter_controls,
)
from dashboard.pages import Page
from dashboard.views import Context, ViewOutcome, download_payload, note_text
from layers.mia import (
    ALL_GROUPS,
    TARGET_COLUMNS,
    element_group,
    enablement_area_figure,
    enablement_groups_figure,
    group_label,
    mia_trend_figure,
    targets_display,
    targets_frame,
)
from layers.mia_saving import (
    ILLUSTRATION,
    SAVING_COLUMNS,
    choose_basis,
    saving_meaning,
)
from layers.style import empty_figure, format_value
from queries.result import Column, ProtectedResult

IDS = PageIds("budget")
#: Ids of the composite cards (targets, saving, MIA17): their own downloads and tables.
TABLES = PageIds("budget-tables")
PATH = "/budget"
PERIOD_KIND = "fy"
DEFAULT_THEME = "MIA3"
ENABLEMENT_THEME = "MIA17"
AREA_LEVELS: tuple[tuple[str, str], ...] = (("district", "Postcode district"), ("ward", "Ward"))
#: The filters this page passes on to every query besides the theme and the period: the theme
#: is the page's one "what" (with a provision type it is the theme x provision member), so no
#: service or element filter applies (PRIVACY.md v2 §2: one what at a time).
PASSED_FILTERS: tuple[str, ...] = ("age_bands", "client_groups", "provision")
DERIVED_CARDS: tuple[str, ...] = ("targets", "saving", "mia17_groups", "mia17_areas")
NOT_RECONCILED_NOTE = (
    "Table 14's net spend and savings targets are budget figures from the council's 2016 "
    "budget, not sums of agreement costs: they are shown beside the agreement costs for "
    "reference and do not reconcile with them."
)


# --- controls ----------------------------------------------------------------------------


class ValidatedControl(PageControl):
    """A one-value control that reads from the URL only a value it offers (a link from another
    page may carry a calendar year or several themes); anything else falls back to its default.
    """

    def value_from_state(self, state: PageState) -> object:
        allowed = {value for value, _ in self.options}
        for part in (state.get(self.key) or "").split(","):
            if part in allowed:
                return part
        return self.default


class ExplicitControl(ValidatedControl):
    """A control whose value always goes into the URL, default or not: on this page the theme,
    the period kind and the area level differ from the query layer's defaults, so the URL must
    name them for it to mean the same thing against the API."""

    def text_from_value(self, value: object) -> str:
        return str(value) if value not in (None, "") else ""


def theme_control(ctx: Context) -> ExplicitControl:
    themes = list(ctx.choices.themes)
    default = DEFAULT_THEME if DEFAULT_THEME in themes else (themes[0] if themes else None)
    return ExplicitControl(
        "themes",
        "MIA theme",
        "dropdown",
        tuple((t, t) for t in sorted(themes, key=_theme_number)),
        default=default,
        clearable=False,
    )


def _theme_number(theme: str) -> tuple[int, str]:
    digits = "".join(ch for ch in theme if ch.isdigit())
    return (int(digits) if digits else 0, theme)


def period_controls(ctx: Context) -> tuple[PageControl, ...]:
    return (
        ExplicitControl(
            "period_kind",
            "Period",
            "radio",
            ((PERIOD_KIND, "Financial year (April to March)"),),
            default=PERIOD_KIND,
        ),
        PeriodControl(
            "period", "Financial years", "period", (), choices=ctx.choices, period_kinds=("fy",)
        ),
    )


def level_control() -> ExplicitControl:
    return ExplicitControl(
        "level", "Areas", "radio", AREA_LEVELS, default=AREA_LEVELS[0][0], clearable=False
    )


def filter_controls(ctx: Context) -> tuple[PageControl, ...]:
    """The filter bar: the theme, with a provision type or all (the theme x provision member),
    the financial years, one age band, one client group."""
    shared = {c.key: c for c in shared_filter_controls(ctx.choices)}
    provision = PageControl(
        "provision",
        "Provision type",
        "dropdown",
        tuple((p, p) for p in ctx.choices.provision),
        ALL_VALUE,
    )
    return (
        theme_control(ctx),
        provision,
        *period_controls(ctx),
        shared["age_bands"],
        shared["client_groups"],
    )


def controls(ctx: Context) -> tuple[PageControl, ...]:
    return (*filter_controls(ctx), level_control())


def levels_shown(state: PageState) -> list[str]:
    """The chosen area level (MIA17 by area), then the city (trend, MIA17 by group)."""
    level = state.get("level", AREA_LEVELS[0][0])
    return [level if level in dict(AREA_LEVELS) else AREA_LEVELS[0][0], "city"]


# --- page state -> query parameters ------------------------------------------------------


def page_state(ctx: Context, state: PageState) -> PageState:
    """The state the page shows: theme, financial-year range and area level as the controls
    read them; the other filters as given (the query layer checks them)."""
    out: PageState = {"period_kind": PERIOD_KIND}
    labels = ctx.choices.periods.get(PERIOD_KIND, [])
    for key in ("from", "to"):
        if state.get(key) in labels:
            out[key] = state[key]
    for control in controls(ctx):
        if control.key in ("period_kind", "period"):
            continue
        if isinstance(control, ValidatedControl):
            value = control.value_from_state(state)
            if value:
                out[control.key] = str(value)
        elif state.get(control.key):
            out[control.key] = state[control.key]
    return out


def _passed(state: PageState) -> dict[str, str]:
    return {k: state[k] for k in PASSED_FILTERS if state.get(k)}


def trend_params(ctx: Context, state: PageState) -> dict[str, str]:
    shown = page_state(ctx, state)
    params = {"period_kind": PERIOD_KIND, **_passed(shown), "level": "city"}
    for key in ("from", "to", "themes"):
        if shown.get(key):
            params[key] = shown[key]
    return params


def query_of(ctx: Context, name: str, state: PageState) -> CardQuery | None:
    """The query-layer view and parameters behind the page's one single-query card."""
    if name == "trend":
        return CardQuery("trend", trend_params(ctx, state))
    return None


def financial_years(ctx: Context, state: PageState) -> list[str]:
    """The financial years from..to of the state (all when unset)."""
    labels = list(ctx.choices.periods.get(PERIOD_KIND, []))
    shown = page_state(ctx, state)
    if not labels:
        return []
    first = labels.index(shown.get("from", labels[0]))
    last = labels.index(shown.get("to", labels[-1]))
    return labels[first : last + 1]


def enablement_groups(ctx: Context) -> dict[str, tuple[str, str]]:
    """MIA17 enablement elements by client-group prefix (LD / OA / PD): group -> (element,
    label). One element each: the catalogue publishes one element at a time, never a list."""
    groups: dict[str, tuple[str, str]] = {}
    for code, element in sorted(ctx.db.reference.elements.items()):
        if element.mia_theme != ENABLEMENT_THEME:
            continue
        group = element_group(code) or code
        key = group if group not in groups else code
        groups[key] = (code, f"{group_label(group)} ({code})")
    return groups


def enablement_params(
    ctx: Context,
    state: PageState,
    year: str,
    *,
    level: str = "city",
    element: str = "",
) -> dict[str, str]:
    """One financial year's ``enablement`` query (one cell per area needs one period): all
    enablement (the MIA17 theme, with the provision type if chosen) or one element."""
    params = {
        "period_kind": PERIOD_KIND,
        "from": year,
        "to": year,
        "level": level,
        **_passed(page_state(ctx, state)),
    }
    if element:
        params.pop("provision", None)  # an element has one provision type already
        params["elements"] = element
    else:
        params["themes"] = ENABLEMENT_THEME
    return params


def mia17_filters(ctx: Context, state: PageState, level: str) -> dict[str, str]:
    """The filters of a MIA17 table as a whole (each year is one query with from = to)."""
    shown = page_state(ctx, state)
    years = financial_years(ctx, state)
    params = {"period_kind": PERIOD_KIND, "level": level, **_passed(shown)}
    if years:
        params.update({"from": years[0], "to": years[-1]})
    return params


# --- composite (derived) results ----------------------------------------------------------


def _composite(
    columns: tuple[tuple[str, str], ...],
    rows: pd.DataFrame,
    source: ProtectedResult | None,
    **meta: Any,
) -> ProtectedResult:
    """A table built from protected results, with the rule, data date and statuses of its
    source so its export says what the query layer's exports say."""
    base = dict(source.meta) if source is not None else {}
    merged = {
        k: base[k] for k in ("rule", "data_date", "build_id", "synthetic", "statuses") if k in base
    }
    merged.update(meta)
    return ProtectedResult([Column(n, k) for n, k in columns], rows, merged)


ENABLEMENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("people", "count"),
    ("people_status", "status"),
    ("people_over_6w", "count"),
    ("over_6w_status", "status"),
    ("share_over_6w", "share"),
    ("share_status", "status"),
    ("cost_beyond_42", "money"),
    ("cost_status", "status"),
)
MIA17_NOTES = [
    "One enablement query per financial year and group: each year's cells are published "
    "cells of their own.",
    "The MIA theme chosen above does not apply: these tables are MIA17 enablement whatever "
    "theme is chosen; each client group is its enablement element.",
    "Totals and 'all' rows are perturbed on their own: they need not equal the sum of the "
    "published parts.",
]


def _first_error(outcomes: list[ViewOutcome]) -> str:
    return next((o.message for o in outcomes if o.result is None), "")


def mia17_groups_result(ctx: Context, state: PageState) -> ViewOutcome:
    """Per financial year and client group (and all enablement): people, people beyond 6
    weeks, the share and the cost of the days beyond day 42. One ``enablement`` query per year
    and group (the query layer lacks a view of enablement by period: see the module doc)."""
    groups = enablement_groups(ctx)
    frames, outcomes = [], []
    for year in financial_years(ctx, state):
        runs = [(group, label, code) for group, (code, label) in groups.items()]
        runs.append((ALL_GROUPS, ALL_GROUPS, ""))
        for group, label, element in runs:
            outcome = run_query(
                ctx, CardQuery("enablement", enablement_params(ctx, state, year, element=element))
            )
            outcomes.append(outcome)
            if outcome.result is None:
                return ViewOutcome(None, outcome.message)
            row = outcome.result.rows.iloc[[0]][[c for c, _ in ENABLEMENT_COLUMNS]].copy()
            row.insert(0, "group_label", label)
            row.insert(0, "group", group)
            row.insert(0, "period", year)
            frames.append(row)
    if not frames:
        return ViewOutcome(None, _first_error(outcomes) or "No financial years in the range.")
    columns = (
        ("period", "period"),
        ("group", "category"),
        ("group_label", "category"),
        *ENABLEMENT_COLUMNS,
    )
    first = outcomes[0].result
    meta = {
        "view": "enablement by client group and financial year",
        "title": "MIA17 enablement beyond 6 weeks by client group, per financial year",
        "definition": first.meta.get("definition", "") if first else "",
        "denominator": first.meta.get("denominator", "") if first else "",
        "client_groups": "the client-group prefix of the enablement element code: "
        + ", ".join(f"{g} = {code}" for g, (code, _label) in groups.items()),
        "filters": mia17_filters(ctx, state, "city"),
        "notes": MIA17_NOTES,
    }
    rows = pd.concat(frames, ignore_index=True)
    return ViewOutcome(_composite(columns, rows, first, **meta))


def mia17_areas_result(ctx: Context, state: PageState) -> ViewOutcome:
    """Per financial year and area: the enablement view at the chosen level, year by year."""
    level = page_state(ctx, state).get("level", AREA_LEVELS[0][0])
    frames, first = [], None
    for year in financial_years(ctx, state):
        query = CardQuery("enablement", enablement_params(ctx, state, year, level=level))
        outcome = run_query(ctx, query)
        if outcome.result is None:
            return ViewOutcome(None, outcome.message)
        first = first or outcome.result
        rows = outcome.result.rows[
            ["area_code", "area_name", *[c for c, _ in ENABLEMENT_COLUMNS]]
        ].copy()
        rows.insert(0, "period", year)
        frames.append(rows)
    if not frames:
        return ViewOutcome(None, "No financial years in the range.")
    columns = (
        ("period", "period"),
        ("area_code", "area"),
        ("area_name", "area"),
        *ENABLEMENT_COLUMNS,
    )
    meta = {
        "view": "enablement by area and financial year",
        "title": f"MIA17 enablement beyond 6 weeks by {level}, per financial year",
        "definition": first.meta.get("definition", "") if first else "",
        "denominator": first.meta.get("denominator", "") if first else "",
        "filters": mia17_filters(ctx, state, level),
        "notes": [*MIA17_NOTES, "Hotspots show service activity, not need."],
    }
    return ViewOutcome(_composite(columns, pd.concat(frames, ignore_index=True), first, **meta))


def _trend(ctx: Context, state: PageState) -> ViewOutcome:
    return run_query(ctx, CardQuery("trend", trend_params(ctx, state)))


def targets_result(ctx: Context, state: PageState, trend: ViewOutcome) -> ViewOutcome:
    """Table 14 for the theme, from the trend result's meta (the serving database's copy of
    the reference table): reference data, not personal data."""
    if trend.result is None:
        return ViewOutcome(None, trend.message)
    targets = targets_frame(trend.result.meta.get("savings_targets") or [])
    kinds = {
        "theme": "category",
        "theme_name": "category",
        "scope": "category",
        "financial_year": "period",
        "net_spend_2015_16": "money",
        "saving": "money",
        "saving_share_of_net_spend": "share",
    }
    meta = {
        "view": "MIA savings targets (Table 14)",
        "title": "Net spend 2015/16 and savings targets, £ (budget figures)",
        "definition": "The council's 2016 budget for the theme: net spend 2015/16 and the "
        "savings target of each financial year; the share is the saving / the net spend.",
        "source": "Table 14 of the thesis (T:1772-1777): care_atlas/reference/mia_targets.csv "
        "as built into the serving database.",
        "data_date": trend.result.meta.get("data_date"),
        "synthetic": trend.result.meta.get("synthetic"),
        "notes": [NOT_RECONCILED_NOTE, "Reference data, not personal data: not perturbed."],
        "filters": {"themes": trend_params(ctx, state).get("themes", "")},
    }
    columns = tuple((c, kinds[c]) for c in TARGET_COLUMNS)
    return ViewOutcome(ProtectedResult([Column(n, k) for n, k in columns], targets, meta))


def period_ends(ctx: Context) -> dict[str, str]:
    dates = ctx.db.reference.period_dates
    return {p: dates[(PERIOD_KIND, p)][1] for p in ctx.choices.periods.get(PERIOD_KIND, [])}


def part_year_note(ctx: Context, trend: ViewOutcome) -> list[str]:
    """Say so when the last financial year shown is only partly covered by the data."""
    if trend.result is None or trend.result.rows.empty:
        return []
    last = str(trend.result.rows["period"].iloc[-1])
    data_date = trend.result.meta.get("data_date")
    if data_date and period_ends(ctx).get(last, "") > str(data_date):
        return [f"{last} is a part year: the data runs to {data_date}, so it shows less."]
    return []


def saving_result(ctx: Context, state: PageState, trend: ViewOutcome) -> tuple[ViewOutcome, Any]:
    """(the saving table as a result, the SavingMeaning with its steps)."""
    if trend.result is None:
        return ViewOutcome(None, trend.message), None
    targets = targets_frame(trend.result.meta.get("savings_targets") or [])
    basis = choose_basis(trend.result.rows, period_ends(ctx), trend.result.meta.get("data_date"))
    meaning = saving_meaning(targets, basis)
    meta = {
        "view": "what the saving means",
        "title": "What the saving means in people (an illustration, not a forecast)",
        "definition": "share = saving / net spend 2015/16 (Table 14); average cost per person "
        "= published cost / published people in the basis year; proportional cut = share x "
        "published cost; people fewer = proportional cut / average cost per person.",
        "denominator": "published people and cost of the latest whole financial year in range",
        "notes": [ILLUSTRATION, NOT_RECONCILED_NOTE, meaning.withheld]
        if meaning.withheld
        else [ILLUSTRATION, NOT_RECONCILED_NOTE],
        "filters": trend_params(ctx, state),
    }
    result = _composite(SAVING_COLUMNS, meaning.table, trend.result, **meta)
    return ViewOutcome(result), meaning


def derived_result(ctx: Context, name: str, state: PageState) -> ViewOutcome:
    """The protected table behind a composite card, for its downloads and its table."""
    if name == "mia17_groups":
        return mia17_groups_result(ctx, state)
    if name == "mia17_areas":
        return mia17_areas_result(ctx, state)
    trend = _trend(ctx, state)
    if name == "targets":
        return targets_result(ctx, state, trend)
    if name == "saving":
        return saving_result(ctx, state, trend)[0]
    return ViewOutcome(None, f"No table named {name}.")


# --- rendering ---------------------------------------------------------------------------


def render_theme(ctx: Context, state: PageState) -> tuple[Any, list, Any, list, Any, list]:
    """(trend figure, trend note, targets table, targets note, saving body, saving note)."""
    trend = _trend(ctx, state)
    theme = trend_params(ctx, state).get("themes", "")
    if trend.result is None:
        message = note_children(notes_for(ctx, trend))
        return empty_figure(trend.message), message, None, message, None, message
    targets = targets_result(ctx, state, trend)
    frame = targets.result.rows if targets.result is not None else pd.DataFrame()
    if trend.result.rows.empty:
        figure = empty_figure("No financial years for these filters.")
    else:
        figure = mia_trend_figure(trend.result.rows, frame, theme=theme)
    trend_note = [*notes_for(ctx, trend), NOT_RECONCILED_NOTE, *part_year_note(ctx, trend)]
    if frame.empty:
        targets_body: Any = html.P(f"{theme} has no savings targets in the reference table.")
    else:
        targets_body = data_table(targets_display(frame), f"{theme}: Table 14 (£ million)")
    saving, meaning = saving_result(ctx, state, trend)
    return (
        figure,
        note_children(trend_note),
        targets_body,
        note_children(note_text(targets.result, ctx.synthetic) if targets.result else []),
        saving_body(saving, meaning),
        note_children(note_text(saving.result, ctx.synthetic) if saving.result else []),
    )


def saving_body(saving: ViewOutcome, meaning: Any) -> list:
    """The worked steps (or why they are withheld) and a short table of every saving."""
    if saving.result is None or meaning is None:
        return [html.P(saving.message)]
    parts: list = []
    if meaning.withheld:
        parts.append(html.P(f"[c] {meaning.withheld}", className="budget-withheld"))
    else:
        parts.append(html.Ol([html.Li(step) for step in meaning.steps], className="budget-steps"))
    parts.append(html.P(ILLUSTRATION, className="budget-illustration"))
    table = meaning.table
    if not table.empty:
        shown = pd.DataFrame(
            {
                "Saving": table["saving_year"],
                "Savings target": [format_value(v, "money") for v in table["saving"]],
                "Share of net spend": [
                    format_value(v, "share") for v in table["saving_share_of_net_spend"]
                ],
                "Basis year": table["basis_year"].fillna(""),
                "People implied (fewer)": [
                    format_value(v, "count", s)
                    for v, s in zip(
                        table["people_fewer"], table["people_fewer_status"], strict=True
                    )
                ],
            }
        )
        parts.append(data_table(shown, "Each savings target read the same way"))
    return parts


def render_mia17_groups(ctx: Context, state: PageState) -> tuple[Any, list]:
    """(figure, note) of MIA17 by client group and financial year."""
    groups = mia17_groups_result(ctx, state)
    if groups.result is None:
        return empty_figure(groups.message), [html.P(groups.message)]
    figure = enablement_groups_figure(groups.result.rows)
    return figure, note_children(note_text(groups.result, ctx.synthetic))


def render_mia17_areas(ctx: Context, state: PageState) -> tuple[Any, Any, list]:
    """(share-by-area figure, cost-by-area figure, note) of MIA17 by area and year."""
    areas = mia17_areas_result(ctx, state)
    if areas.result is None:
        blank = empty_figure(areas.message)
        return blank, blank, [html.P(areas.message)]
    rows = areas.result.rows
    note = note_children(note_text(areas.result, ctx.synthetic))
    if rows.empty:
        blank = empty_figure("No areas for these filters.")
        return blank, blank, note
    return (
        enablement_area_figure(rows, measure="share"),
        enablement_area_figure(rows, measure="cost"),
        note,
    )


# --- layout ------------------------------------------------------------------------------


def layout(ctx: Context) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=IDS.url, refresh=False),
            html.H2("Budget officers: MIA savings themes", className="page-title"),
            html.P(
                "Agreement activity of one MIA theme per financial year, beside the theme's "
                "budget figures (Table 14), what its saving means in people, and MIA17 "
                "enablement beyond the 6-week policy threshold. " + NOT_RECONCILED_NOTE,
                className="hint",
            ),
            control_bar(IDS, filter_controls(ctx), explain=True),
            html.Div(
                [
                    card(
                        IDS,
                        "trend",
                        "Records, people and cost per financial year, with the theme's budget "
                        "figures",
                        [graph(IDS.graph("trend"), "Records, people and cost per year")],
                    ),
                    card(
                        TABLES,
                        "targets",
                        "Net spend 2015/16 and savings targets (Table 14: budget figures)",
                        [html.Div(id=IDS.element("targets-table"), className="table-wrap")],
                        legend="",
                    ),
                    card(
                        TABLES,
                        "saving",
                        "What the saving means",
                        [html.Div(id=IDS.element("saving-body"), **{"aria-live": "polite"})],
                    ),
                    card(
                        TABLES,
                        "mia17_groups",
                        "MIA17 enablement beyond 6 weeks by client group, per financial year",
                        [graph(IDS.graph("mia17_groups"), "Enablement beyond 6 weeks by group")],
                    ),
                    card(
                        TABLES,
                        "mia17_areas",
                        "MIA17 enablement beyond 6 weeks by area, per financial year",
                        [
                            control_bar(IDS, (level_control(),), label="Areas to compare"),
                            html.Div(
                                [
                                    graph(IDS.graph("mia17_share"), "Share beyond 6 weeks by area"),
                                    graph(IDS.graph("mia17_cost"), "Cost beyond day 42 by area"),
                                ],
                                className="budget-area-pair",
                            ),
                        ],
                    ),
                ],
                className="views",
            ),
        ],
        className="page page-budget",
    )


# --- callbacks ---------------------------------------------------------------------------


def register_derived_tables(app: dash.Dash, ctx: Context) -> None:
    """Downloads (CSV, XLSX) and the show-table toggle of the composite cards, as the kit's
    register_card_tables does for single-query cards."""

    @app.callback(
        Output(TABLES.download(MATCH), "data"),
        Input(TABLES.csv(MATCH), "n_clicks"),
        Input(TABLES.xlsx(MATCH), "n_clicks"),
        State(IDS.url, "search"),
        prevent_initial_call=True,
    )
    def download(_csv: int, _xlsx: int, search: str | None) -> Any:
        trigger = callback_context.triggered_id
        if not isinstance(trigger, dict):
            return no_update
        name = str(trigger["view"])
        outcome = derived_result(ctx, name, parse_page_state(search))
        payload = download_payload(outcome, name, str(trigger["type"]))
        return payload if isinstance(payload, dict) else no_update

    @app.callback(
        Output(TABLES.table(MATCH), "children"),
        Output(TABLES.table_toggle(MATCH), "children"),
        Input(TABLES.table_toggle(MATCH), "n_clicks"),
        Input(IDS.url, "search"),
    )
    def table(clicks: int | None, search: str | None) -> Any:
        if not (clicks or 0) % 2:
            return None, "Show table"
        name = str(callback_context.outputs_list[0]["id"]["view"])
        outcome = derived_result(ctx, name, parse_page_state(search))
        if outcome.result is None:
            return html.P(outcome.message), "Hide table"
        caption = f"Published rows behind the {name.replace('_', ' ')} card"
        return data_table(outcome.result.rows, caption), "Hide table"


def register(app: dash.Dash, ctx: Context) -> None:
    register_url_sync(app, IDS, controls(ctx), ctx.choices, levels_of=levels_shown)
    register_card_tables(app, ctx, IDS, lambda name, state: query_of(ctx, name, state))
    register_derived_tables(app, ctx)

    @app.callback(
        Output(IDS.graph("trend"), "figure"),
        Output(IDS.note("trend"), "children"),
        Output(IDS.element("targets-table"), "children"),
        Output(TABLES.note("targets"), "children"),
        Output(IDS.element("saving-body"), "children"),
        Output(TABLES.note("saving"), "children"),
        Input(IDS.url, "search"),
    )
    def update_theme(search: str | None) -> tuple:
        return render_theme(ctx, parse_page_state(search))

    @app.callback(
        Output(IDS.graph("mia17_groups"), "figure"),
        Output(TABLES.note("mia17_groups"), "children"),
        Input(IDS.url, "search"),
    )
    def update_mia17_groups(search: str | None) -> tuple:
        return render_mia17_groups(ctx, parse_page_state(search))

    @app.callback(
        Output(IDS.graph("mia17_share"), "figure"),
        Output(IDS.graph("mia17_cost"), "figure"),
        Output(TABLES.note("mia17_areas"), "children"),
        Input(IDS.url, "search"),
    )
    def update_mia17_areas(search: str | None) -> tuple:
        return render_mia17_areas(ctx, parse_page_state(search))


PAGE = Page(
    path=PATH,
    title="Care Atlas: budget officers",
    layout=layout,
    nav_label="Budget officers: MIA themes",
    register=register,
)
