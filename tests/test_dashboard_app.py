"""The app factory, server and CLI: friendly failures, API and geometry routes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from care_atlas.cli import main
from dashboard.app import SYNTHETIC_BANNER, create_app


def _layout_text(app) -> str:  # noqa: ANN001
    return json.dumps(app.layout.to_plotly_json(), default=str)


def test_missing_database_gives_a_page_that_says_what_to_do(tmp_path: Path) -> None:
    app = create_app(tmp_path / "nowhere.duckdb", demo=True)
    text = _layout_text(app)
    assert "No serving database" in text and "care-atlas demo" in text
    response = app.server.test_client().get("/")
    assert response.status_code == 200
    # The page that explains the failure is served as carefully as the dashboard itself.
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_unreadable_database_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database")
    text = _layout_text(create_app(bad, demo=False))
    assert "cannot be opened" in text and "Traceback" not in text


def test_serve_with_a_missing_database_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--db", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no serving database" in err[0]


@pytest.fixture(scope="module")
def app(queries_serving_path: Path):  # noqa: ANN201
    return create_app(queries_serving_path, demo=True)


def test_app_serves_banner_api_and_cacheable_geometry(app) -> None:  # noqa: ANN001
    client = app.server.test_client()
    assert SYNTHETIC_BANNER in _layout_text(app)
    api = client.get("/api/v1/views/trend?format=csv")
    text = api.data.decode()
    assert api.status_code == 200 and text.startswith("Care Atlas export,")
    assert "\n\nperiod," in text  # the metadata rows, a blank row, then the table
    geometry = client.get("/geometry/ward.geojson")
    assert geometry.status_code == 200
    assert "max-age" in geometry.headers["Cache-Control"]
    assert json.loads(geometry.data)["type"] == "FeatureCollection"
    assert client.get("/geometry/nothing.geojson").status_code == 404


def test_concurrent_first_requests_all_get_the_dash_scripts(queries_serving_path: Path) -> None:
    """plotly/dash#3971: Dash registered its script paths on a server's first request, after
    setting the flag that made concurrent requests skip that step, so under gunicorn's threads
    a page opened as a worker started got 500s for its scripts and stayed on "Loading..."."""
    import threading

    script = "/_dash-component-suites/dash/deps/react@18.3.1.min.js"
    for _ in range(4):
        fresh = create_app(queries_serving_path, demo=True)
        start = threading.Barrier(12)
        statuses: list[int] = []

        def fetch(path: str, app=fresh, start=start, statuses=statuses) -> None:  # noqa: ANN001
            client = app.server.test_client()
            start.wait()
            statuses.append(client.get(path).status_code)

        threads = [
            threading.Thread(target=fetch, args=("/" if i == 0 else script,)) for i in range(12)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [200] * 12
