"""Every view answers on the real build at every level the catalogue allows (and is refused,
naming a field, exactly where the catalogue does not publish the cells it would read), with
the build's metadata, protected counts and plain-object text columns."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from queries import VIEWS, FilterError, parse_filters, run_view
from queries.catalogue import LEVEL_RULES, LEVELS, CatalogueError, check_cell
from queries.database import plain_frame
from queries.result import COLUMN_KINDS, STATUSES

ELEMENT, ELEMENT_B = "OAEHSGCO", "HSSU65PL"
#: Views of one place: with `areas` they read the cells of that area at the level.
ONE_PLACE_VIEWS = (
    "elements",
    "trend",
    "quarterly_users",
    "demographics",
    "headlines",
    "enablement_groups",
    "mia_saving",
)
#: Parameters a view needs besides the shared ones (a saving is read for one theme).
VIEW_PARAMS: dict[str, dict[str, str]] = {"mia_saving": {"themes": "MIA3"}}
#: Views of reference data only (Table 14): no cells, so no disclosure rule of their own.
REFERENCE_VIEWS = ("mia_targets",)
TEXT_KINDS = ("area", "period", "category", "status")


def _cases() -> list[tuple[str, str, str]]:
    """Each view at each level, with the level's period kinds taken in turn."""
    out = []
    for i, view in enumerate(VIEWS):
        for j, level in enumerate(LEVELS):
            kinds = LEVEL_RULES[level].period_kinds
            out.append((view, level, kinds[(i + j) % len(kinds)]))
    return out


def _reads(view: str, level: str, kind: str, band: str) -> list[tuple[str, str, str, dict]]:
    """(level, period kind, what, breakdowns) of the cells the view reads: the oracle of
    whether the catalogue publishes them."""
    return {
        "area_map": [(level, kind, "all", {})],
        "matrix": [(level, kind, "all", {})],
        "element_compare": [(level, kind, f"element:{ELEMENT}", {})],
        "provision": [(level, kind, "provision:Internal", {})],
        "enablement": [(level, kind, "theme:MIA17", {})],
        "area_compare": [(level, kind, "all", {}), ("city", kind, "all", {})],
        "elements": [(level, kind, f"element:{ELEMENT}", {})],
        "trend": [(level, kind, "all", {})],
        "headlines": [(level, kind, "all", {})],
        "quarterly_users": [(level, "quarter", f"element:{ELEMENT}", {})],
        "demographics": [(level, kind, "all", {"age_band": band})],
        "enablement_groups": [
            (level, kind, "element:LDIHSENB", {}),
            (level, kind, "theme:MIA17", {}),
        ],
        "enablement_areas": [(level, kind, "theme:MIA17", {})],
        "area_profiles": [(level, kind, "all", {"age_band": band})],
        "mia_saving": [(level, kind, "theme:MIA3", {})],
        "mia_targets": [],
    }[view]


def _refused_by_view(view: str, kind: str) -> bool:
    """Whether the view itself refuses the period kind (savings are per financial year)."""
    return view == "mia_saving" and kind != "fy"


def _published(reads) -> bool:
    try:
        for level, kind, what, breakdowns in reads:
            check_cell(level, kind, False, what, breakdowns)
    except CatalogueError:
        return False
    return True


@pytest.fixture(scope="module")
def busiest(queries_serving_path):
    """(level, period kind) -> (latest period, the area with the most people then)."""
    con = duckdb.connect(str(queries_serving_path), read_only=True)
    try:
        rows = con.execute(
            "SELECT level, period_kind, arg_max(period, period), "
            "arg_max(area_code, people) FILTER (WHERE period = "
            "  (SELECT max(p.period) FROM periods AS p WHERE p.period_kind = c.period_kind)) "
            "FROM cells AS c WHERE what = 'all' AND age_band = 'all' AND client_group = 'all' "
            "AND gender = 'all' AND ethnic_group = 'all' AND period NOT LIKE '%..%' "
            "GROUP BY ALL"
        ).fetchall()
    finally:
        con.close()
    return {(level, kind): (period, area) for level, kind, period, area in rows}


@pytest.mark.parametrize(("view", "level", "kind"), _cases())
def test_every_view_answers_at_every_level_the_catalogue_allows(
    queries_db, busiest, view, level, kind
):
    ref = queries_db.reference
    period, area = busiest[(level, kind)]
    params = {
        "level": level,
        "period_kind": kind,
        "from": period,
        "to": period,
        "element": ELEMENT,
        "element_a": ELEMENT,
        "element_b": ELEMENT_B,
        **VIEW_PARAMS.get(view, {}),
    }
    if view in ONE_PLACE_VIEWS and level != "city":
        params["areas"] = area
    f = parse_filters(params, ref)
    reads = _reads(view, level, kind, ref.age_bands[0])
    if view in ONE_PLACE_VIEWS and level == "city":
        reads = [("city", *r[1:]) for r in reads]
    if _refused_by_view(view, kind) or not _published(reads):
        with pytest.raises(FilterError) as info:
            run_view(queries_db, view, f)
        assert info.value.field in ("elements", "period_kind", "to", "age_bands")
        return
    res = run_view(queries_db, view, f)
    assert len(res.rows) > 0
    meta = res.meta
    assert meta["view"] == view and meta["build_id"] == queries_db.meta["build_id"]
    assert meta["synthetic"] is True and meta["data_date"] == "2015-12-31"
    assert meta["catalogue_version"] == queries_db.meta["catalogue_version"]
    if view not in REFERENCE_VIEWS:
        assert "D = 7" in meta["rule"] and f"V = {queries_db.meta['ptable_V']}" in meta["rule"]
    assert {c.kind for c in res.columns} <= set(COLUMN_KINDS)
    rows = res.rows
    assert list(rows.columns) == [c.name for c in res.columns]
    assert rows.columns.dtype == object and list(rows.index) == list(range(len(rows)))
    for column in res.columns:
        values = rows[column.name]
        if column.kind == "status":
            assert set(values) <= set(STATUSES), (view, column.name)
        if column.kind == "count" and column.name != "difference":
            published = values.to_numpy(dtype="float64", na_value=np.nan)
            published = published[~np.isnan(published)]
            assert ((published == 0) | ((published >= 10) & (published % 5 == 0))).all(), (
                view,
                column.name,
            )


def test_plain_frame_makes_inferred_text_plain_object():
    frame = plain_frame({"area_code": pd.Series(["B1", "B2"]), "n": np.array([1, 2])})
    assert frame["area_code"].dtype == object


def test_text_columns_of_every_view_are_plain_object(queries_db):
    ref = queries_db.reference
    params = {"level": "district", "element": ELEMENT, "element_a": ELEMENT,
              "element_b": ELEMENT_B}  # fmt: skip
    wrong = []
    saving = {"period_kind": "fy", "themes": "MIA3"}
    for view in VIEWS:
        extra = saving if view == "mia_saving" else {}
        res = run_view(queries_db, view, parse_filters({**params, **extra}, ref))
        assert res.rows.columns.dtype == object
        wrong += [
            (view, c.name, str(res.rows[c.name].dtype))
            for c in res.columns
            if c.kind in TEXT_KINDS and res.rows[c.name].dtype != object
        ]
    assert wrong == []


def test_areas_of_a_level_are_the_rows_of_an_area_view(queries_db):
    ref = queries_db.reference
    for level in LEVELS:
        rows = run_view(queries_db, "area_map", parse_filters({"level": level}, ref)).rows
        expected = [ref.city_code()] if level == "city" else list(ref.level_areas(level, "nes"))
        assert list(rows["area_code"]) == expected, level


def test_built_database_reference_tables_feed_the_filters(queries_db):
    ref = queries_db.reference
    assert ref.periods["year"] and ref.periods["fy"] and ref.periods["quarter"]
    assert all(ref.areas[level] for level in LEVELS)
    assert set(ref.provision_types) <= {"Internal", "External", "Direct payment"}
    assert ref.region_sets == {"nes": "North, East and South (thesis)"}
    for kind in ("year", "fy"):
        presets = [m for m in ref.period_members[kind] if ".." in m]
        assert len(presets) == 3, kind
    assert not [m for m in ref.period_members["quarter"] if ".." in m]


def test_plain_frame_takes_finished_columns_of_one_length():
    counts = pd.arrays.IntegerArray(np.array([5, 0]), np.array([False, True]))
    frame = plain_frame(
        {
            "count": counts,
            "name": np.array(["a", "b"], dtype=object),
            "value": pd.Series([1.5, 2.5]),
            "status": pd.Series(["", "[c]"], dtype=object),
        }
    )
    assert list(frame.columns) == ["count", "name", "value", "status"]
    assert frame.columns.dtype == object
    assert frame["count"].dtype == "Int64" and frame["count"].isna().tolist() == [False, True]
    assert frame["name"].dtype == object and frame["status"].dtype == object
    assert frame["value"].tolist() == [1.5, 2.5] and list(frame.index) == [0, 1]
    with pytest.raises(TypeError):
        plain_frame({"a": [1, 2]})
    with pytest.raises(ValueError):
        plain_frame({"a": np.zeros(2), "b": np.zeros(3)})
