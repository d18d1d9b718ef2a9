"""axe-core on every page in headless Chromium: no serious or critical violation that the
app's own markup causes.

axe-core (MPL-2.0) is fetched from the npm registry by scripts/fetch-axe.sh (``make browser``)
into tests/vendor/, never committed. Two serious rules fire only inside Dash 4's own
components, which take no aria properties from the layout; they are excluded node by node (a
node of the app's own markup breaking the same rule still fails):

- ``aria-hidden-focus``: dcc.Dropdown's ``.dash-dropdown-focus-target`` is aria-hidden yet
  focusable (Dash moves focus through it to the real combobox).
- ``nested-interactive``: dcc.RadioItems / dcc.Checklist draw each option as a
  ``<label role="option">`` around its native input.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from care_atlas.config import PROJECT_ROOT
from dashboard.pages import pages
from tests.fixtures.dashboard import ARTEFACTS
from tests.fixtures.pages import wait_for

pytestmark = pytest.mark.browser
AXE = PROJECT_ROOT / "tests" / "vendor" / "axe-core-4.10.2.min.js"
#: Screenshots for a reviewer: tests/artefacts/ (git-ignored), or CARE_ATLAS_SHOTS when set.
SHOTS = Path(os.environ.get("CARE_ATLAS_SHOTS") or ARTEFACTS) / "present"
#: rule id -> the class that marks a node as Dash's own markup (see the module docstring).
DASH_INTERNAL: dict[str, str] = {
    "aria-hidden-focus": "dash-dropdown-focus-target",
    "nested-interactive": "dash-options-list-option",
}

_RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done(JSON.stringify(r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300)}))})))))
  .catch(e => done(JSON.stringify({error: String(e)})));
"""


def axe_violations(driver) -> list[dict]:  # noqa: ANN001
    """axe-core's violations on the page as it stands (injected into the page each time)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make browser` (scripts/fetch-axe.sh)")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(90)
    found = json.loads(driver.execute_async_script(_RUN_AXE))
    assert not isinstance(found, dict), found
    return found


def _opening_tag(html: str) -> str:
    return html.split(">", 1)[0]


def apps_own(violations: list[dict]) -> list[dict]:
    """Serious and critical violations, less the nodes that are Dash's own markup."""
    kept = []
    for violation in violations:
        if violation["impact"] not in ("serious", "critical"):
            continue
        marker = DASH_INTERNAL.get(violation["id"])
        nodes = [
            n for n in violation["nodes"] if not marker or marker not in _opening_tag(n["html"])
        ]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


def test_the_dash_exclusions_keep_the_apps_own_nodes() -> None:
    dash_node = {
        "html": '<div class="dash-dropdown-focus-target" aria-hidden="true">',
        "target": [],
    }
    own_node = {"html": '<div aria-hidden="true"><button class="button">', "target": []}
    found = [{"id": "aria-hidden-focus", "impact": "serious", "nodes": [dash_node, own_node]}]
    assert apps_own(found) == [{**found[0], "nodes": [own_node]}]
    found = [{"id": "html-has-lang", "impact": "serious", "nodes": [dash_node]}]
    assert apps_own(found) == found
    assert apps_own([{"id": "region", "impact": "moderate", "nodes": [own_node]}]) == []


def _settled(driver) -> bool:  # noqa: ANN001
    return driver.execute_script(
        "return !document.querySelector('[data-dash-is-loading=true]') && "
        "document.querySelectorAll('.js-plotly-plot').length > 0 && "
        "document.readyState === 'complete'"
    )


@pytest.mark.parametrize("path", sorted(pages()))
def test_axe_finds_no_serious_or_critical_violation_of_the_apps_own(
    page_session,  # noqa: ANN001
    path: str,
) -> None:
    url, driver, _, _ = page_session
    driver.get(url + path)
    wait_for(lambda: _settled(driver), message=f"{path} drawn")
    time.sleep(1.5)  # the graphs' own late markup (maps, mode bars)
    found = axe_violations(driver)
    assert driver.execute_script("return document.documentElement.lang") == "en-GB"
    bad = apps_own(found)
    assert not bad, json.dumps(bad, indent=1)
    if path == "/":
        # The folded views too, opened (axe skips what is hidden).
        from tests.fixtures.pages import open_folds

        open_folds(driver)
        time.sleep(1.5)
        bad = apps_own(axe_violations(driver))
        assert not bad, json.dumps(bad, indent=1)
        SHOTS.mkdir(parents=True, exist_ok=True)
        for width, height in ((1600, 1000), (1280, 720)):
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            time.sleep(1)
            driver.save_screenshot(str(SHOTS / f"overview-{width}x{height}.png"))
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_matrix_drills_from_the_keyboard(page_session) -> None:  # noqa: ANN001
    from dashboard import ids
    from dashboard.matrix_keys import PANEL, TOGGLE
    from tests.fixtures.pages import graph_data, url_query, wait_drawn

    url, driver, _, _ = page_session
    driver.get(url + "/?from=2012")
    wait_drawn(driver, [ids.MATRIX_GRAPH])
    # The matrix is folded under its title: Enter on the title opens it.
    summary = driver.find_element("css selector", f"#{ids.fold('matrix')} > summary")
    driver.execute_script("arguments[0].focus()", summary)
    driver.switch_to.active_element.send_keys("\ue007")
    wait_for(
        lambda: driver.find_element("id", ids.fold("matrix")).get_attribute("open") is not None,
        message="the matrix's fold opened",
    )
    toggle = driver.find_element("id", TOGGLE)
    driver.execute_script("arguments[0].focus()", toggle)
    active = driver.switch_to.active_element
    assert active == toggle
    active.send_keys("\ue007")  # Enter shows the list
    first = wait_for(
        lambda: driver.find_elements("css selector", f"#{PANEL} li a"), message="row links"
    )[0]
    district = first.text.split(" ")[0]
    driver.switch_to.active_element.send_keys("\ue004")  # Tab to the first row's link
    assert driver.switch_to.active_element == first
    driver.switch_to.active_element.send_keys("\ue007")  # Enter follows it
    wait_for(lambda: url_query(driver).get("within") == district, message="drilled")
    assert url_query(driver) == {"from": "2012", "level": "sector", "within": district}
    wait_drawn(driver, [ids.MATRIX_GRAPH])
    rows = wait_for(
        lambda: [
            y
            for y in graph_data(driver, ids.MATRIX_GRAPH)[0]["y"]
            if str(y).startswith(district + " ")
        ],
        message="the district's sectors in the matrix",
    )
    assert rows
