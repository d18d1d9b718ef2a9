"""Property tests over random filter states, every view, every output path (PRIVACY §7).

No published count in 1..9, every published count a multiple of 5 (the default 10-5 ptable),
the same query twice gives identical results, and money is suppressed wherever its cell's
people count is.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queries import VIEWS, FilterError, parse_filters, run_view
from queries.filters import DEMOGRAPHIC_LEVELS, MEASURES

#: (money column, the people column whose cell it belongs to) per view.
MONEY_PAIRS = {
    "elements": [("cost", "people")],
    "trend": [("cost", "people")],
    "provision": [(f"{p}_cost", f"{p}_people") for p in ("internal", "external", "direct")],
    "enablement": [("cost_beyond_42", "people_over_6w")],
}
SETTINGS = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@st.composite
def filter_states(draw, ref) -> dict[str, str]:
    kind = draw(st.sampled_from(["year", "fy", "quarter"]))
    labels = ref.periods[kind]
    i = draw(st.integers(0, len(labels) - 1))
    j = draw(st.integers(i, len(labels) - 1))
    level = draw(st.sampled_from(["city", "ward", "district", "sector", "h3r7", "h3r8", "region"]))
    params = {"period_kind": kind, "from": labels[i], "to": labels[j], "level": level}
    sub = lambda values: st.lists(st.sampled_from(list(values)), max_size=3, unique=True)  # noqa: E731
    if level in ref.areas and draw(st.booleans()):
        areas = draw(sub(ref.areas[level]))
        if areas:
            params["areas"] = ",".join(areas)
    if level == "region":
        districts = list(ref.areas["district"])
        a = draw(st.lists(st.sampled_from(districts), min_size=1, max_size=3, unique=True))
        b = draw(st.lists(st.sampled_from(districts), min_size=1, max_size=3, unique=True))
        params["regions"] = f"North:{'+'.join(a)};South:{'+'.join(b)}"
    for name, values in (
        ("age_bands", ref.age_bands),
        ("elements", ref.elements),
        ("provision", ref.provision_types),
        ("themes", ref.themes),
        ("client_groups", ref.client_groups),
    ):
        if draw(st.integers(0, 3)) == 0:
            chosen = draw(sub(values))
            if chosen:
                params[name] = ",".join(chosen)
    if level in DEMOGRAPHIC_LEVELS:
        if draw(st.booleans()):
            params["genders"] = draw(st.sampled_from(list(ref.genders)))
        params["dimension"] = draw(st.sampled_from(["age_band", "gender", "ethnic_group"]))
    params["measure"] = draw(st.sampled_from(MEASURES))
    params["top_n"] = str(draw(st.integers(1, 50)))
    elements = list(ref.elements)
    params["element"] = draw(st.sampled_from(elements[:8]))
    a, b = draw(st.lists(st.sampled_from(elements[:8]), min_size=2, max_size=2, unique=True))
    params["element_a"], params["element_b"] = a, b
    return params


def _check_counts(values: pd.Series, where: str) -> None:
    published = pd.to_numeric(values, errors="coerce").dropna()
    assert not published.between(1, 9).any(), f"{where}: published count in 1..9"
    assert (published % 5 == 0).all(), f"{where}: count not a multiple of 5"


def _check_result(view: str, result) -> None:
    rows = result.rows
    count_cols = [c.name for c in result.columns if c.kind == "count" and c.name != "difference"]
    for col in count_cols:
        _check_counts(rows[col], f"{view}.{col}")
    for money, people in MONEY_PAIRS.get(view, []):
        suppressed = rows[people].isna()
        assert rows.loc[suppressed, money].isna().all(), f"{view}.{money} shown, people [c]"
    for col in (c.name for c in result.columns if c.kind == "money"):
        shown = [float(v) for v in rows[col].dropna()]
        assert all(float(f"{v:.3g}") == v for v in shown), f"{view}.{col}: not 3 significant"
    if view == "area_map" and result.meta["filters"].get("measure") == "cost":
        assert rows.loc[rows["people"].isna(), "value"].isna().all()
    for col in (c.name for c in result.columns if c.kind == "status"):
        assert set(rows[col]) <= {"", "[c]", "[u]", "[z]", "[x]"}
    # Export path: the CSV carries the same protected numbers.
    csv = pd.read_csv(io.StringIO(result.to_csv()), keep_default_na=False, dtype=str)
    for col in count_cols:
        _check_counts(csv[col].replace("", None), f"{view} csv {col}")
    # API path: JSON rows.
    payload = json.loads(result.to_json_text())
    for col in count_cols:
        _check_counts(pd.Series([r[col] for r in payload["rows"]], dtype="object"), f"{view} json")


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_protects_every_cell(queries_db, view):
    ref = queries_db.reference

    @SETTINGS
    @given(filter_states(ref))
    def check(params):
        try:
            f = parse_filters(params, ref)
            first = run_view(queries_db, view, f)
        except FilterError as exc:  # e.g. area_compare with measure=cost: a clean refusal
            assert exc.field in ("measure", "from")
            return
        _check_result(view, first)
        again = run_view(queries_db, view, f)
        pd.testing.assert_frame_equal(first.rows, again.rows)
        assert first.meta == again.meta

    check()


def test_a_sector_alone_and_in_a_multi_sector_query_publish_the_same(queries_db):
    ref = queries_db.reference
    sectors = list(ref.areas["sector"])
    for measure in ("people", "agreements_active", "cost"):
        alone = run_view(
            queries_db,
            "area_map",
            parse_filters({"level": "sector", "areas": sectors[0], "measure": measure}, ref),
        ).rows
        many = run_view(
            queries_db,
            "area_map",
            parse_filters(
                {"level": "sector", "areas": ",".join(sectors[:5]), "measure": measure}, ref
            ),
        ).rows
        pd.testing.assert_frame_equal(
            alone.iloc[[0]].reset_index(drop=True),
            many[many.area_code == sectors[0]].reset_index(drop=True),
        )


def test_metadata_says_what_users_must_know(queries_db):
    res = run_view(queries_db, "area_map", parse_filters({}, queries_db.reference))
    meta = res.meta
    assert meta["synthetic"] is True
    assert meta["data_date"] == "2015-12-31" and meta["build_id"].startswith("fixture")
    assert "perturbation" in meta["rule"] and meta["definition"] and meta["denominator"]
    assert any("need not equal" in n for n in meta["notes"])
