"""The directors' page in headless Chromium: hotspots and regions opened from URLs, the
numbers against the API, [c] where a value is withheld, the region builder, an export."""

from __future__ import annotations

import pytest

from dashboard.pagekit import build_page_search
from dashboard.pages.directors import IDS, PRESET_REGIONS, format_regions, parse_regions
from layers.hotspots import WITHHELD
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
HOTSPOT_MAP, HOTSPOT_RANK = IDS.graph("hotspots_map"), IDS.graph("hotspots_rank")
REGIONS_COMPARE, REGIONS_AGE = IDS.graph("regions_compare"), IDS.graph("regions_age")
REGIONS_ETHNICITY = IDS.graph("regions_ethnicity")
PRESET = format_regions(list(PRESET_REGIONS))
#: Narrow filters first: one of them leaves some wards under 10 people ([c]).
CANDIDATES: tuple[dict[str, str], ...] = (
    {"from": "2015", "to": "2015", "age_bands": "0-10"},
    {"from": "2015", "to": "2015", "elements": "CHIRDRT"},
    {"from": "2002", "to": "2002", "age_bands": "0-10"},
    {"from": "2002", "to": "2002"},
)


def filters_with_withheld_wards(url: str) -> tuple[dict[str, str], dict]:
    """The first candidate filters whose ward hotspots include [c] areas, and the answer."""
    for filters in CANDIDATES:
        answer = api_json(url, "area_compare", {**filters, "measure": "rate_per_1000"})
        statuses = [row["value_status"] for row in answer["rows"]]
        if "[c]" in statuses and any(s != "[c]" for s in statuses):
            return filters, answer
    raise AssertionError("no candidate filters leave a ward withheld on the test database")


def test_hotspots_open_from_a_url_with_the_apis_rates_and_withheld_areas(page_session) -> None:  # noqa: ANN001
    url, driver, _, artefacts = page_session
    filters, answer = filters_with_withheld_wards(url)
    driver.get(url + "/directors" + build_page_search(filters))
    wait_drawn(driver, [HOTSPOT_MAP, HOTSPOT_RANK])
    rows = answer["rows"]
    withheld = {r["area_code"] for r in rows if r["value_status"] == "[c]"}
    traces = {t["name"]: t for t in graph_data(driver, HOTSPOT_MAP)}
    assert set(traces[WITHHELD.label]["locations"]) == withheld
    # Every area is on the map once, in the class the API's comparison columns give it.
    mapped = [code for t in traces.values() for code in t.get("locations", [])]
    assert sorted(mapped) == sorted(r["area_code"] for r in rows)
    higher = {r["area_code"] for r in rows if r["comparison"] == "higher"}
    drawn_higher = set(
        traces[next(n for n in traces if n.startswith("Higher") and "99.8" in n)]["locations"]
    ) | set(traces[next(n for n in traces if n.startswith("Higher") and "95%" in n)]["locations"])
    assert drawn_higher == higher
    # The ranked chart: each published rate as the API gives it; withheld areas say [c].
    rank = graph_data(driver, HOTSPOT_RANK)
    shown = {
        y: x
        for t in rank[1:]
        if t["name"] != WITHHELD.label
        for x, y in zip(t["x"], t["y"], strict=True)
    }
    for r in rows:
        if r["value"] is not None:
            assert shown[r["area_name"]] == pytest.approx(r["value"])
    marked = next(t for t in rank if t["name"] == WITHHELD.label)
    assert set(marked["text"]) == {"[c] fewer than 10"}
    summary = driver.find_element("id", IDS.element("hotspots-summary")).text
    assert f"{len(withheld)} withheld [c]" in summary
    page_text = driver.find_element("css selector", ".directors-page").text
    assert "not need" in page_text
    screenshot(driver, artefacts, "directors-hotspots")


def test_regions_open_from_a_url_and_show_the_apis_numbers(page_session) -> None:  # noqa: ANN001
    url, driver, _, artefacts = page_session
    state = {"from": "2012", "regions": PRESET}
    driver.get(url + "/directors" + build_page_search(state))
    wait_drawn(driver, [REGIONS_COMPARE, REGIONS_AGE, REGIONS_ETHNICITY])
    params = {"from": "2012", "level": "region", "regions": PRESET}
    people = api_json(url, "area_map", {**params, "measure": "people"})["rows"]
    bars = graph_data(driver, REGIONS_COMPARE)[0]
    assert bars["x"] == ["North", "East", "South"]
    assert [int(v) for v in bars["y"]] == [r["value"] for r in people]
    # The age profile of North is the API's demographics of North alone.
    north = {"level": "region", "regions": format_regions([PRESET_REGIONS[0]])}
    ages = api_json(url, "demographics", {"from": "2012", **north, "dimension": "age_band"})
    trace = next(t for t in graph_data(driver, REGIONS_AGE) if t["name"] == "North")
    expected = [None if r["share"] is None else round(r["share"] * 100, 6) for r in ages["rows"]]
    drawn = [round(v, 6) for v in trace["y"]]
    assert [d for d, e in zip(drawn, expected, strict=True) if e is not None] == [
        e for e in expected if e is not None
    ]
    assert "Regions side by side" in driver.page_source
    screenshot(driver, artefacts, "directors-regions")


def test_the_region_builder_writes_regions_into_the_url(page_session) -> None:  # noqa: ANN001
    url, driver, _, artefacts = page_session
    driver.get(url + "/directors?from=2014&to=2014&age_bands=0-10")
    wait_drawn(driver, [HOTSPOT_MAP])
    driver.find_element("id", IDS.element("region-preset")).click()
    wait_for(lambda: "regions" in url_query(driver), message="regions in the URL")
    assert parse_regions(url_query(driver)["regions"]) == list(PRESET_REGIONS)
    assert url_query(driver)["age_bands"] == "0-10"  # the filters stay
    # Build a region of one ward: name, kind, member, add.
    driver.find_element("id", IDS.element("region-name")).send_keys("Centre")
    driver.find_element(
        "css selector", f"#{IDS.element('region-kind')} input[value='ward']"
    ).click()
    driver.find_element("id", IDS.element("region-members")).click()
    driver.switch_to.active_element.send_keys("Ladywood")
    option = wait_for(
        lambda: driver.find_element("xpath", "//*[@role='option'][contains(., 'Ladywood')]"),
        message="Ladywood in the member list",
    )
    option.click()  # type: ignore[union-attr]
    driver.find_element("id", IDS.element("region-name")).click()  # close the list
    driver.find_element("id", IDS.element("region-add")).click()
    wait_for(lambda: "Centre" in url_query(driver).get("regions", ""), message="Centre added")
    regions = parse_regions(url_query(driver)["regions"])
    assert [name for name, _ in regions] == ["North", "East", "South", "Centre"]
    assert len(regions[-1][1]) == 1 and regions[-1][1][0].startswith("E05")
    wait_drawn(driver, [REGIONS_COMPARE, REGIONS_ETHNICITY])
    # A ward region's ethnicity is not shown ([z]): district level or coarser only.
    centre = next(t for t in graph_data(driver, REGIONS_ETHNICITY) if t["name"] == "Centre")
    assert set(centre["text"]) == {"[z]"}
    screenshot(driver, artefacts, "directors-builder")
    driver.find_element(
        "xpath", by_dash_id({"type": "region-remove", "page": IDS.page, "name": "East"})
    ).click()
    wait_for(
        lambda: (
            [n for n, _ in parse_regions(url_query(driver).get("regions"))]
            == ["North", "South", "Centre"]
        ),
        message="East removed",
    )


def test_the_hotspots_csv_equals_the_api_answer(page_session) -> None:  # noqa: ANN001
    url, driver, downloads, _ = page_session
    driver.get(url + "/directors?from=2013&to=2014&level=district")
    wait_drawn(driver, [HOTSPOT_RANK])
    driver.find_element("xpath", by_dash_id(IDS.csv("hotspots"))).click()
    rows = downloaded_rows(downloads, "care-atlas-hotspots.csv")
    params = {"from": "2013", "to": "2014", "level": "district", "measure": "rate_per_1000"}
    assert rows == api_csv_rows(url, "area_compare", params)
