"""A ptable can be dropped in without code changes; results are cached across processes."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from queries import DatabaseError, open_database, parse_filters, run_view


def _published(db) -> pd.Series:
    f = parse_filters({"level": "sector", "from": "2012", "to": "2012"}, db.reference)
    return run_view(db, "area_map", f).rows.set_index("area_code")["people"]


def test_a_noise_ptable_override_changes_the_counts(queries_serving_path, tmp_path, monkeypatch):
    ons = pd.read_csv(Path(sys.prefix) / "ptable_10_5_rule.csv")
    noise = ons.assign(pvalue=[(k % 3) - 1 for k in ons["ckey"]])  # -1, 0 or +1 by key
    noise.loc[noise["pcv"] < 10, "pvalue"] = 0
    path = tmp_path / "noise.csv"
    noise.to_csv(path, index=False)
    default_db = open_database(queries_serving_path)
    default = _published(default_db)
    monkeypatch.setenv("CARE_ATLAS_PTABLE", str(path))
    db = open_database(queries_serving_path)
    overridden = _published(db)
    assert db.ptable_id != default_db.ptable_id
    assert not overridden.equals(default)
    assert (overridden.dropna() % 5 != 0).any()  # no longer rounded to base 5
    assert not overridden.dropna().between(1, 9).any()  # still thresholded


def test_a_broken_ptable_is_a_clear_error(queries_serving_path, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(DatabaseError, match="lacks column"):
        open_database(queries_serving_path, ptable=bad)
    with pytest.raises(DatabaseError, match="does not exist"):
        open_database(tmp_path / "missing.duckdb")


def test_results_are_cached_by_filter_state(queries_serving_path, tmp_path):
    db = open_database(queries_serving_path, cache_dir=tmp_path / "cache")
    f = parse_filters({"level": "district", "measure": "cost"}, db.reference)
    first = run_view(db, "area_map", f)
    assert len(db.cache) == 1
    other = open_database(queries_serving_path, cache_dir=tmp_path / "cache")  # another worker
    second = run_view(other, "area_map", f)
    pd.testing.assert_frame_equal(first.rows, second.rows)
    assert len(other.cache) == 1
