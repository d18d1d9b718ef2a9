"""Presenter mode in headless Chromium at a 1280x720 projector: every slide fits without
scrolling, the keys move between slides, and the URL names the slide (a reload, a shared link
and Esc all keep the filters)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from dashboard.pages import present
from dashboard.present import SLIDES
from tests.fixtures.dashboard import ARTEFACTS
from tests.fixtures.pages import url_query, wait_drawn, wait_for

pytestmark = pytest.mark.browser
#: Screenshots for a reviewer: tests/artefacts/ (git-ignored), or CARE_ATLAS_SHOTS when set.
SHOTS = Path(os.environ.get("CARE_ATLAS_SHOTS") or ARTEFACTS) / "present"
PROJECTOR = {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False}

#: Where the slide's charts, bar and note sit against the viewport.
_FIT_JS = """
const view = {w: window.innerWidth, h: window.innerHeight};
const boxes = [...document.querySelectorAll(
  '.presenter-bar, .presenter-chart, .presenter-note, .presenter-chart .main-svg')]
  .map(e => e.getBoundingClientRect())
  .filter(r => r.width > 0 && r.height > 0);
const outside = boxes.filter(r => r.top < -1 || r.left < -1 ||
  r.bottom > view.h + 1 || r.right > view.w + 1).length;
return {view, outside, boxes: boxes.length,
        scroll: document.documentElement.scrollHeight,
        scrollWidth: document.documentElement.scrollWidth,
        header: !!document.querySelector('.site-header') &&
                getComputedStyle(document.querySelector('.site-header')).display !== 'none'};
"""


def _count(driver) -> str:  # noqa: ANN001
    return driver.find_element("id", present.COUNT).text


def _on_slide(driver, number: int) -> None:  # noqa: ANN001
    wait_for(lambda: _count(driver) == f"{number} of {len(SLIDES)}", message=f"slide {number}")
    graphs = [
        f"present-graph-{i}"
        for i in range(len(driver.find_elements("css selector", ".presenter-chart")))
    ]
    wait_drawn(driver, graphs or ["present-graph-0"])


@pytest.fixture(scope="module")
def projector(page_session):  # noqa: ANN001, ANN201
    url, driver, _, _ = page_session
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PROJECTOR)
    yield url, driver
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_every_slide_fits_a_1280x720_projector_without_scrolling(projector) -> None:  # noqa: ANN001
    url, driver = projector
    SHOTS.mkdir(parents=True, exist_ok=True)
    for number, slide in enumerate(SLIDES, start=1):
        driver.get(f"{url}/present?from=2011&to=2015&slide={number}")
        _on_slide(driver, number)
        assert driver.find_element("id", present.TITLE).text == slide.title
        fit = driver.execute_script(_FIT_JS)
        assert fit["view"] == {"w": 1280, "h": 720}, fit
        assert fit["scroll"] <= fit["view"]["h"], (slide.key, fit)
        assert fit["scrollWidth"] <= fit["view"]["w"], (slide.key, fit)
        assert fit["outside"] == 0 and fit["boxes"] >= 3, (slide.key, fit)
        assert not fit["header"], "the site header gives way to the presenter's bar"
        assert "synthetic" in driver.find_element("class name", "presenter-brand").text
        driver.save_screenshot(str(SHOTS / f"slide-{number}-{slide.key}-1280x720.png"))


def test_keys_move_between_slides_and_the_url_keeps_the_slide(projector) -> None:  # noqa: ANN001
    url, driver = projector
    driver.get(f"{url}/present?from=2012&slide=1")
    _on_slide(driver, 1)
    body = driver.find_element("tag name", "body")
    for key, number in (("\ue014", 2), ("n", 3), ("N", 4), ("p", 3), ("\ue012", 2)):
        body.send_keys(key)  # \ue014 right arrow, \ue012 left arrow
        _on_slide(driver, number)
        assert url_query(driver) == {"from": "2012", "slide": str(number)}
    body.send_keys("\ue012")
    _on_slide(driver, 1)
    body.send_keys("\ue012")  # previous from the first wraps to the last
    _on_slide(driver, len(SLIDES))
    # A reload (or the same link sent round) opens on the same slide.
    driver.refresh()
    _on_slide(driver, len(SLIDES))
    # Back goes to the slide before.
    driver.back()
    _on_slide(driver, 1)
    # Esc leaves to the slide's own page with the same filters.
    driver.find_element("tag name", "body").send_keys("\ue00c")
    wait_for(lambda: urlparse(driver.current_url).path == "/", message="back on the overview")
    assert url_query(driver) == {"from": "2012"}


@pytest.mark.parametrize("slide", [1, 2])
def test_a_drilled_district_fits_too(projector, slide: int) -> None:  # noqa: ANN001
    url, driver = projector
    driver.get(f"{url}/present?from=2015&level=sector&within=B13&slide={slide}")
    _on_slide(driver, slide)
    fit = driver.execute_script(_FIT_JS)
    assert fit["scroll"] <= fit["view"]["h"] and fit["outside"] == 0, fit
    driver.save_screenshot(str(SHOTS / f"slide-{slide}-within-B13-1280x720.png"))
