"""The landing page's views are computed into the shared result cache before serving."""

from __future__ import annotations

from pathlib import Path

import pytest

from care_atlas.config import load_settings
from dashboard.choices import choices_from_reference
from dashboard.views import PAGE_VIEWS, Context, params_for
from dashboard.warmup import warm_landing_views
from queries import open_database, parse_filters, run_view
from queries import views as query_views


def test_warmed_landing_views_are_answered_from_the_cache(
    queries_serving_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARE_ATLAS_VAR_DIR", str(tmp_path))
    settings = load_settings()
    seconds = warm_landing_views(queries_serving_path, settings)
    assert seconds is not None and seconds >= 0

    def not_computed_again(*_args: object) -> None:
        raise AssertionError("a warmed view was computed again")

    db = open_database(queries_serving_path, cache_dir=settings.cache_dir / "results")
    try:
        context = Context(db=db, choices=choices_from_reference(db.reference))
        for view in PAGE_VIEWS:
            params = params_for(context, view, {})
            monkeypatch.setitem(query_views.VIEWS, view, not_computed_again)
            assert not run_view(db, view, parse_filters(params, db.reference)).rows.empty
    finally:
        db.close()


def test_warming_an_unreadable_database_gives_way_to_serving(tmp_path: Path) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database")
    settings = load_settings()
    assert warm_landing_views(broken, settings) is None
