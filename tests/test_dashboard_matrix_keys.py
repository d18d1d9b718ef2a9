"""The matrix's rows as links: the same areas as the matrix, each linking to the drill."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from dash import dcc

from dashboard.choices import choices_from_reference
from dashboard.matrix_keys import row_labels, row_list
from dashboard.views import Context, render_matrix


@pytest.fixture(scope="module")
def context(queries_db) -> Context:  # noqa: ANN001
    return Context(db=queries_db, choices=choices_from_reference(queries_db.reference))


def _links(children: list) -> list[dcc.Link]:
    return [item.children for item in children[1].children]


def test_the_links_are_the_matrixs_rows_in_its_order(context: Context) -> None:
    figure, *_ = render_matrix(context, {})
    labels, heading = row_labels(context, {})
    assert [label for label, _code in labels] == [str(y) for y in figure.data[0].y]
    assert "district" in heading


def test_a_districts_link_opens_its_sectors_and_keeps_the_filters(context: Context) -> None:
    state = {"from": "2012", "highlight": "unusual"}
    links = _links(row_list(context, state))
    first = links[0]
    code = first.children.split(" ")[0]
    target = urlparse(first.href)
    assert target.path == "/"
    assert parse_qs(target.query) == {"from": ["2012"], "level": ["sector"], "within": [code]}
    assert target.fragment == "highlight=unusual"


def test_in_a_district_a_sectors_link_selects_it_and_the_selected_one_clears(
    context: Context,
) -> None:
    district = row_labels(context, {})[0][0][0].split(" ")[0]
    state = {"within": district, "level": "sector"}
    labels, heading = row_labels(context, state)
    assert labels and "sector" in heading
    sector = labels[0][1]
    links = _links(row_list(context, state))
    assert parse_qs(urlparse(links[0].href).query)["areas"] == [sector]
    chosen = _links(row_list(context, {**state, "areas": sector}))[0]
    assert "selected" in chosen.children
    assert "areas" not in parse_qs(urlparse(chosen.href).query)


def test_a_refused_filter_is_a_message(context: Context) -> None:
    children = row_list(context, {"age_bands": "<b>x</b>"})
    assert len(children) == 1 and "cannot be shown" in children[0].children
