"""The views run on a serving database built by `care-atlas build` (not just the test fixture)."""

from __future__ import annotations

import pandas as pd
import pytest

from queries import VIEWS, open_database, parse_filters, run_view


@pytest.fixture(scope="module")
def built_db(small_serving_db):
    return open_database(small_serving_db)


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("level", ["ward", "district", "sector", "h3r8", "city"])
def test_every_view_on_the_built_database(built_db, view, level):
    ref = built_db.reference
    elements = list(ref.elements)
    params = {
        "level": level,
        "element": elements[0],
        "element_a": elements[0],
        "element_b": elements[1],
    }
    res = run_view(built_db, view, parse_filters(params, ref))
    for col in (c.name for c in res.columns if c.kind == "count" and c.name != "difference"):
        published = pd.to_numeric(res.rows[col], errors="coerce").dropna()
        assert not published.between(1, 9).any()
        assert (published % 5 == 0).all()
    assert res.meta["build_id"] == built_db.meta["build_id"]


def test_built_database_reference_tables_feed_the_filters(built_db):
    ref = built_db.reference
    assert ref.periods["year"] and ref.periods["quarter"] and ref.areas["ward"]
    assert set(ref.provision_types) <= {"Internal", "External", "Direct payment"}


def test_query_results_keep_text_as_plain_objects(built_db):
    """pandas 3 would infer its Arrow-backed str dtype for text and column labels; the views'
    column inserts, takes and sorts on it cost several ms a view, so the hot path keeps both as
    object (queries.database.Database.query_arrays)."""
    frame = built_db.query_arrays(
        "SELECT area_code, area_name, population FROM areas WHERE level = $level",
        {"level": "ward"},
    )
    assert frame.columns.dtype == object
    assert frame["area_code"].dtype == object and frame["area_name"].dtype == object
    frame["status"] = "x"  # a view's later insert keeps the labels plain
    assert frame.columns.dtype == object
