"""The /api/v1 blueprint on a bare Flask app over the real build: JSON and CSV of every view,
GSS shorthand, 400 naming the field, 404 as JSON, the catalogue, OpenAPI, never a 500."""

from __future__ import annotations

import csv
import io

import flask
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queries import VIEWS, run_view
from queries.api import create_api_blueprint
from queries.catalogue import LEVEL_RULES, LEVELS, MEASURES
from queries.export import about_length, csv_text
from queries.filters import PARAMETERS, parse_filters
from queries.result import COLUMN_KINDS, STATUSES


@pytest.fixture(scope="module")
def client(queries_db):
    app = flask.Flask("queries-api-test")
    app.register_blueprint(create_api_blueprint(lambda: queries_db))
    return app.test_client()


def _csv(resp) -> list[dict[str, str]]:
    """The table of a CSV answer, after its "key,value" metadata block (queries.export)."""
    text = resp.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO("\n".join(text.splitlines()[about_length(text) :]))))


def test_view_json_shape(client, queries_db):
    resp = client.get("/api/v1/views/area_map?level=sector&measure=people&from=2012&to=2012")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"columns", "rows", "meta"}
    names = [c["name"] for c in body["columns"]]
    assert names == ["area_code", "area_name", "value", "value_status", "people", "people_status"]
    assert {c["kind"] for c in body["columns"]} <= set(COLUMN_KINDS)
    assert len(body["rows"]) == len(queries_db.reference.areas["sector"])
    meta = body["meta"]
    assert meta["view"] == "area_map" and meta["synthetic"] is True
    assert meta["build_id"] == queries_db.meta["build_id"] and meta["data_date"] == "2015-12-31"
    assert meta["filters"]["from"] == meta["filters"]["to"] == "2012"
    for row in body["rows"]:
        assert list(row) == names
        assert row["value_status"] in ("", "[c]")
        assert (row["value"] is None) == (row["value_status"] == "[c]")
        assert row["value"] is None or row["value"] == 0 or row["value"] % 5 == 0


#: Views that need other parameters than the shared query (a saving is per theme and fy).
QUERY_OF = {"mia_saving": "period_kind=fy&from=2014/15&themes=MIA3"}


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_answers_json_and_csv(client, view):
    query = QUERY_OF.get(
        view, "level=district&element=OAEHSGCO&element_a=OAEHSGCO&element_b=HSSU65PL&from=2014"
    )
    resp = client.get(f"/api/v1/views/{view}?{query}")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["meta"]["view"] == view and body["rows"]
    resp_csv = client.get(f"/api/v1/views/{view}?{query}&format=csv")
    assert resp_csv.status_code == 200 and resp_csv.mimetype == "text/csv"
    assert (
        f'filename="care-atlas_{view.replace("_", "-")}_' in resp_csv.headers["Content-Disposition"]
    )
    rows = _csv(resp_csv)
    assert len(rows) == len(body["rows"])
    assert list(rows[0]) == [c["name"] for c in body["columns"]]
    for column in body["columns"]:
        if column["kind"] == "status":
            assert {r[column["name"]] for r in rows} <= set(STATUSES)


def test_csv_status_columns_carry_gss_shorthand(client):
    rows = _csv(client.get("/api/v1/views/matrix?level=sector&format=csv"))
    suppressed = [r for r in rows if r["value_status"] == "[c]"]
    published = [r for r in rows if r["value_status"] == ""]
    assert suppressed and published
    assert all(r["value"] == "" for r in suppressed)
    assert all(r["value"] != "" for r in published)
    for query in ("level=ward&age_bands=0-10", "level=district&age_bands=65%2B", "level=ward"):
        query += "&measure=rate_per_1000&from=2015&format=csv"
        rates = _csv(client.get(f"/api/v1/views/area_map?{query}"))
        statuses = {r["value_status"] for r in rates}
        assert statuses <= {"", "[c]", "[u]"}
        assert all(r["value"] == "" for r in rates if r["value_status"] == "[c]")
        assert all(
            r["value"] != "" and 10 <= int(r["people"]) < 20
            for r in rates
            if r["value_status"] == "[u]"
        )
        assert all(int(r["people"]) >= 20 for r in rates if r["value_status"] == "")


@pytest.mark.parametrize(
    ("view", "query", "field"),
    [
        ("elements", "measure=income", "measure"),
        ("elements", "from=2014&to=2010", "to"),
        ("elements", "bogus=1", "bogus"),
        ("elements", "format=xml", "format"),
        ("elements", "top_n=-1", "top_n"),
        # lists, unions and free-form regions
        ("area_map", "elements=OAEHSGCO,HSSU65PL", "elements"),
        ("area_map", "elements=OAEHSGCO&elements=HSSU65PL", "elements"),
        ("area_map", "age_bands=65%2B&age_bands=0-10", "age_bands"),
        ("area_map", "level=district&areas=B1,B2", "areas"),
        ("area_map", "regions=North:B1%2BB2", "regions"),
        ("area_map", "level=region&regions=North:B16", "regions"),
        # combinations the catalogue does not publish
        ("area_map", "level=ward&genders=Female", "genders"),
        ("area_map", "level=sector&period_kind=quarter", "period_kind"),
        ("area_map", "level=h3r8&elements=OAEHSGCO", "elements"),
        ("area_map", "level=sector&elements=OAEHSGCO&age_bands=65%2B", "elements"),
        ("area_map", "level=city&genders=Female&ethnic_groups=Asian", "ethnic_groups"),
        ("element_compare", "level=h3r8&element_a=OAEHSGCO&element_b=HSSU65PL", "elements"),
        # a range that is not a preset, for a view of one cell per area
        ("area_map", "from=2003&to=2006", "to"),
        ("enablement", "period_kind=fy&from=2003/04&to=2005/06", "to"),
        ("area_map", "period_kind=quarter&level=ward&from=2014-Q1&to=2014-Q2", "to"),
        # view-specific requirements
        ("quarterly_users", "", "element"),
        ("area_compare", "measure=cost", "measure"),
        ("element_compare", "element_a=OAEHSGCO", "element_b"),
        # the views behind the budget and directors' cards
        ("enablement_groups", "themes=MIA3", "themes"),
        ("enablement_groups", "period_kind=fy&from=2014/15&age_bands=nonsense", "age_bands"),
        ("enablement_areas", "level=h3r8&period_kind=quarter", "period_kind"),
        ("enablement_areas", "elements=OAEHSGCO", "elements"),
        ("mia_targets", "elements=OAEHSGCO", "elements"),
        ("mia_saving", "period_kind=fy", "themes"),
        ("mia_saving", "themes=MIA3", "period_kind"),
        ("area_profiles", "level=district&ethnic_groups=Asian", "ethnic_groups"),
        ("area_profiles", "level=region&region_set=nope", "region_set"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(client, view, query, field):
    resp = client.get(f"/api/v1/views/{view}?{query}")
    assert resp.status_code == 400 and resp.mimetype == "application/json"
    error = resp.get_json()["error"]
    assert error["field"] == field and error["message"]


@pytest.mark.parametrize(
    ("view", "params"),
    [
        ("enablement_groups", {"period_kind": "fy", "from": "2012/13", "to": "2014/15",
                               "themes": "MIA17"}),
        ("enablement_areas", {"period_kind": "fy", "from": "2013/14", "to": "2014/15",
                              "level": "ward", "themes": "MIA17"}),
        ("mia_targets", {"period_kind": "fy", "themes": "MIA3"}),
        ("mia_saving", {"period_kind": "fy", "from": "2012/13", "to": "2014/15",
                        "level": "city", "themes": "MIA3"}),
        ("area_profiles", {"level": "region", "region_set": "nes", "from": "2013", "to": "2013"}),
    ],
)  # fmt: skip
def test_a_cards_view_over_the_api_is_the_query_layers_result(client, queries_db, view, params):
    """The budget and directors' cards call these views: the API's JSON and CSV are the same
    protected result, so what the card shows is what a client gets."""
    result = run_view(queries_db, view, parse_filters(params, queries_db.reference))
    body = client.get(f"/api/v1/views/{view}", query_string=params).get_json()
    assert body["rows"] == result.records() and body["rows"]
    assert body["columns"] == [{"name": c.name, "kind": c.kind} for c in result.columns]
    resp = client.get(f"/api/v1/views/{view}", query_string={**params, "format": "csv"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.get_data(as_text=True) == csv_text(result, view)
    if view == "mia_targets":  # Table 14: budget figures, reference data, not protected counts
        kinds = {c["name"]: c["kind"] for c in body["columns"]}
        assert kinds["net_spend_2015_16"] == kinds["saving"] == "budget"
        assert not any(kind == "count" for kind in kinds.values())


def test_a_profile_by_its_own_dimension_names_the_parameter(client):
    resp = client.get("/api/v1/views/demographics?age_bands=65%2B&dimension=age_band")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["field"] == "age_bands"


def test_a_non_preset_range_lists_the_presets(client):
    error = client.get("/api/v1/views/area_map?from=2003&to=2006").get_json()["error"]
    assert error["allowed"] == ["2001..2015", "2011..2015", "2013..2015"]
    assert client.get("/api/v1/views/area_map?from=2011&to=2015").status_code == 200
    assert client.get("/api/v1/views/matrix?from=2003&to=2006").status_code == 200


def test_unknown_view_is_404_json(client):
    resp = client.get("/api/v1/views/people_list")
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    error = resp.get_json()["error"]
    assert error["field"] == "view" and "area_map" in error["allowed"]


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/views/", "/api/v1/views/area_map/x"])
def test_unknown_api_path_is_404_json(client, path):
    resp = client.get(path)
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    assert resp.get_json()["error"]["field"] == "path"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_writing_to_an_api_path_is_405_naming_the_method(client, method):
    resp = getattr(client, method)("/api/v1/views/area_map")
    assert resp.status_code == 405 and resp.headers["Allow"] == "GET"
    assert resp.get_json()["error"]["field"] == "method"
    assert getattr(client, method)("/api/v1/nope").status_code == 404


def test_catalogue_lists_levels_periods_breakdowns_and_members(client, queries_db):
    body = client.get("/api/v1/catalogue").get_json()
    ref = queries_db.reference
    assert body["version"] == queries_db.meta["catalogue_version"]
    assert set(body["measures"]) == set(MEASURES)
    for measure in body["measures"].values():
        assert measure["levels"] == list(LEVELS) and measure["definition"]
    assert set(body["levels"]) == set(LEVELS)  # (jsonify sorts keys)
    for level, entry in body["levels"].items():
        rule = LEVEL_RULES[level]
        assert entry["period_kinds"] == list(rule.period_kinds)
        assert entry["what_kinds"] == list(rule.what_kinds)
        assert entry["breakdown_sets"] and all(
            (s["what"] != "all") + s["age_band"] + s["client_group"] <= rule.max_core
            for s in entry["breakdown_sets"]
        )
        assert entry["gender_and_ethnic_group"] == rule.demographics
    assert body["levels"]["h3r8"]["period_kinds"] == ["year", "fy"]
    members = body["members"]
    assert members["age_band"] == list(ref.age_bands)
    assert members["region_set"] == ["nes"]
    assert "element:OAEHSGCO" in members["what"] and "theme:MIA17:Internal" in members["what"]
    assert set(body["periods"]) == {"year", "fy", "quarter"}
    assert "2011..2015" in body["periods"]["year"] and "2015-Q4" in body["periods"]["quarter"]


def test_what_members_of_the_catalogue_are_published_cells(client, queries_serving_path):
    """Every what member the build writes is one the catalogue lists."""
    import duckdb

    members = set(client.get("/api/v1/catalogue").get_json()["members"]["what"])
    con = duckdb.connect(str(queries_serving_path), read_only=True)
    try:
        published = {r[0] for r in con.execute("SELECT DISTINCT what FROM cells").fetchall()}
    finally:
        con.close()
    assert published <= members


def test_openapi_documents_every_view_and_parameter(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for view in VIEWS:
        op = spec["paths"][f"/api/v1/views/{view}"]["get"]
        names = {p["name"] for p in op["parameters"]}
        assert set(PARAMETERS) | {"format"} <= names, view
        assert {"200", "400"} <= set(op["responses"])
    assert "/api/v1/catalogue" in spec["paths"] and "/api/v1/meta" in spec["paths"]


def test_meta_lists_reference_values(client):
    body = client.get("/api/v1/meta").get_json()
    assert body["build"]["data_date"] == "2015-12-31" and body["build"]["synthetic"] == "true"
    assert "B1 1" in {a["code"] for a in body["reference"]["areas"]["sector"]}
    assert body["views"] == list(VIEWS)
    parts = body["reference"]["part_periods"]
    assert parts["fy"]["2015/16"] == {"data_from": "2015-04-01", "data_to": "2015-12-31"}
    assert parts["year"] == {}


_KEYS = st.sampled_from(
    [*PARAMETERS, "format", "x", "areas[]", "level\x00"]
)  # every parameter, and a few that are not
_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["2015", "2011..2015", "2013/14", "2015-Q1", "city", "region", "h3r8", "sector", "nes",
         "B1", "B1 1", "E05011151", "OAEHSGCO", "MIA17", "Internal", "65+", "Female", "Asian",
         "rate_per_1000", "internal_share", "cost", "gender", "csv", "0", "50", "-1", "nes/East"]
    ),
)  # fmt: skip


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    view=st.sampled_from([*VIEWS, "nope", "%00", "..%2f"]),
    params=st.dictionaries(_KEYS, st.one_of(_VALUES, st.lists(_VALUES, max_size=2)), max_size=5),
)
def test_no_input_yields_a_500_or_a_traceback(client, view, params):
    resp = client.get(f"/api/v1/views/{view}", query_string=params)
    assert resp.status_code in (200, 400, 404)
    text = resp.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text
    if resp.status_code != 200 and "%2f" not in view:  # ../ is a routing 404 (see above)
        assert resp.mimetype == "application/json"
        assert resp.get_json()["error"]["field"]
