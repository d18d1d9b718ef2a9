"""The landing page in headless Chromium: headline figures with their change, the map against
the city (legend in words, suppressed apart), finding an area by name or postcode with the
keyboard only, and the drilled map (parent outlined, selection marked, drill kept on hexagons).

Numbers on screen are checked against the API's answer for the same filters.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from dashboard import ids
from layers.significance_map import SUPPRESSED_LABEL
from tests.fixtures.pages import api_json, graph_data, url_query, wait_drawn, wait_for

pytestmark = pytest.mark.browser

WARD_NAME = "Acocks Green"
CLASS_WORDS = (
    "Higher than the city (significant at 99.8%)",
    "Higher than the city (significant at 95%)",
    "Similar to the city",
    "Lower than the city (significant at 95%)",
    "Lower than the city (significant at 99.8%)",
)


@pytest.fixture(scope="module")
def page(live_dashboard, browser, artefacts_dir):  # noqa: ANN001, ANN201
    driver, _downloads = browser
    return live_dashboard.url, driver, artefacts_dir


def _map_layout(driver) -> dict:  # noqa: ANN001
    return driver.execute_script(
        "const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return JSON.parse(JSON.stringify(gd.layout));",
        ids.MAP_GRAPH,
    )


def _headline_texts(driver) -> dict[str, str]:  # noqa: ANN001
    return {
        name: driver.find_element("id", f"headline-{name}").text
        for name in ("people", "agreements", "cost")
    }


def test_headlines_show_the_latest_period_and_its_change_in_words(page) -> None:  # noqa: ANN001
    url, driver, artefacts = page
    driver.get(url + "/?from=2012&to=2014")
    wait_drawn(driver, (ids.MAP_GRAPH,))
    wait_for(lambda: "2014" in driver.find_element("id", "headline-people").text, message="tiles")
    row = api_json(url, "headlines", {"level": "city", "from": "2012", "to": "2014"})["rows"][0]
    tiles = _headline_texts(driver)
    assert f"{row['people']:,}" in tiles["people"]
    assert f"{row['agreements']:,}" in tiles["agreements"]
    for name, tile in tiles.items():
        direction = row[f"{name}_direction"]
        arrow = {"up": "▲", "down": "▼", "no change": "▶"}[direction]
        assert f"{arrow}{direction}" in tile.replace(" ", "", 1) or f"{arrow} {direction}" in tile
        assert tile.endswith("on 2013"), tile
    driver.find_element("id", ids.ROOT).screenshot(str(artefacts / "landing-headlines.png"))


def test_the_map_compares_each_area_with_the_city_in_words(page) -> None:  # noqa: ANN001
    url, driver, artefacts = page
    driver.get(url + "/?level=sector")
    wait_drawn(driver, (ids.MAP_GRAPH,))
    (trace,) = graph_data(driver, ids.MAP_GRAPH)  # one trace: its key is in the page
    key = wait_for(lambda: driver.find_element("id", ids.MAP_LEGEND).text, message="the key")
    names = key.splitlines()[1:]
    for words in CLASS_WORDS:
        assert any(n.startswith(words) for n in names), (words, names)
    rows = api_json(url, "area_compare", {"level": "sector", "measure": "rate_per_1000"})["rows"]
    suppressed = {r["area_code"] for r in rows if r["value_status"] == "[c]"}
    assert suppressed, "expected some suppressed sectors"

    def filled(words: str) -> set[str]:
        """The areas filled with the colour the key gives ``words``."""
        band = [n.startswith(words) for n in names].index(True)
        return {
            loc for loc, z in zip(trace["locations"], trace["z"], strict=True) if int(z) == band
        }

    assert filled(SUPPRESSED_LABEL) == suppressed
    assert filled("Similar to the city") == {
        r["area_code"] for r in rows if r["comparison"] == "similar" and r["value_status"] != "[c]"
    }
    assert all(n.endswith(f"({len(filled(n.rsplit(' (', 1)[0]))})") for n in names)
    summary = driver.find_element("id", ids.MAP_SUMMARY).text
    assert f"Of {len(rows)} postcode sectors:" in summary
    # Counts are one click away.
    driver.find_element("css selector", f"#{ids.MAP_MODE} input[value='counts']").click()
    wait_for(lambda: "map=counts" in driver.current_url, message="counts in the URL")
    wait_for(
        lambda: graph_data(driver, ids.MAP_GRAPH)[0].get("colorbar") is not None,
        message="the counts map",
    )
    assert url_query(driver)["level"] == "sector"
    assert not driver.find_element("id", ids.MAP_LEGEND).text  # its key is its colour bar


def _tab_to_search(driver) -> None:  # noqa: ANN001
    """Press Tab from the top of the page until the area search has the focus."""
    driver.execute_script("window.scrollTo(0, 0); document.activeElement.blur();")
    actions = ActionChains(driver)
    for _ in range(60):
        actions.send_keys(Keys.TAB).perform()
        focused = driver.execute_script("return document.activeElement.id") == ids.AREA_SEARCH
        if focused:
            return
    raise AssertionError("the area search is not reachable with Tab")


def _options(driver) -> list[str]:  # noqa: ANN001
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('.dash-dropdown-option'))"
        ".map(o => o.innerHTML)"
    )


def _type_and_choose(driver, text: str) -> None:  # noqa: ANN001
    """Enter opens the search, the text filters its options, Enter takes the first."""
    ActionChains(driver).send_keys(Keys.ENTER).pause(0.5).send_keys(text).perform()
    wait_for(lambda: _options(driver), message="search options")
    ActionChains(driver).pause(0.5).send_keys(Keys.ENTER).perform()


def test_find_an_area_by_name_with_the_keyboard(page) -> None:  # noqa: ANN001
    url, driver, artefacts = page
    driver.get(url + "/")
    wait_drawn(driver, (ids.MAP_GRAPH,))
    _tab_to_search(driver)
    _type_and_choose(driver, WARD_NAME)
    wait_for(lambda: url_query(driver).get("within"), message="the ward in the URL")
    state = url_query(driver)
    assert state["level"] == "sector" and state["within"].startswith("E05")
    wait_for(lambda: WARD_NAME in driver.find_element("id", ids.PLACE).text, message="place")
    wait_drawn(driver, (ids.MAP_GRAPH,))
    driver.save_screenshot(str(artefacts / "landing-search-ward.png"))


def test_find_an_area_by_postcode_with_the_keyboard(page) -> None:  # noqa: ANN001
    url, driver, _artefacts = page
    driver.get(url + "/")
    wait_drawn(driver, (ids.MAP_GRAPH,))
    _tab_to_search(driver)
    _type_and_choose(driver, "b27 6ab")
    wait_for(lambda: url_query(driver).get("areas") == "B27 6", message="the sector selected")
    assert url_query(driver)["within"] == "B27"
    wait_for(lambda: "B27 6" in driver.find_element("id", ids.PLACE).text, message="place")
    assert "b27 6ab" not in driver.page_source.lower().replace("b27 6ab:", "")


def test_markup_typed_in_the_search_is_never_shown(page) -> None:  # noqa: ANN001
    url, driver, _artefacts = page
    driver.get(url + "/")
    wait_drawn(driver, (ids.MAP_GRAPH,))
    _tab_to_search(driver)
    ActionChains(driver).send_keys(Keys.ENTER).pause(0.5).perform()
    ActionChains(driver).send_keys("<img src=x onerror=alert(1)>").pause(1.0).perform()
    assert not any("<img" in o for o in _options(driver))
    assert not driver.find_elements("css selector", "img[src='x']")


def test_the_drilled_map_outlines_the_parent_marks_the_selection_and_keeps_the_drill(
    page,  # noqa: ANN001
) -> None:
    url, driver, artefacts = page
    ward = api_json(url, "area_compare", {"level": "ward", "measure": "rate_per_1000"})["rows"]
    code = next(r["area_code"] for r in ward if r["area_name"] == WARD_NAME)
    driver.get(url + f"/?level=sector&within={code}&areas=B27 6")
    wait_drawn(driver, (ids.MAP_GRAPH,))
    layers = {layer.get("name"): layer for layer in _map_layout(driver)["map"]["layers"]}
    assert layers["outline"]["source"]["type"] == "FeatureCollection"
    assert layers["selected"]["line"]["width"] > layers["outline"]["line"]["width"]
    shown = {loc for t in graph_data(driver, ids.MAP_GRAPH) for loc in t.get("locations", [])}
    assert "B27 6" in shown
    driver.save_screenshot(str(artefacts / "landing-drilled.png"))
    # Hexagons keep the drill: the ward's own hexagons, outlined, the ward's boundary dashed.
    driver.find_element("css selector", f"#{ids.LEVEL} input[value='h3r8']").click()
    wait_for(lambda: url_query(driver).get("level") == "h3r8", message="hexagons in the URL")
    assert url_query(driver).get("within") == code and "areas" not in url_query(driver)
    wait_for(
        lambda: all(
            len(loc) == 15 for t in graph_data(driver, ids.MAP_GRAPH) for loc in t["locations"]
        ),
        message="hexagons drawn",
    )
    hexes = api_json(url, "area_map", {"level": "h3r8", "within": code})["rows"]
    shown = {loc for t in graph_data(driver, ids.MAP_GRAPH) for loc in t["locations"]}
    assert shown == {r["area_code"] for r in hexes}
    names = {layer["name"] for layer in _map_layout(driver)["map"]["layers"]}
    assert names == {"outline", "parent boundary"}  # the hexagons' edge, the ward's dashed
