"""A rebuilt database renamed over the served file is served without a restart (issue 19, 9).

Each worker looks at the file at most once a second, opens a replacement exactly as at start,
serves it to the requests that start afterwards, and closes the old one when its last request
ends. A replacement that cannot be served leaves the old one served, with one warning.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from dashboard.app import create_app
from dashboard.reopen import LiveDatabase


def rebuilt_copy(source: Path, target: Path, build_id: str, **meta: str) -> Path:
    """A copy of a served file as a rebuild would publish it: a new build id (and meta)."""
    shutil.copy(source, target)
    with duckdb.connect(str(target)) as con:
        for key, value in {"build_id": build_id, **meta}.items():
            con.execute("UPDATE meta SET value = ? WHERE key = ?", [value, key])
    return target


@pytest.fixture
def served(small_serving_db: Path, tmp_path: Path) -> Path:
    return rebuilt_copy(small_serving_db, tmp_path / "serving.duckdb", "first")


def _build_id(client) -> str:  # noqa: ANN001
    answer = client.get("/api/v1/meta")
    assert answer.status_code == 200
    return answer.get_json()["build"]["build_id"]


def _live(app) -> LiveDatabase:  # noqa: ANN001
    live = app.server.extensions["care_atlas_context"].db
    assert isinstance(live, LiveDatabase)
    live._interval = live._next_look = 0.0  # look at every request (once a second in service)
    return live


def test_a_rebuild_renamed_over_the_file_is_served_from_the_next_request(
    served: Path, tmp_path: Path
) -> None:
    app = create_app(served, demo=True)
    live = _live(app)
    client = app.server.test_client()
    assert _build_id(client) == "first"
    first_db = live._current.db

    os.replace(rebuilt_copy(served, tmp_path / "next.duckdb", "second"), served)
    assert _build_id(client) == "second"
    assert client.get("/api/v1/views/trend?level=district").status_code == 200
    # Nothing used the first file any more: it was closed when the swap was made.
    with pytest.raises(duckdb.ConnectionException):
        first_db.query("SELECT 1")


def test_a_request_keeps_its_database_and_the_old_one_closes_after_it(
    served: Path, tmp_path: Path
) -> None:
    app = create_app(served, demo=True)
    live = _live(app)
    with app.server.test_request_context("/"):
        old = live.get()  # the request's first use pins it
        os.replace(rebuilt_copy(served, tmp_path / "next.duckdb", "second"), served)
        with app.server.app_context():  # another request meanwhile: sees the rebuild
            assert live.meta["build_id"] == "second"
        assert live.meta["build_id"] == "first" and live.get() is old
        assert len(old.query("SELECT * FROM cells LIMIT 3")) == 3  # still open
    with pytest.raises(duckdb.ConnectionException):
        old.query("SELECT 1")  # closed when that request ended
    assert live.meta["build_id"] == "second"


def test_a_replacement_that_cannot_be_served_leaves_the_old_one_and_warns_once(
    served: Path,
    small_serving_db: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from ingest.workspace import workspace_path

    app = create_app(served, demo=True)
    _live(app)
    client = app.server.test_client()
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database" * 100)
    workspace = tmp_path / "workspace.duckdb"
    shutil.copy(workspace_path(small_serving_db), workspace)
    not_synthetic = rebuilt_copy(served, tmp_path / "real.duckdb", "real", synthetic="false")
    for bad, why in (
        (garbage, "not a readable DuckDB file"),
        (workspace, "person-level data"),
        (not_synthetic, "not synthetic data"),  # demo mode serves synthetic data only
    ):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="dashboard.reopen"):
            os.replace(bad, served)
            assert [_build_id(client) for _ in range(3)] == ["first"] * 3
        warnings = [r.getMessage() for r in caplog.records]
        assert len(warnings) == 1, warnings
        assert why in warnings[0] and "still serving build first" in warnings[0]
    served.unlink()  # gone altogether: the open file goes on being served
    assert _build_id(client) == "first"
    os.replace(rebuilt_copy(small_serving_db, tmp_path / "good.duckdb", "good"), served)
    assert _build_id(client) == "good"


def test_the_file_is_looked_at_once_an_interval(served: Path, tmp_path: Path) -> None:
    from queries import open_database

    now = [0.0]
    live = LiveDatabase(open_database(served), interval=1.0, clock=lambda: now[0])
    os.replace(rebuilt_copy(served, tmp_path / "next.duckdb", "second"), served)
    assert not live.refresh() and live.meta["build_id"] == "first"
    now[0] = 1.0
    assert live.refresh() and live.meta["build_id"] == "second"
    assert not live.refresh()  # unchanged
    live.close()


@pytest.mark.slow
def test_rebuilds_renamed_over_the_file_under_load_give_no_errors(small_serving_db: Path) -> None:
    """gunicorn, 2 workers on loopback, 4 clients for 20 s; the file replaced twice."""
    from bench.bench_reopen import run

    report = run(small_serving_db, duration=20, clients=4, replacements=2, workers=2)
    assert report["requests"] >= 100
    assert report["errors"] == 0, report["error_samples"]
    assert report["tracebacks_in_log"] == 0
    assert report["final_builds"] == ["build-2"]
    assert all(s["new_first_seen_after_s"] is not None for s in report["switches"]), report
    # Each worker opened each rebuild once (one worker idle for a whole phase would open
    # the newest only).
    assert len(report["reopened_in_log"]) >= 3, report["reopened_in_log"]
