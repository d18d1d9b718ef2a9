"""The commissioners' page in headless Chromium: opened from URLs with filters, its numbers
checked against the API, suppression visible, an export equal to the API's CSV."""

from __future__ import annotations

import pytest

from dashboard.pages.commissioners import IDS
from layers.style import SUPPRESSED_TEXT
from tests.fixtures.pages import (
    api_csv_rows,
    api_json,
    by_dash_id,
    downloaded_rows,
    graph_data,
    screenshot,
    url_query,
    wait_drawn,
    wait_for,
)

pytestmark = pytest.mark.browser

SHARE_MAP = IDS.graph("share_map")
MATRIX = IDS.graph("matrix")
MOVES = IDS.graph("moves")
COMPARE = IDS.graph("compare")
COMPARE_MAP = IDS.graph("compare_map")
ALL_GRAPHS = [SHARE_MAP, MATRIX, MOVES, COMPARE, COMPARE_MAP]


def _share_text(value: float | None, status: str) -> str:
    if status in ("[c]", "[z]", "[x]") or value is None:
        return status
    text = f"{value * 100:.1f}%"
    # A [u] share keeps its number; the cell's style (pale grey, ringed) and hover mark it.
    return text[:-3] + "%" if text.endswith(".0%") else text


def test_shares_open_from_a_url_match_the_api_and_show_suppression(page_session) -> None:  # noqa: ANN001
    url, driver, _, artefacts = page_session
    driver.get(url + "/commissioners?from=2011&to=2015&age_bands=65%2B")
    # Under 65+ the moves card may find no district with a published share in both periods
    # (it then says so and draws no trace to wait for).
    wait_drawn(driver, [SHARE_MAP, MATRIX, COMPARE, COMPARE_MAP])
    shared = {"from": "2011", "to": "2015", "age_bands": "65+"}

    # Map: each published area's colour value is the API's share; withheld areas are grey.
    answer = api_json(
        url, "area_compare", {**shared, "level": "district", "measure": "internal_share"}
    )
    value_trace, withheld_trace = graph_data(driver, SHARE_MAP)[:2]
    shown = dict(zip(value_trace["locations"], value_trace["z"], strict=True))
    for row in answer["rows"]:
        if row["value_status"] in ("[c]", "[z]", "[x]"):
            assert row["area_code"] in withheld_trace["locations"]
        else:
            assert shown[row["area_code"]] == pytest.approx(row["value"])
    city = answer["rows"][0]["city_value"]
    assert (value_trace["zmin"] + value_trace["zmax"]) / 2 == pytest.approx(city)

    # Matrix: every cell's first line is the API's published share, or its status.
    provision = api_json(url, "provision", {**shared, "level": "district"})
    heat = graph_data(driver, MATRIX)[0]
    cells = {
        (y.split(" ")[0], x): text.split("<br>")[0]
        for y, row in zip(heat["y"], heat["text"], strict=True)
        for x, text in zip(heat["x"], row, strict=True)
    }
    for row in provision["rows"]:
        expected = _share_text(row["internal_share"], row["internal_share_status"])
        assert cells[(row["area_code"], row["period"])] == expected
    assert any(text == "[c]" for text in cells.values()), "no suppressed cell shows [c]"
    suppressed = [r["area_code"] for r in answer["rows"] if r["value_status"] == "[c]"]
    assert suppressed, "the small database should suppress some districts' shares"
    tooltips = dict(zip(withheld_trace["locations"], withheld_trace["customdata"], strict=True))
    assert all(tooltips[code][1] == SUPPRESSED_TEXT for code in suppressed)
    screenshot(driver, artefacts, "commissioners-shares")


def test_two_elements_by_ward_match_the_api_and_the_export_equals_it(page_session) -> None:  # noqa: ANN001
    url, driver, downloads, artefacts = page_session
    driver.get(
        url + "/commissioners?from=2015&to=2015&level=ward&element_a=OAEHSGCO&element_b=HSSU65PL"
    )
    # One period: the moves card says it needs two, so it draws no trace to wait for.
    wait_drawn(driver, [SHARE_MAP, MATRIX, COMPARE, COMPARE_MAP])
    assert "two periods" in driver.find_element("id", MOVES).text
    params = {
        "from": "2015",
        "to": "2015",
        "level": "ward",
        "element_a": "OAEHSGCO",
        "element_b": "HSSU65PL",
    }
    answer = api_json(url, "element_compare", params)
    value_trace, withheld_trace = graph_data(driver, COMPARE_MAP)[:2]
    shown = dict(zip(value_trace["locations"], value_trace["z"], strict=True))
    withheld = {r["area_code"] for r in answer["rows"] if r["difference_status"] == "[c]"}
    assert withheld, "the small database should withhold some ward differences"
    assert set(withheld_trace["locations"]) == withheld
    for row in answer["rows"]:
        if row["area_code"] not in withheld:
            assert shown[row["area_code"]] == row["difference"]
    bars = graph_data(driver, COMPARE)
    assert "OAEHSGCO" in bars[0]["name"] and "HSSU65PL" in bars[1]["name"]

    driver.find_element("xpath", by_dash_id(IDS.csv("compare"))).click()
    rows = downloaded_rows(downloads, "care-atlas_compare_*.csv")
    assert rows == api_csv_rows(url, "element_compare", params)
    screenshot(driver, artefacts, "commissioners-compare-wards")


def test_the_level_control_writes_the_url_and_redraws_the_maps(page_session) -> None:  # noqa: ANN001
    url, driver, _, _ = page_session
    # Financial years: the range must survive the page load (its labels are not the years').
    driver.get(url + "/commissioners?period_kind=fy&from=2011%2F12&to=2015%2F16")
    wait_drawn(driver, ALL_GRAPHS)
    driver.find_element("css selector", f"#{IDS.control('level')} input[value='ward']").click()
    wait_for(lambda: url_query(driver).get("level") == "ward", message="level in the URL")
    answer = api_json(
        url,
        "area_compare",
        {
            "period_kind": "fy",
            "from": "2011/12",
            "to": "2015/16",
            "level": "ward",
            "measure": "internal_share",
        },
    )

    def mapped() -> set[str]:
        traces = graph_data(driver, SHARE_MAP)
        return set(traces[0]["locations"]) | set(traces[1]["locations"])

    wait_for(lambda: mapped() == {r["area_code"] for r in answer["rows"]}, message="ward map drawn")
    assert url_query(driver) == {
        "period_kind": "fy",
        "from": "2011/12",
        "to": "2015/16",
        "level": "ward",
    }
    matrix_periods = graph_data(driver, MATRIX)[0]["x"]
    # the data runs to 31 Dec 2015: 2015/16 is a part year, headed so
    assert matrix_periods == ["2011/12", "2012/13", "2013/14", "2014/15", "2015/16 (part)"]
