"""A users' page in headless Chromium: URL state, shared filters across pages, exports.

Uses the directors' quarterly users card, the first page built from dashboard.pagekit.
"""

from __future__ import annotations

import time

import pytest

from dashboard.pages.directors import IDS
from tests.fixtures.pages import (
    api_csv_rows,
    api_json,
    by_dash_id,
    downloaded_rows,
    graph_data,
    url_query,
    wait_drawn,
    wait_for,
)

pytestmark = pytest.mark.browser
QUARTERLY = IDS.graph("quarterly_users")


def test_a_page_url_opens_its_state_and_shows_the_apis_numbers(page_session) -> None:  # noqa: ANN001
    url, driver, _, _ = page_session
    driver.get(url + "/directors?from=2013&to=2014&element=OAEHSGCO")
    wait_drawn(driver, [QUARTERLY])
    answer = api_json(
        url,
        "quarterly_users",
        {"from": "2013", "to": "2014", "level": "city", "element": "OAEHSGCO"},
    )
    expected = [row["people"] for row in answer["rows"]]
    shown = graph_data(driver, QUARTERLY)[0]["y"]
    assert [None if v is None else int(v) for v in shown] == expected
    chosen = driver.find_element("id", IDS.control("element")).text
    assert "OAEHSGCO" in chosen


def test_controls_write_the_url_and_links_carry_the_shared_filters(page_session) -> None:  # noqa: ANN001
    url, driver, _, _ = page_session
    driver.get(url + "/directors?from=2013&element=OAEHSGCO")
    wait_drawn(driver, [QUARTERLY])
    driver.find_element("css selector", f"#{IDS.control('period_kind')} input[value='fy']").click()
    wait_for(lambda: url_query(driver).get("period_kind") == "fy", message="period kind in URL")
    assert "from" not in url_query(driver)  # a new period kind resets the range
    driver.find_element("id", "nav-overview").click()
    wait_for(lambda: driver.current_url.split("?")[0].rstrip("/") == url, message="overview")
    assert url_query(driver) == {"period_kind": "fy"}  # element (a page's own key) stays behind
    driver.back()
    wait_for(lambda: "/directors" in driver.current_url, message="back to directors")
    wait_drawn(driver, [QUARTERLY])
    assert url_query(driver) == {"period_kind": "fy", "element": "OAEHSGCO"}


def test_a_cards_csv_download_equals_the_api_answer(page_session) -> None:  # noqa: ANN001
    url, driver, downloads, _ = page_session
    driver.get(url + "/directors?from=2014&element=CHIRDRT")
    wait_drawn(driver, [QUARTERLY])
    driver.find_element("xpath", by_dash_id(IDS.csv("quarterly_users"))).click()
    rows = downloaded_rows(downloads, "care-atlas_quarterly-users_*.csv")
    params = {"from": "2014", "level": "city", "element": "CHIRDRT"}
    assert rows == api_csv_rows(url, "quarterly_users", params)


def test_a_financial_year_url_keeps_its_range(page_session) -> None:  # noqa: ANN001
    url, driver, _, _ = page_session
    driver.get(url + "/directors?period_kind=fy&from=2011/12&to=2015/16&element=OAEHSGCO")
    wait_drawn(driver, [QUARTERLY])
    time.sleep(1)  # let the period-kind callback narrow the range options
    assert url_query(driver) == {
        "period_kind": "fy",
        "from": "2011/12",
        "to": "2015/16",
        "element": "OAEHSGCO",
    }
    # The period picker shows the preset (its options follow the kind once it is chosen).
    assert "Last 5 (2011/12 to 2015/16)" in driver.find_element("id", IDS.control("period")).text
    quarters = [str(q) for q in graph_data(driver, QUARTERLY)[0]["x"]]
    assert quarters[0] == "2011-Q2"  # April 2011
