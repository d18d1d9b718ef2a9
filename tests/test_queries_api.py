"""The /api/v1 blueprint on a bare Flask app: JSON, CSV, OpenAPI, errors, never a 500."""

from __future__ import annotations

import csv
import io

import flask
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queries import VIEWS
from queries.api import create_api_blueprint


@pytest.fixture(scope="module")
def client(queries_db):
    app = flask.Flask("queries-api-test")
    app.register_blueprint(create_api_blueprint(lambda: queries_db))
    return app.test_client()


def test_view_json_shape(client):
    resp = client.get("/api/v1/views/area_map?level=sector&measure=people&from=2012&to=2013")
    assert resp.status_code == 200
    body = resp.get_json()
    assert [c["name"] for c in body["columns"]][:4] == [
        "area_code",
        "area_name",
        "value",
        "value_status",
    ]
    kinds = {c["kind"] for c in body["columns"]}
    assert kinds <= {"area", "period", "category", "count", "money", "rate", "share", "status"}
    assert body["meta"]["view"] == "area_map" and body["meta"]["synthetic"] is True
    for row in body["rows"]:
        assert row["value_status"] in ("", "[c]")
        assert (row["value"] is None) == (row["value_status"] == "[c]")


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_answers_json_and_csv(client, view):
    query = "level=district&element=OAEHSGCO&element_a=OAEHSGCO&element_b=HSSU65PL"
    resp = client.get(f"/api/v1/views/{view}?{query}")
    assert resp.status_code == 200, resp.get_json()
    resp_csv = client.get(f"/api/v1/views/{view}?{query}&format=csv")
    assert resp_csv.status_code == 200 and resp_csv.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp_csv.get_data(as_text=True))))
    assert len(rows) == len(resp.get_json()["rows"])


def test_csv_status_columns_carry_gss_shorthand(client):
    resp = client.get("/api/v1/views/matrix?level=sector&format=csv")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    suppressed = [r for r in rows if r["value_status"] == "[c]"]
    assert suppressed and all(r["value"] == "" for r in suppressed)


@pytest.mark.parametrize(
    "query,field",
    [
        ("measure=income", "measure"),
        ("from=2014&to=2010", "to"),
        ("level=ward&genders=Female", "genders"),
        ("bogus=1", "bogus"),
        ("format=xml", "format"),
        ("top_n=-1", "top_n"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(client, query, field):
    resp = client.get(f"/api/v1/views/elements?{query}")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["field"] == field


def test_view_specific_requirements_are_400(client):
    resp = client.get("/api/v1/views/quarterly_users")
    assert resp.status_code == 400 and resp.get_json()["error"]["field"] == "element"
    resp = client.get("/api/v1/views/area_compare?measure=cost")
    assert resp.status_code == 400 and resp.get_json()["error"]["field"] == "measure"


def test_unknown_view_is_404(client):
    resp = client.get("/api/v1/views/people_list")
    assert resp.status_code == 404
    assert "area_map" in resp.get_json()["error"]["allowed"]


def test_openapi_documents_every_view_and_parameter(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for view in VIEWS:
        op = spec["paths"][f"/api/v1/views/{view}"]["get"]
        names = {p["name"] for p in op["parameters"]}
        assert {"period_kind", "from", "to", "level", "measure", "format"} <= names


def test_meta_lists_reference_values(client):
    body = client.get("/api/v1/meta").get_json()
    assert body["build"]["data_date"] == "2015-12-31"
    assert "B1 1" in {a["code"] for a in body["reference"]["areas"]["sector"]}


_KEYS = st.sampled_from(
    ["level", "measure", "from", "to", "areas", "regions", "top_n", "genders", "format", "x"]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    view=st.sampled_from([*VIEWS, "nope", "%00", "..%2f"]),
    params=st.dictionaries(_KEYS, st.text(max_size=30), max_size=4),
)
def test_no_input_yields_a_500_or_a_traceback(client, view, params):
    resp = client.get(f"/api/v1/views/{view}", query_string=params)
    assert resp.status_code in (200, 400, 404)
    text = resp.get_data(as_text=True)
    assert "Traceback" not in text
