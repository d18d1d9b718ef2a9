"""The views run on a serving database built by `care-atlas build` (not just the test fixture)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from queries import VIEWS, open_database, parse_filters, run_view
from queries.database import plain_frame


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
    assert frame["count"].dtype == "Int64" and frame["count"].isna().tolist() == [False, True]
    assert frame["name"].dtype == object and frame["status"].dtype == object
    assert frame["value"].tolist() == [1.5, 2.5] and list(frame.index) == [0, 1]
    with pytest.raises(TypeError):
        plain_frame({"a": [1, 2]})
    with pytest.raises(ValueError):
        plain_frame({"a": np.zeros(2), "b": np.zeros(3)})
