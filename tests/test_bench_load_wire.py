"""The load benchmark's simulated user posts what a browser posts, and the server takes it.

bench/load_users.py builds each callback body from the app's own /_dash-dependencies; the
server refuses (400) a body whose changedPropIds names a property the callback does not read,
and a load run counts that as the server's error. One user's page open, first screen and
export against the small dashboard must draw none.
"""

from __future__ import annotations

import random

import pytest

from bench.dash_wire import UPDATE
from bench.load_report import Stats
from bench.load_users import (
    SHELL_PATH,
    URL_SEARCH,
    User,
    callback_payload,
    export_payload,
    scenario_from,
)
from tests.fixtures.dashboard import LiveServer


def test_a_load_user_opens_the_page_and_draws_its_views_without_an_error(
    live_dashboard: LiveServer,
) -> None:
    scenario = scenario_from(live_dashboard.url)
    stats = Stats()
    user = User(1, live_dashboard.url, scenario, stats, stop_at=0.0, think=0)
    user.open_page()
    user.screen("first views", scenario.random_filters(random.Random(1)))
    user.call("export", "POST", UPDATE, export_payload("matrix", "?level=district"))
    assert not stats.errors, stats.examples
    assert len(stats.latencies["callback"]) == 1 + len(scenario.view_deps)


def test_a_callback_body_marks_as_changed_only_one_of_its_inputs() -> None:
    route = {"output": "page.children", "inputs": [{"id": "shell-url", "property": "pathname"}]}
    assert callback_payload(route, {}, SHELL_PATH)["changedPropIds"] == ["shell-url.pathname"]
    with pytest.raises(ValueError, match="url.search is not an input of page.children"):
        callback_payload(route, {}, URL_SEARCH)
