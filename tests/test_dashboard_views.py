"""The callbacks' bodies as plain functions over the query layer's small test database."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from dash import Patch

from dashboard import ids
from dashboard.choices import choices_from_reference
from dashboard.components import data_table
from dashboard.map_views import map_key, render_map
from dashboard.state import view_params
from dashboard.views import (
    Context,
    compare_params,
    export,
    render_compare,
    render_elements,
    render_matrix,
    render_trend,
    savings_targets,
    view_result,
    xlsx_bytes,
)
from queries import parse_filters, run_view
from queries.export import ABOUT_FIRST_KEY, about_length, csv_text


@pytest.fixture(scope="module")
def context(queries_db) -> Context:  # noqa: ANN001
    return Context(db=queries_db, choices=choices_from_reference(queries_db.reference))


def test_every_view_renders_from_the_query_layer(context: Context) -> None:
    for render in (render_matrix, render_elements, render_compare, render_trend):
        figure, note, *_ = render(context, {})
        assert figure.data, render.__name__
        assert any(line.startswith("Definition:") for line in note)
        assert any("Synthetic" in line for line in note) == context.synthetic


def test_matrix_shows_the_same_cells_as_the_query_layer(context: Context) -> None:
    figure, _, rule = render_matrix(context, {"highlight": "improving"})
    result = run_view(
        context.db, "matrix", parse_filters(view_params({}, "matrix"), context.db.reference)
    )
    shown = {
        (y.split(" ")[0], x): text
        for y, row in zip(figure.data[0].y, figure.data[0].text, strict=True)
        for x, text in zip(figure.data[0].x, row, strict=True)
    }
    for row in result.rows.itertuples():
        text = shown[(row.area_code, row.period)]
        if row.value_status == "[c]":
            assert text == "[c]"
        else:
            assert text.replace(",", "").split(" ")[0] == f"{row.value:.0f}"
    assert "falling" in rule


def test_a_rejected_filter_becomes_a_message_not_an_exception(context: Context) -> None:
    figure, note = render_trend(context, {"from": "1850"})
    assert "cannot be shown" in note[0] and "from" in note[0]
    assert figure.layout.annotations[0].text.replace("<br>", " ") == note[0]


def test_a_value_from_the_url_is_shown_as_text_never_as_markup(context: Context) -> None:
    evil = "<a href='https://example.org'>x</a>"
    figure, note = render_trend(context, {"age_bands": evil})
    assert evil in note[0]  # a Dash html.P child: text
    shown = figure.layout.annotations[0].text
    assert "<a" not in shown and "&lt;a" in shown


def test_map_without_geometry_says_so_and_patches_when_only_values_change(
    context: Context,
) -> None:
    figure, key, note, *_ = render_map(context, {}, None)
    assert key is None and "geometry" in note[-1]
    state = {"measure": "cost", "map": "counts"}
    patch, same_key, *_ = render_map(context, state, map_key(state))
    assert isinstance(patch, Patch) and same_key == map_key(state)
    operations = patch.to_plotly_json()["operations"]
    assert {tuple(op["location"][-2:]) for op in operations} >= {(0, "z"), (1, "locations")}


def test_compare_defaults_to_the_two_largest_elements(context: Context) -> None:
    top = view_result(context, "elements", {}).result
    params = compare_params(context, {})
    assert [params["element_a"], params["element_b"]] == list(top.rows["element_code"][:2])
    assert compare_params(context, {"element_a": "X", "element_b": "Y"})["element_a"] == "X"


def _csv_parts(text: str) -> tuple[dict[str, str], pd.DataFrame]:
    """(metadata rows, table) of a CSV export."""
    head = text.splitlines()[: about_length(text) - 1]
    about = dict(row for row in csv.reader(head) if row[0] != "note")
    table = pd.read_csv(io.StringIO(text), skiprows=about_length(text), keep_default_na=False)
    return about, table


def test_csv_export_is_the_query_layers_csv_after_its_metadata(context: Context) -> None:
    payload = export(context, "elements", {"top_n": "5"}, "csv")
    result = run_view(
        context.db, "elements", parse_filters({"level": "city", "top_n": "5"}, context.db.reference)
    )
    text = payload["content"]
    assert text.endswith("\n\n" + result.to_csv())
    about, _ = _csv_parts(text)
    assert list(about)[0] == ABOUT_FIRST_KEY
    for key in ("definition", "disclosure rule", "filters", "period", "data date", "build"):
        assert about[key], key
    assert about["data date"] == str(result.meta["data_date"])
    assert about["build"] == str(result.meta["build_id"])
    assert about["synthetic data"].startswith("yes") == context.synthetic
    assert "top_n=5" in about["filters"]
    first, last = context.choices.periods["year"][0], context.choices.periods["year"][-1]
    assert payload["filename"] == f"care-atlas_elements_city_{first}-to-{last}.csv"


def test_file_names_carry_the_view_and_the_selection_sanitised(context: Context) -> None:
    last = context.choices.periods["year"][-1]
    state = {"measure": "rate_per_1000", "level": "ward", "from": last, "to": last}
    name = export(context, "area_map", state, "xlsx")["filename"]
    assert name == f"care-atlas_area-map_rate-per-1000_ward_{last}.xlsx"
    group = context.choices.client_groups[0]
    name = export(context, "trend", {"client_groups": group}, "csv")["filename"]
    assert name.startswith("care-atlas_trend_city_") and name.endswith(".csv")
    assert re.fullmatch(r"care-atlas(_[A-Za-z0-9.-]+)+\.csv", name), name


def test_every_rate_carries_its_numerator_and_denominator(context: Context) -> None:
    last = context.choices.periods["year"][-1]
    state = {"measure": "rate_per_1000", "from": last, "to": last}
    for view in ("area_map", "matrix"):
        rows = view_result(context, view, state).result.rows
        assert {"people", "people_status", "population"} <= set(rows.columns), view
        shown = rows[rows["value_status"].isin(["", "[u]"])]
        assert not shown.empty
        recomputed = (1000 * shown["people"].astype(float) / shown["population"]).round(2)
        assert (recomputed - shown["value"].astype(float)).abs().max() < 0.006, view


def _matrix_cells(figure) -> dict[tuple[str, str], float | None]:  # noqa: ANN001
    trace = figure.data[0]
    return {
        (str(y).split(" ")[0], str(x)): None if v is None or v != v else float(v)
        for y, row in zip(trace.y, trace.z, strict=True)
        for x, v in zip(trace.x, row, strict=True)
    }


def test_each_charts_csv_holds_exactly_what_the_chart_shows(context: Context) -> None:
    # The matrix: one CSV row per cell drawn, with the cell's value.
    figure, *_ = render_matrix(context, {})
    _, table = _csv_parts(export(context, "matrix", {}, "csv")["content"])
    drawn = _matrix_cells(figure)
    exported = {
        (str(r.area_code), str(r.period)): None if r.value == "" else float(r.value)
        for r in table.itertuples()
    }
    assert exported == drawn
    # The top elements: the bars, in order.
    figure, _ = render_elements(context, {"top_n": "5"})
    _, table = _csv_parts(export(context, "elements", {"top_n": "5"}, "csv")["content"])
    bars = figure.data[0]
    # Each bar's tooltip names its element "name (code)".
    assert [str(code) for code in table["element_code"]] == [
        str(row[3]).rsplit("(", 1)[-1].rstrip(")") for row in bars.customdata
    ]
    # The trend: one point per period for each series.
    figure, _ = render_trend(context, {})
    _, table = _csv_parts(export(context, "trend", {}, "csv")["content"])
    periods = [str(p) for p in table["period"]]
    for trace in figure.data:
        if trace.x is not None and len(trace.x) and str(trace.x[0]) in periods:
            assert [str(x) for x in trace.x] == periods, trace.name


def test_xlsx_export_holds_the_same_rows_and_the_meta(context: Context) -> None:
    result = view_result(context, "trend", {}).result
    book = pd.read_excel(io.BytesIO(xlsx_bytes(result)), sheet_name=None)
    data = book["data"]
    assert list(data.columns) == list(result.rows.columns)
    assert len(data) == len(result.rows)
    about = book["about"]
    assert "definition" in set(about["key"])
    # The same metadata, in the same order, as the CSV's leading rows.
    text = csv_text(result, "trend")
    head = list(csv.reader(text.splitlines()[: about_length(text) - 1]))
    assert [tuple(r) for r in head] == [
        (str(k), "" if pd.isna(v) else str(v)) for k, v in about.itertuples(index=False)
    ]


def test_savings_targets_come_from_meta_in_pounds() -> None:
    meta = {
        "savings_targets": [
            {"theme": "MIA3", "financial_year": "2016/17", "saving_m": 2.5},
            {"theme": "MIA5", "financial_year": "2016/17", "saving_m": 1.0},
        ]
    }
    targets = savings_targets(meta)
    assert targets.to_dict("records") == [{"period": "2016/17", "target": 3_500_000.0}]
    assert savings_targets({}) is None


def test_trend_with_a_theme_draws_targets(context: Context) -> None:
    theme = context.choices.themes[0]
    figure, note = render_trend(context, {"themes": theme})
    names = [trace.name for trace in figure.data]
    assert any("Savings target" in name for name in names)
    assert any("not reconciled" in line for line in note)


def test_data_table_lists_published_rows() -> None:
    rows = pd.DataFrame(
        {"area_code": ["A", "B"], "value": [12.0, None], "value_status": ["", "[c]"]}
    )
    table = data_table(rows, "caption")
    body = table.children[2].children
    assert [cell.children for cell in body[1].children] == ["B", "", "[c]"]


def _level_options(layout: object) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if getattr(node, "id", None) == ids.LEVEL:
            found.extend(option["value"] for option in node.options)  # type: ignore[attr-defined]
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, str):
                walk(child)

    walk(layout)
    return found


@pytest.mark.parametrize(
    "role,expected",
    [
        ("viewer", ["ward", "district"]),
        ("analyst", ["ward", "district", "sector", "h3r7", "h3r8"]),
    ],
)
def test_the_level_switch_offers_only_what_the_role_may_query(
    context: Context, role: str, expected: list[str]
) -> None:
    from flask import Flask, g

    from auth.guard import Identity
    from dashboard.pages.overview import layout

    with Flask(__name__).test_request_context("/"):
        g.identity = Identity("someone", role)
        assert _level_options(layout(context)) == expected


@pytest.mark.parametrize(
    "state",
    [{}, {"highlight": "unusual"}, {"level": "sector", "within": "B12"}, {"themes": "MIA3"}],
)
def test_every_overview_figure_passes_plotlys_checks(context: Context, state: dict) -> None:
    """The layers build figures unvalidated for speed (layers.style.UNVALIDATED): rebuilding
    each with Plotly's property checks on proves no property is misspelt or mistyped."""
    import plotly.graph_objects as go

    figures = [
        render_map(context, state, None)[0],
        render_matrix(context, state)[0],
        render_elements(context, state)[0],
        render_compare(context, state)[0],
        render_trend(context, state)[0],
    ]
    for figure in figures:
        go.Figure(figure.to_plotly_json())  # raises ValueError on any invalid property


def test_matrix_rows_name_each_district_not_its_code_alone(context: Context) -> None:
    figure, _, _ = render_matrix(context, {})
    wards = set(context.choices.area_names["ward"].values())
    for label in figure.data[0].y:
        code, _, name = label.partition(" ")
        assert name and name != code and name in wards, label


def test_compare_without_two_elements_asks_for_them_in_plain_words(context: Context) -> None:
    code = compare_params(context, {})["element_a"]
    figure, note = render_compare(context, {"element_a": code, "element_b": code})
    text = figure.layout.annotations[0].text
    assert "Choose two elements to compare" in text and "element_" not in text
    assert note == ["Choose two elements to compare."]
    assert not figure.data
