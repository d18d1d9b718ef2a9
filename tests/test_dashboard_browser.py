"""Click through the dashboard in headless Chromium: views, drill-down, filters, URL, export.

One server and one browser for the module. Screenshots go to tests/artefacts/.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from dashboard import ids
from layers.style import PRESENT_FONT_SIZE, SUPPRESSED_TEXT
from tests.fixtures.pages import downloaded_file

pytestmark = pytest.mark.browser

GRAPHS = (ids.MATRIX_GRAPH, ids.MAP_GRAPH, ids.ELEMENTS_GRAPH, ids.COMPARE_GRAPH, ids.TREND_GRAPH)
TIMEOUT = 30

#: True when no Dash callback is running and every chart has drawn at least once.
SETTLED_JS = """
const busy = document.querySelector('[data-dash-is-loading="true"]');
const ids = arguments[0];
const drawn = ids.every(id => {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  return gd && gd._fullLayout && gd.data && gd.data.length > 0;
});
return !busy && drawn;
"""


def wait_for(condition, timeout: float = TIMEOUT, message: str = "condition") -> object:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition()
            if last:
                return last
        except Exception as exc:  # the page may be mid-render
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {message}: {last!r}")


def settle(driver, graphs: tuple[str, ...] = GRAPHS) -> None:  # noqa: ANN001
    time.sleep(0.3)
    wait_for(lambda: driver.execute_script(SETTLED_JS, list(graphs)), message="views drawn")


def query(driver) -> dict[str, str]:  # noqa: ANN001
    return {k: v[-1] for k, v in parse_qs(urlparse(driver.current_url).query).items()}


def trace(driver, graph: str, index: int, prop: str) -> object:  # noqa: ANN001
    return driver.execute_script(
        "const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return gd.data[arguments[1]][arguments[2]];",
        graph,
        index,
        prop,
    )


def by_dash_id(component_id: dict[str, str]) -> str:
    """XPath of a pattern-matching id (Dash writes it as JSON with sorted keys)."""
    text = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return f"//*[@id='{text}']"


def shot(driver, folder: Path, name: str) -> None:  # noqa: ANN001
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1400, min(int(height) + 120, 5000))
    driver.save_screenshot(str(folder / f"dashboard-{name}.png"))
    driver.set_window_size(1400, 1100)


@pytest.fixture(scope="module")
def page(live_dashboard, browser, artefacts_dir):  # noqa: ANN001, ANN201
    driver, downloads = browser
    return live_dashboard.url, driver, downloads, artefacts_dir


def test_first_load_draws_every_view_with_banner_and_notes(page) -> None:  # noqa: ANN001
    url, driver, _, artefacts = page
    driver.get(url + "/")
    settle(driver)
    body = driver.find_element("tag name", "body").text
    assert "Synthetic data" in body
    # Each card's definitions are folded into one "About this chart": closed, then opened.
    about = driver.find_element("css selector", ".card-area_map details.about")
    assert "Definition:" not in body and about.get_attribute("open") is None
    about.find_element("tag name", "summary").click()
    wait_for(lambda: "Definition:" in about.text, message="the map's About opened")
    assert "Hotspots show service activity, not need" in about.text
    assert "Data to " in about.text
    assert driver.find_element("id", ids.ROOT)
    shot(driver, artefacts, "overview")


def test_the_overview_scans_on_a_projector_with_the_rest_one_click_away(page) -> None:  # noqa: ANN001
    """At 1280x720 the overview is the headlines, the map and the trend, then three folded
    titles (it was about 4,800 px tall with everything open); a click opens a fold, its chart
    drawn to the card's width."""
    url, driver, _, artefacts = page
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        driver.get(url + "/")
        settle(driver)
        folds = driver.find_elements("css selector", "details.fold")
        assert len(folds) == 3 and all(f.get_attribute("open") is None for f in folds)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        assert height < 2400, height
        driver.find_element("css selector", f"#{ids.fold('matrix')} > summary").click()
        width = wait_for(
            lambda: driver.execute_script(
                "const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
                "return gd && gd.getBoundingClientRect().width > 900 && gd._fullLayout.width;",
                ids.MATRIX_GRAPH,
            ),
            message="the opened matrix drawn to the card's width",
        )
        assert width > 900
        assert driver.execute_script("return document.documentElement.scrollHeight") > height
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_suppressed_areas_show_as_c(page) -> None:  # noqa: ANN001
    url, driver, _, artefacts = page
    driver.get(url + "/?level=sector#map=counts")
    settle(driver)
    withheld = trace(driver, ids.MAP_GRAPH, 1, "customdata")
    assert withheld, "expected some suppressed sectors"
    assert all(row[1].startswith("[c]") or row[1].startswith("[x]") for row in withheld)
    assert any(row[1] == SUPPRESSED_TEXT for row in withheld)
    matrix_text = trace(driver, ids.MATRIX_GRAPH, 0, "text")
    assert any("[c]" in cell for row in matrix_text for cell in row)
    shot(driver, artefacts, "sectors-suppressed")


def test_click_a_ward_drills_to_its_sectors_and_filters_the_other_views(page) -> None:  # noqa: ANN001
    from selenium.webdriver.common.action_chains import ActionChains

    url, driver, _, artefacts = page
    driver.get(url + "/")
    settle(driver)
    canvas = driver.find_element("css selector", f"#{ids.MAP_GRAPH} canvas")
    ActionChains(driver).move_to_element(canvas).pause(0.5).click().perform()
    wait_for(lambda: query(driver).get("within"), message="drill-down in the URL")
    settle(driver)
    state = query(driver)
    assert state["level"] == "sector" and state["within"].startswith("E05")
    place = driver.find_element("id", ids.PLACE).text
    assert state["within"] in place
    assert driver.find_element("id", ids.DRILL_UP).is_displayed()
    shot(driver, artefacts, "drilled-ward")
    driver.find_element("id", ids.DRILL_UP).click()
    wait_for(lambda: "within" not in query(driver), message="back to the city")


def test_filters_write_the_url_and_back_restores_the_previous_screen(page) -> None:  # noqa: ANN001
    url, driver, _, _ = page
    driver.get(url + "/")
    settle(driver)
    driver.find_element("css selector", f"#{ids.PER_1000} input").click()
    wait_for(lambda: query(driver).get("measure") == "rate_per_1000", message="measure in URL")
    settle(driver)
    driver.find_element("css selector", f"#{ids.PERIOD_KIND} input[value='fy']").click()
    wait_for(lambda: query(driver).get("period_kind") == "fy", message="period kind in URL")
    settle(driver)
    assert all("/" in str(p) for p in trace(driver, ids.TREND_GRAPH, 0, "x"))
    driver.back()
    wait_for(lambda: "period_kind" not in query(driver), message="back in history")
    settle(driver)
    assert query(driver).get("measure") == "rate_per_1000"
    checked = driver.find_element("css selector", f"#{ids.PERIOD_KIND} input[value='year']")
    assert checked.is_selected()
    assert not any("/" in str(p) for p in trace(driver, ids.TREND_GRAPH, 0, "x"))


def test_a_shared_url_reopens_the_same_screen(page) -> None:  # noqa: ANN001
    url, driver, _, artefacts = page
    shared = "/?period_kind=fy&from=2011/12&to=2015/16&level=district&measure=rate_per_1000"
    driver.get(url + shared + "#highlight=unusual")
    settle(driver)
    time.sleep(1)  # let the period-kind callback narrow the range options
    assert query(driver)["from"] == "2011/12" and query(driver)["to"] == "2015/16"
    assert "Last 5" in driver.find_element("id", ids.PERIOD).text
    assert driver.find_element("css selector", f"#{ids.PER_1000} input").is_selected()
    level = driver.find_element("css selector", f"#{ids.LEVEL} input[value='district']")
    assert level.is_selected()
    highlight = driver.find_element("css selector", f"#{ids.HIGHLIGHT} input[value='unusual']")
    assert highlight.is_selected()
    assert "standardised residual" in driver.find_element("id", "highlight-rule").text
    periods = [str(p) for p in trace(driver, ids.MATRIX_GRAPH, 0, "x")]
    # the data runs to 31 Dec 2015: 2015/16 is a part year, headed so
    assert periods == ["2011/12", "2012/13", "2013/14", "2014/15", "2015/16 (part)"]
    shot(driver, artefacts, "shared-url")


def test_csv_export_equals_the_api_answer(page) -> None:  # noqa: ANN001
    url, driver, downloads, _ = page
    driver.get(url + "/?from=2012")
    settle(driver)
    for old in downloads.glob("care-atlas_trend_*.csv"):
        old.unlink()
    driver.find_element("xpath", by_dash_id(ids.csv_button("trend"))).click()
    # Named after the view and the selection (from=2012 alone is the one year 2012).
    target = downloaded_file(downloads, "care-atlas_trend_city_2012.csv")
    with urllib.request.urlopen(f"{url}/api/v1/views/trend?from=2012&level=city&format=csv") as r:
        api = r.read().decode("utf-8")
    assert target.read_text(encoding="utf-8") == api


def test_table_alternative_and_the_present_link(page) -> None:  # noqa: ANN001
    url, driver, _, _ = page
    driver.get(url + "/?from=2012&level=district")
    settle(driver)
    driver.find_element("xpath", by_dash_id(ids.table_toggle("trend"))).click()
    table = driver.find_element("xpath", by_dash_id(ids.table("trend")))
    wait_for(lambda: table.find_elements("css selector", "tbody tr"), message="the table")
    # "Present" opens presenter mode's first slide under the same filters, in projector type.
    link = driver.find_element("id", ids.PRESENT_LINK)
    wait_for(lambda: "from=2012" in link.get_attribute("href"), message="the filters on Present")
    link.click()
    wait_for(lambda: urlparse(driver.current_url).path == "/present", message="presenter mode")
    assert query(driver) == {"from": "2012", "level": "district"}
    wait_for(
        lambda: (
            driver.execute_script(
                "return document.querySelector('#present-graph-0 .js-plotly-plot')"
                "._fullLayout.font.size;"
            )
            == PRESENT_FONT_SIZE
        ),
        message="projector-size type on the slide",
    )


def test_click_a_matrix_row_drills_to_that_districts_sectors(page) -> None:  # noqa: ANN001
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    url, driver, _, _ = page
    driver.get(url + "/?from=2014")
    settle(driver)
    # The matrix is folded under its title: a click on the title opens it.
    driver.find_element("css selector", f"#{ids.fold('matrix')} > summary").click()
    time.sleep(0.5)
    first_row = trace(driver, ids.MATRIX_GRAPH, 0, "y")[0]
    cell = driver.find_element("css selector", f"#{ids.MATRIX_GRAPH} .nsewdrag")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", cell)
    time.sleep(0.5)
    left, top = driver.execute_script(
        "const b = arguments[0].getBoundingClientRect(); return [b.left, b.top];", cell
    )
    # The first row sits at the top of the plot area (rows run top to bottom).
    actions = ActionBuilder(driver)
    actions.pointer_action.move_to_location(int(left) + 20, int(top) + 8).pause(0.4).click()
    actions.perform()
    wait_for(lambda: query(driver).get("within"), message="drill-down from the matrix")
    state = query(driver)
    assert state["within"] == first_row.split(" ")[0]
    assert state["level"] == "sector"
    prefix = state["within"] + " "
    # Rows read "<code> <name>": the district's own row ("B1 Ladywood") also starts with
    # "B1 ", so wait until every row is one of its sectors ("B1 1 Ladywood").

    def sector_rows() -> list[str] | None:
        shown = trace(driver, ids.MATRIX_GRAPH, 0, "y")
        return shown if all(r.startswith(prefix) for r in shown) else None

    rows = wait_for(sector_rows, message="the matrix showing the district's sectors")
    assert all(r.split(" ")[1].isdigit() for r in rows), rows


def set_value(driver, component_id: str, value: object) -> None:  # noqa: ANN001
    driver.execute_script(
        "window.dash_clientside.set_props(arguments[0], {value: arguments[1]});",
        component_id,
        value,
    )


#: Record the outputs of every Dash callback the page posts from now on.
RECORD_POSTS_JS = """
window.__posted = [];
const pageFetch = window.fetch;
window.fetch = function (input, init) {
  if (String(input).includes('_dash-update-component')) {
    window.__posted.push(JSON.parse(init.body).output);
  }
  return pageFetch.apply(this, arguments);
};
"""


def test_a_hidden_table_asks_nothing_on_a_filter_change_and_a_shown_one_follows(page) -> None:  # noqa: ANN001
    url, driver, _, _ = page
    driver.get(url + "/?from=2012&to=2012&level=district")
    settle(driver)
    driver.execute_script(RECORD_POSTS_JS)
    set_value(driver, ids.PERIOD, "2013")
    wait_for(lambda: query(driver).get("from") == "2013", message="2013 in the URL")
    settle(driver)
    posted = driver.execute_script("return window.__posted;")
    assert any("trend-graph" in p for p in posted), posted  # the views did follow
    assert not [p for p in posted if '"type":"table"' in p], posted  # no table was asked
    driver.find_element("xpath", by_dash_id(ids.table_toggle("trend"))).click()
    table = driver.find_element("xpath", by_dash_id(ids.table("trend")))
    wait_for(lambda: "2013" in table.text, message="the trend table for 2013")
    set_value(driver, ids.PERIOD, "2014")
    wait_for(
        lambda: "2014" in table.text and "2013" not in table.text,
        message="the shown table following the filters to 2014",
    )
    toggle = driver.find_element("xpath", by_dash_id(ids.table_toggle("trend")))
    toggle.click()
    wait_for(lambda: not table.text and toggle.text == "Show table", message="the table hidden")


def test_the_what_picker_writes_one_parameter_and_sectors_offer_one_breakdown(page) -> None:  # noqa: ANN001
    url, driver, _, artefacts = page
    driver.get(url + "/")
    settle(driver)
    set_value(driver, ids.WHAT, "theme:MIA5:Internal")
    wait_for(lambda: query(driver).get("themes") == "MIA5", message="the theme in the URL")
    assert query(driver).get("provision") == "Internal"
    assert not {"elements", "services"} & set(query(driver))
    set_value(driver, ids.WHAT, "element:OAEHSGCO")
    wait_for(lambda: query(driver).get("elements") == "OAEHSGCO", message="the element")
    assert not {"themes", "provision"} & set(query(driver))
    # Postcode sectors carry one breakdown: with an element chosen, age bands are greyed out
    # and quarters are not offered; the bar says why.
    driver.get(url + "/?level=sector&elements=OAEHSGCO")
    settle(driver, (ids.MAP_GRAPH, ids.MATRIX_GRAPH))
    rule = driver.find_element("id", ids.RULE).text
    assert "Postcode sectors: one breakdown at a time" in rule and "no quarters" in rule
    quarter = driver.find_element("css selector", f"#{ids.PERIOD_KIND} input[value='quarter']")
    assert not quarter.is_enabled()
    shot(driver, artefacts, "sector-one-breakdown")


def test_an_old_link_with_a_list_says_which_field_and_draws_no_traceback(page) -> None:  # noqa: ANN001
    url, driver, _, artefacts = page
    driver.get(url + "/?elements=OAEHSGCO,HSSU65PL&age_bands=65%2B")
    wait_for(
        lambda: (
            "elements: one element at a time" in driver.find_element("id", ids.STATE_MESSAGE).text
        ),
        message="the old link's message",
    )
    body = driver.find_element("tag name", "body").text
    assert "These filters cannot be shown: elements" in body
    assert "Traceback" not in driver.page_source
    # Choosing one element repairs the link.
    set_value(driver, ids.WHAT, "element:HSSU65PL")
    wait_for(lambda: query(driver).get("elements") == "HSSU65PL", message="one element")
    settle(driver, (ids.MAP_GRAPH, ids.MATRIX_GRAPH, ids.TREND_GRAPH))
    assert driver.find_element("id", ids.STATE_MESSAGE).text == ""
    shot(driver, artefacts, "old-link-repaired")
