"""Properties over random VALID requests (one value per dimension, inside the catalogue), for
every view, on the real build (PRIVACY.md §3-§5):

- no published count in 1..9 anywhere; every published count is 0 or a multiple of 5 >= 10,
  in the frame, the CSV and the JSON;
- the same request twice gives identical results;
- every count and money value a view shows equals the cell it read, looked up directly in the
  served file's `cells` table (a cell without a row is [c] in every measure);
- money is published only where its cell's people count is published.

A view may refuse a valid request it cannot answer (a free range for one cell, a measure it
does not show, breakdowns the level does not carry with an element): a FilterError naming a
request field. Enough of the examples must answer for the properties to mean something.
"""

from __future__ import annotations

import io
import json

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queries import VIEWS, FilterError, parse_filters, run_view
from queries.catalogue import (
    ALL,
    DEMOGRAPHIC_WHAT_KINDS,
    LEVEL_RULES,
    LEVELS,
    RANGE_PERIOD_KINDS,
    what_kind,
)
from queries.filters import BREAKDOWN_PARAMETERS, DIMENSIONS, VIEW_MEASURES

SETTINGS = settings(
    max_examples=7,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: Elements with people in most places, so element views show published numbers.
ELEMENTS = ("OAEHSGCO", "HSSU65PL", "CHIRDRT", "OAERSRES", "OAIHSENB")
KEY = ("level", "area_code", "period_kind", "period", "what", "age_band", "client_group",
       "gender", "ethnic_group")  # fmt: skip
MONEY = ("cost", "cost_beyond_42")
#: Fields a view may name when it refuses a valid request (mia_saving: a theme's saving).
REFUSAL_FIELDS = {
    "measure", "to", "from", "elements", "period_kind", "themes", *BREAKDOWN_PARAMETERS,
    *DIMENSIONS,
}  # fmt: skip


#: Views of one cell per row: a period or a preset range, never a free range.
ONE_CELL_VIEWS = ("area_map", "enablement", "area_compare", "elements", "element_compare",
                  "demographics", "area_profiles")  # fmt: skip
#: Views whose cells cross the request's breakdowns with one more what member (an element or
#: a provision type), so they leave room for it.
CROSSING_VIEWS = ("elements", "element_compare", "quarterly_users", "provision", "enablement",
                  "area_compare", "enablement_groups", "enablement_areas")  # fmt: skip
#: Views of one place: the city, or the chosen area.
ONE_PLACE_VIEWS = ("elements", "trend", "quarterly_users", "demographics", "enablement_groups",
                   "mia_saving")  # fmt: skip
#: Views that read MIA17 enablement whatever the request's what (all, or theme MIA17).
ENABLEMENT_VIEWS = ("enablement", "enablement_groups", "enablement_areas")


@st.composite
def valid_states(draw, ref, view: str) -> dict[str, str]:
    """A request the catalogue publishes and `view` can show: one value per dimension, the
    level's field exclusion kept (a view may still refuse a few, e.g. a measure it lacks)."""
    level = draw(st.sampled_from(LEVELS))
    rule = LEVEL_RULES[level]
    kind = draw(st.sampled_from(rule.period_kinds))
    if view == "mia_saving" and "fy" in rule.period_kinds:
        kind = "fy"  # savings targets are per financial year
    if view == "quarterly_users" and "quarter" not in rule.period_kinds:
        level, rule = "city", LEVEL_RULES["city"]  # its place must publish quarters
    labels = ref.periods[kind]
    shapes = ["single", "preset"] if view in ONE_CELL_VIEWS else ["single", "preset", "range"]
    shape = draw(st.sampled_from(shapes))
    if shape == "preset" and kind in RANGE_PERIOD_KINDS:
        member = draw(st.sampled_from([m for m in ref.period_members[kind] if ".." in m]))
        first, last = member.split("..")
    else:
        i = draw(st.integers(len(labels) // 2, len(labels) - 1))
        j = i if shape != "range" else draw(st.integers(i, min(i + 3, len(labels) - 1)))
        first, last = labels[i], labels[j]
    params = {"level": level, "period_kind": kind, "from": first, "to": last}
    if level == "region":
        params["region_set"] = "nes"
    areas = list(ref.level_areas(level, params.get("region_set")))
    if level != "city" and draw(st.integers(0, 2)) == 0:
        params["areas"] = draw(st.sampled_from(areas))
    if level in ("sector", "h3r7", "h3r8") and draw(st.integers(0, 3)) == 0:
        containers = sorted(c for c, parts in ref.area_parts.items() if level in parts)
        params["within"] = draw(st.sampled_from(containers))
    one_place = view in ONE_PLACE_VIEWS
    place_rule = rule if (not one_place or "areas" in params) else LEVEL_RULES["city"]
    # The request's own cell at its level, and the cells the view reads, must be published.
    room = min(
        rule.max_core_for(kind),
        place_rule.max_core_for("quarter" if view == "quarterly_users" else kind),
    )
    room -= view in CROSSING_VIEWS
    dimension = draw(st.sampled_from(DIMENSIONS))
    if view == "demographics":
        room -= dimension == "age_band"
    room -= view == "area_profiles"  # every area's age profile: one breakdown more
    # what: a kind the level carries (a view that reads the provision types takes all services
    # or a theme; enablement reads its MIA17 selection itself)
    kinds = [k for k in place_rule.what_kinds if k in rule.what_kinds]
    if view in ("provision", "area_compare"):
        kinds = ["all", "theme"]
    if view in ENABLEMENT_VIEWS:
        kinds = ["all"]
    if view in ("mia_saving", "mia_targets"):
        kinds = ["theme"]
    if view == "demographics" and dimension != "age_band":
        kinds = [k for k in kinds if k in DEMOGRAPHIC_WHAT_KINDS]
    wkind = draw(st.sampled_from(kinds)) if room > 0 else "all"
    what_values = {
        "element": ("elements", ELEMENTS),
        "service": ("services", ref.services),
        "theme": ("themes", ref.themes),
        "provision": ("provision", ref.provision_types),
    }
    if wkind in what_values:
        name, values = what_values[wkind]
        params[name] = draw(st.sampled_from(list(values)))
        room -= 1
    elif wkind == "theme_provision":
        params["themes"] = draw(st.sampled_from(list(ref.themes)))
        params["provision"] = draw(st.sampled_from(list(ref.provision_types)))
        room -= 1
    demographics_ok = (
        place_rule.demographics
        and rule.demographics
        and wkind in DEMOGRAPHIC_WHAT_KINDS
        and view not in CROSSING_VIEWS
        # a profile is never crossed with gender or ethnic group
        and view not in ("demographics", "area_profiles")
    )
    if demographics_ok and draw(st.integers(0, 2)) == 0:
        name = draw(st.sampled_from(["genders", "ethnic_groups"]))
        values = ref.genders if name == "genders" else ref.ethnic_groups
        params[name] = draw(st.sampled_from(list(values)))
    elif view != "demographics" or dimension == "age_band":
        for name, values in (("age_bands", ref.age_bands), ("client_groups", ref.client_groups)):
            if view == "demographics" and name == "age_bands":
                continue
            if room > 0 and draw(st.booleans()):
                params[name] = draw(st.sampled_from(list(values)))
                room -= 1
    measures = VIEW_MEASURES
    if view == "area_compare":
        measures = ("people", "rate_per_1000", "internal_share")
    params["measure"] = draw(st.sampled_from(measures))
    params["top_n"] = str(draw(st.integers(1, 50)))
    params["element"] = draw(st.sampled_from(ELEMENTS))
    a, b = draw(st.lists(st.sampled_from(ELEMENTS), min_size=2, max_size=2, unique=True))
    params["element_a"], params["element_b"] = a, b
    params["dimension"] = dimension
    return params


@pytest.fixture(scope="module")
def con(queries_serving_path):
    c = duckdb.connect(str(queries_serving_path), read_only=True)
    yield c
    c.close()


# The oracle: which cell each count and money value of a view is -------------------------------


def _place(ref, f) -> tuple[str, str]:
    return (f.level, f.area) if f.area is not None else ("city", ref.city_code())


def _base(f, level: str, **changes: str) -> dict[str, str]:
    key = {
        "level": level, "period_kind": f.period_kind, "period": f.period, "what": f.what,
        "age_band": f.age_band, "client_group": f.client_group, "gender": f.gender,
        "ethnic_group": f.ethnic_group,
    }  # fmt: skip
    key.update(changes)
    return key


def _enablement_what(f) -> str:
    if f.what.startswith("theme:MIA17") or what_kind(f.what) == "element":
        return f.what
    return "theme:MIA17"


def _enablement_all(f) -> str:
    return f.what if f.what.startswith("theme:MIA17") else "theme:MIA17"


def expected_cells(view: str, f, ref, rows: pd.DataFrame) -> list[tuple[int, str, str, dict]]:
    """(row, column, measure, cell key) of every count and money value the view shows."""
    out: list[tuple[int, str, str, dict]] = []
    counts_or_money = f.measure not in ("rate_per_1000", "internal_share")
    for i, row in enumerate(rows.to_dict("records")):
        if view in ("area_map", "matrix"):
            period = row["period"] if view == "matrix" else f.period
            key = _base(f, f.level, area_code=row["area_code"], period=period)
            if counts_or_money:
                out.append((i, "value", f.measure, key))
            if view == "area_map" and f.measure != "internal_share":
                out.append((i, "people", "people", key))
        elif view == "provision":
            for prefix, ptype in (("internal", "Internal"), ("external", "External"),
                                  ("direct", "Direct payment")):  # fmt: skip
                what = f"provision:{ptype}" if f.what == ALL else f"{f.what}:{ptype}"
                key = _base(f, f.level, area_code=row["area_code"], period=row["period"], what=what)
                out.append((i, f"{prefix}_people", "people", key))
                out.append((i, f"{prefix}_cost", "cost", key))
        elif view == "enablement":
            key = _base(f, f.level, area_code=row["area_code"], what=_enablement_what(f))
            for column, measure in (("people", "people"), ("people_over_6w", "people_over_6w"),
                                    ("cost_beyond_42", "cost_beyond_42")):  # fmt: skip
                out.append((i, column, measure, key))
        elif view == "element_compare":
            for column, element in (("a_people", f.element_a), ("b_people", f.element_b)):
                key = _base(f, f.level, area_code=row["area_code"], what=f"element:{element}")
                out.append((i, column, "people", key))
        elif view == "elements":
            level, area = _place(ref, f)
            key = _base(f, level, area_code=area, what=f"element:{row['element_code']}")
            for column, measure in (("people", "people"), ("agreements", "agreements_active"),
                                    ("cost", "cost")):  # fmt: skip
                out.append((i, column, measure, key))
        elif view == "trend":
            level, area = _place(ref, f)
            key = _base(f, level, area_code=area, period=row["period"])
            for column, measure in (("people", "people"), ("agreements", "agreements_active"),
                                    ("cost", "cost")):  # fmt: skip
                out.append((i, column, measure, key))
        elif view == "quarterly_users":
            level, area = _place(ref, f)
            key = _base(f, level, area_code=area, period_kind="quarter", period=row["period"],
                        what=f"element:{f.element}")  # fmt: skip
            out.append((i, "people", "people", key))
        elif view == "demographics":
            level, area = _place(ref, f)
            key = _base(f, level, area_code=area, **{f.dimension: row["category"]})
            out.append((i, "people", "people", key))
        elif view in ("enablement_groups", "enablement_areas"):
            if view == "enablement_groups":
                level, area = _place(ref, f)
                code = str(row["group_label"]).rsplit("(", 1)[-1].rstrip(")")
                what = _enablement_all(f) if row["group"] == ALL else f"element:{code}"
            else:
                level, area, what = f.level, row["area_code"], _enablement_all(f)
            key = _base(f, level, area_code=area, period=row["period"], what=what)
            for column in ("people", "people_over_6w", "cost_beyond_42"):
                out.append((i, column, column, key))
        elif view == "area_profiles":
            whole = {"age_band": ALL} if row["dimension"] == "age_band" else {}
            key = _base(f, f.level, area_code=row["area_code"], **whole)
            out.append((i, "total_people", "people", key))
            out.append((i, "people", "people", {**key, row["dimension"]: row["category"]}))
        elif view == "mia_saving" and row["basis_year"] is not None:
            level, area = _place(ref, f)
            key = _base(f, level, area_code=area, period=row["basis_year"])
            out.append((i, "basis_people", "people", key))
            out.append((i, "basis_cost", "cost", key))
    return out


def look_up(con, wanted: list[tuple[int, str, str, dict]]) -> pd.DataFrame:
    """Each wanted value's cell straight from the served `cells` table (0 where no row)."""
    frame = pd.DataFrame([{**key, "i": n} for n, (_r, _c, _m, key) in enumerate(wanted)])
    con.register("wanted", frame[["i", *KEY]])
    # Only the slices wanted are read (the cells table is sorted by level, kind and what).
    slices = {name: sorted(set(frame[name])) for name in ("level", "period_kind", "period", "what")}
    try:
        found = con.execute(
            "SELECT w.i, c.people IS NOT NULL OR c.level IS NULL AS people_shown, "
            "c.level IS NOT NULL AS has_row, c.people, c.agreements_active, "
            "c.agreements_started, c.people_over_6w, c.cost, c.cost_beyond_42 "
            "FROM wanted AS w LEFT JOIN (SELECT * FROM cells WHERE list_contains($level, level) "
            "AND list_contains($period_kind, period_kind) AND list_contains($period, period) "
            "AND list_contains($what, what)) AS c USING (" + ", ".join(KEY) + ") ORDER BY w.i",
            slices,
        ).df()
    finally:
        con.unregister("wanted")
    return found


# Checks -------------------------------------------------------------------------------------


def _counts_protected(values, where: str) -> None:
    published = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").dropna()
    assert not published.between(0, 9).any(), f"{where}: a published count in 0..9"
    ok = (published >= 10) & (published % 5 == 0)
    assert ok.all(), f"{where}: a count that is not a multiple of 5 >= 10"


def check_result(con, view: str, f, ref, result) -> None:
    rows = result.rows
    count_columns = [c.name for c in result.columns if c.kind == "count" and c.name != "difference"]
    for column in count_columns:
        _counts_protected(rows[column], f"{view}.{column}")
    if view == "element_compare":
        expected = (rows["a_people"] - rows["b_people"]).astype("Int64")
        pd.testing.assert_series_equal(rows["difference"], expected, check_names=False)
    # CSV and JSON carry the same protected numbers.
    csv = pd.read_csv(io.StringIO(result.to_csv()), keep_default_na=False, dtype=str)
    payload = json.loads(result.to_json_text())
    assert len(csv) == len(payload["rows"]) == len(rows)
    for column in count_columns:
        _counts_protected(csv[column].replace("", None), f"{view} csv {column}")
        _counts_protected([r[column] for r in payload["rows"]], f"{view} json {column}")
    # Every count and money value is the cell it read.
    wanted = expected_cells(view, f, ref, rows)
    if not wanted:
        return
    cells = look_up(con, wanted)
    for (row, column, measure, key), cell in zip(wanted, cells.to_dict("records"), strict=True):
        shown = rows[column].iloc[row]
        expected = cell[measure] if cell["has_row"] else pd.NA
        if pd.isna(expected):
            assert pd.isna(shown), (view, column, key, shown)
        else:
            assert not pd.isna(shown) and float(shown) == float(expected), (
                view, column, key, shown, expected,
            )  # fmt: skip
        if measure in MONEY and not pd.isna(shown) and cell["has_row"]:
            assert cell["people_shown"], (view, column, key, "money of a [c] people count")


def _run(queries_db, con, view, params, answered) -> None:
    ref = queries_db.reference
    f = parse_filters(params, ref)
    try:
        first = run_view(queries_db, view, f)
    except FilterError as exc:
        assert exc.field in REFUSAL_FIELDS, (exc.field, exc.message)
        return
    answered.append(params)
    check_result(con, view, f, ref, first)
    again = run_view(queries_db, view, f)
    pd.testing.assert_frame_equal(first.rows, again.rows)
    assert first.meta == again.meta
    assert [c.name for c in first.columns] == [c.name for c in again.columns]


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_shows_its_cells_protected(queries_db, con, view):
    ref = queries_db.reference
    answered: list[dict] = []

    @SETTINGS
    @given(valid_states(ref, view))
    def check(params):
        _run(queries_db, con, view, params, answered)

    check()
    assert len(answered) >= 3, f"{view}: too few valid requests answered to test anything"


@pytest.mark.parametrize(
    ("view", "params"),
    [
        ("provision", {"level": "ward", "from": "2015"}),
        ("elements", {"level": "city", "top_n": "50"}),
        ("enablement", {"level": "district", "from": "2011", "to": "2015"}),
        ("trend", {"level": "district", "areas": "B23", "period_kind": "fy"}),
        ("demographics", {"level": "city", "dimension": "ethnic_group", "themes": "MIA3"}),
        ("quarterly_users", {"level": "ward", "areas": "E05011151", "element": "OAEHSGCO"}),
        ("area_map", {"level": "h3r8", "measure": "cost", "provision": "External"}),
        ("matrix", {"level": "sector", "measure": "cost", "within": "B23"}),
    ],
)
def test_money_and_counts_of_chosen_requests_are_their_cells(queries_db, con, view, params):
    """Requests with plenty of money and suppression, so the oracle sees both."""
    answered: list[dict] = []
    _run(queries_db, con, view, params, answered)
    assert answered


def test_metadata_says_what_users_must_know(queries_db):
    res = run_view(queries_db, "area_map", parse_filters({}, queries_db.reference))
    meta = res.meta
    assert meta["synthetic"] is True and meta["data_date"] == "2015-12-31"
    assert meta["build_id"] == queries_db.meta["build_id"]
    assert "D = 7" in meta["rule"] and "[c]" in meta["rule"] and "3 significant" in meta["rule"]
    assert meta["definition"] and meta["denominator"]
    assert any("need not equal" in n for n in meta["notes"])


def test_enablement_cost_beyond_6_weeks_only_where_its_people_are_published(queries_db):
    ref = queries_db.reference
    rows = run_view(queries_db, "enablement", parse_filters({"level": "ward"}, ref)).rows
    published_cost = rows["cost_status"] == ""
    assert published_cost.any()
    assert (rows.loc[published_cost, "over_6w_status"] == "").all()


@pytest.mark.parametrize("view", ["area_map", "demographics", "quarterly_users"])
def test_a_valid_request_round_trips_through_its_url_parameters(queries_db, view):
    ref = queries_db.reference

    @settings(SETTINGS, max_examples=25)
    @given(valid_states(ref, view))
    def check(params):
        f = parse_filters(params, ref)
        assert parse_filters(f.to_params(), ref) == f
        assert f.cache_key() == parse_filters(f.to_params(), ref).cache_key()

    check()


def test_elements_rank_by_published_people_suppressed_last(queries_db):
    ref = queries_db.reference
    for params in ({"level": "city", "top_n": "50"}, {"level": "ward", "areas": "E05011151"}):
        f = parse_filters(params, ref)
        rows = run_view(queries_db, "elements", f).rows
        assert 0 < len(rows) <= f.top_n
        shown = rows["people"].to_numpy(dtype="float64", na_value=float("nan"))
        published = shown[~pd.isna(shown)]
        assert (published > 0).all() and (published[:-1] >= published[1:]).all()
        first_suppressed = len(published)
        assert pd.isna(shown[first_suppressed:]).all()


def test_quarterly_users_show_the_quarters_of_the_chosen_periods(queries_db):
    ref = queries_db.reference
    f = parse_filters({"from": "2014", "to": "2014", "element": "CHIRDRT"}, ref)
    rows = run_view(queries_db, "quarterly_users", f).rows
    assert list(rows["period"]) == ["2014-Q1", "2014-Q2", "2014-Q3", "2014-Q4"]
    f = parse_filters({"period_kind": "fy", "from": "2013/14", "element": "CHIRDRT"}, ref)
    rows = run_view(queries_db, "quarterly_users", f).rows
    assert list(rows["period"]) == ["2013-Q2", "2013-Q3", "2013-Q4", "2014-Q1"]
