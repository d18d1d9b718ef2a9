"""The budget officers' page in headless Chromium: opened from a URL with filters, its numbers
against the API, suppression shown, the URL written by its controls, exports."""

from __future__ import annotations

import openpyxl
import pytest

from dashboard.pages.budget import IDS
from tests.fixtures.pages import (
    api_csv_rows,
    api_json,
    by_dash_id,
    downloaded_file,
    downloaded_rows,
    graph_data,
    screenshot,
    url_query,
    wait_drawn,
    wait_for,
)

pytestmark = pytest.mark.browser
TREND = IDS.graph("trend")
GROUPS = IDS.graph("mia17_groups")
AREAS = IDS.graph("mia17_areas")
RANGE = {"period_kind": "fy", "from": "2010/11", "to": "2014/15"}


def test_a_theme_url_shows_the_apis_numbers_budget_lines_and_the_saving_arithmetic(
    page_session,  # noqa: ANN001
) -> None:
    url, driver, _, artefacts = page_session
    driver.get(url + "/budget?period_kind=fy&from=2010/11&to=2014/15&themes=MIA3")
    wait_drawn(driver, [TREND, GROUPS, AREAS])
    answer = api_json(url, "trend", {**RANGE, "themes": "MIA3", "level": "city"})
    traces = {trace["name"]: trace for trace in graph_data(driver, TREND)}
    shown = [None if v is None else int(v) for v in traces["People"]["y"]]
    assert shown == [row["people"] for row in answer["rows"]]
    net = next(t for name, t in traces.items() if "net spend" in name)
    assert set(net["y"]) == {15_711_000} and "not reconciled" in net["name"]
    target = next(t for name, t in traces.items() if "savings target" in name)
    assert target["x"] == ["2016/17", "2017/18", "2018/19", "2019/20"]
    # "Today" is 2014/15, the last whole financial year in the range: its published people.
    basis = answer["rows"][-1]
    steps = driver.find_element("css selector", ".budget-steps").text
    assert f"published people {basis['people']:,}" in steps
    assert "÷ its net spend 2015/16 £15.7m = 16.8%" in steps
    assert "not a forecast" in driver.find_element("css selector", ".budget-illustration").text
    table = driver.find_element("id", IDS.element("targets-table")).text
    assert "2.854" in table and "15.711" in table
    screenshot(driver, artefacts, "budget-page")


def test_mia17_matches_the_api_by_client_group_and_withheld_areas_show_c(
    page_session,  # noqa: ANN001
) -> None:
    url, driver, _, artefacts = page_session
    driver.get(url + "/budget?period_kind=fy&from=2013/14&to=2014/15&themes=MIA17&level=ward")
    wait_drawn(driver, [GROUPS, AREAS])
    answer = api_json(
        url,
        "enablement",
        {
            "period_kind": "fy",
            "from": "2014/15",
            "to": "2014/15",
            "level": "city",
            "elements": "OAIHSENB",
        },
    )
    expected = answer["rows"][0]
    lines = [t for t in graph_data(driver, GROUPS) if t["type"] == "scatter"]
    older = next(t for t in lines if t["name"].startswith("Older adults"))
    assert older["y"][older["x"].index("2014/15")] == expected["share_over_6w"]
    bars = [t for t in graph_data(driver, GROUPS) if t["type"] == "bar"]
    older_cost = next(t for t in bars if t["legendgroup"] == "OA")
    assert older_cost["y"][older_cost["x"].index("2014/15")] == expected["cost_beyond_42"]
    heatmap = graph_data(driver, AREAS)[0]
    assert any(str(cell).startswith("[c]") for row in heatmap["text"] for cell in row)
    wards = api_json(url, "enablement", {**RANGE, "from": "2014/15", "level": "ward"})
    assert any(row["people_status"] == "[c]" for row in wards["rows"])
    # Folded in the card's "About this chart": the text is there, shown when opened.
    note = driver.find_element("xpath", by_dash_id(IDS.note("enablement_areas")))
    note = note.get_attribute("textContent")
    assert "perturbed on their own" in note
    element = driver.find_element(
        "css selector", '[aria-labelledby="budget-title-enablement-groups"]'
    )
    element.screenshot(str(artefacts / "budget-mia17-groups.png"))


def test_controls_write_the_url_and_every_table_exports(page_session) -> None:  # noqa: ANN001
    url, driver, downloads, _ = page_session
    driver.get(url + "/budget?period_kind=fy&from=2013/14&to=2014/15&themes=MIA3")
    wait_drawn(driver, [TREND, GROUPS, AREAS])
    driver.find_element("css selector", f"#{IDS.control('level')} input[value='ward']").click()
    wait_for(lambda: url_query(driver).get("level") == "ward", message="level in the URL")
    assert url_query(driver) == {
        "period_kind": "fy",
        "from": "2013/14",
        "to": "2014/15",
        "level": "ward",
        "themes": "MIA3",
    }
    wait_drawn(driver, [TREND, GROUPS, AREAS])
    # The areas card draws one measure at a time at its full width; "Show" writes the URL.
    driver.find_element("css selector", f"#{IDS.control('show')} input[value='cost']").click()
    wait_for(lambda: url_query(driver).get("show") == "cost", message="show in the URL")
    wait_for(
        lambda: graph_data(driver, AREAS)[0].get("name") == "Cost beyond day 42",
        message="the cost matrix drawn",
    )
    driver.find_element("xpath", by_dash_id(IDS.csv("trend"))).click()
    rows = downloaded_rows(downloads, "care-atlas_trend_*.csv")
    params = {**RANGE, "from": "2013/14", "themes": "MIA3", "level": "city"}
    assert rows == api_csv_rows(url, "trend", params)
    driver.find_element("xpath", by_dash_id(IDS.csv("enablement_groups"))).click()
    groups = downloaded_rows(downloads, "care-atlas_enablement-groups_*.csv")
    mia17 = {**RANGE, "from": "2013/14", "level": "city", "themes": "MIA17"}
    assert groups == api_csv_rows(url, "enablement_groups", mia17)  # the card is the view
    header, body = groups[0], groups[1:]
    ld = dict(zip(header, next(r for r in body if r[:2] == ["2014/15", "LD"]), strict=True))
    answer = api_csv_rows(
        url,
        "enablement",
        {
            "period_kind": "fy",
            "from": "2014/15",
            "to": "2014/15",
            "level": "city",
            "elements": "LDIHSENB",
        },
    )
    api_ld = dict(zip(answer[0], answer[1], strict=True))
    for column in ("people", "people_status", "people_over_6w", "share_over_6w", "cost_status"):
        assert ld[column] == api_ld[column], column
    driver.find_element("xpath", by_dash_id(IDS.xlsx("mia_targets"))).click()
    target = downloaded_file(downloads, "care-atlas_mia-targets_*MIA3.xlsx")
    sheet = openpyxl.load_workbook(target)["data"]
    years = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert years == ["2016/17", "2017/18", "2018/19", "2019/20"]
