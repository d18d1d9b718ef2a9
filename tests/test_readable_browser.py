"""Readability in the browser (issue #20 item 2): the rate-mode matrix and an empty selection,
drawn by headless Chromium at a large and a small laptop size.

Screenshots go to tests/artefacts/ (git-ignored), and to CARE_ATLAS_SHOTS when it is set (the
reviewers' folder, e.g. /work/notes/shots/readable).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard import ids
from layers.matrix import CELL_TEXT_SIZE, UNRELIABLE_NAME
from layers.style import NO_DATA
from tests.test_dashboard_browser import settle, wait_for

pytestmark = pytest.mark.browser

SIZES: tuple[tuple[int, int], ...] = ((1600, 1000), (1280, 720))
#: The overview's charts that have nothing to draw for EMPTY (the map's empty state is the
#: map's own; the matrix draws its grid of withheld [c] cells, without a colour bar).
CHARTS = (ids.ELEMENTS_GRAPH, ids.COMPARE_GRAPH, ids.TREND_GRAPH)
#: An element nobody used in 2001: every chart of the overview has nothing to show.
EMPTY = "/?elements=CHIRDRT&from=2001&to=2001"

#: Sizes (px) of the text drawn in the matrix's cells, as the browser computed them.
CELL_SIZES_JS = """
const nodes = document.querySelectorAll('#' + arguments[0] + ' .textpoint text');
return Array.from(nodes).map(n => parseFloat(getComputedStyle(n).fontSize));
"""
LEGEND_JS = """
return Array.from(document.querySelectorAll('#' + arguments[0] + ' .legendtext'))
  .map(n => n.textContent);
"""
#: Text of each chart's annotations, and whether it drew any axis ticks.
EMPTY_JS = """
return arguments[0].map(id => {
  const root = document.getElementById(id);
  return {
    id: id,
    note: Array.from(root.querySelectorAll('.annotation-text')).map(n => n.textContent),
    ticks: root.querySelectorAll('.xtick, .ytick').length,
    legend: root.querySelectorAll('.legendtext').length,
  };
});
"""


@pytest.fixture(scope="module")
def page(live_dashboard, browser, artefacts_dir):  # noqa: ANN001, ANN201
    driver, _downloads = browser
    folders = [artefacts_dir]
    if os.environ.get("CARE_ATLAS_SHOTS"):
        folders.append(Path(os.environ["CARE_ATLAS_SHOTS"]))
        folders[-1].mkdir(parents=True, exist_ok=True)
    yield live_dashboard.url, driver, folders
    driver.set_window_size(1400, 1100)


def screenshots(driver, folders: list[Path], name: str, graph: str) -> None:  # noqa: ANN001
    """The window and the chart itself, into every folder."""
    node = driver.find_element("id", graph)
    driver.execute_script("arguments[0].scrollIntoView()", node)
    for folder in folders:
        driver.save_screenshot(str(folder / f"{name}.png"))
        node.screenshot(str(folder / f"{name}-{graph}.png"))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_rate_mode_matrix_keeps_readable_numbers_and_marks_u_cells(
    page,  # noqa: ANN001
    width: int,
    height: int,
) -> None:
    url, driver, folders = page
    driver.set_window_size(width, height)
    driver.get(url + "/?measure=rate_per_1000")
    settle(driver)
    sizes = wait_for(
        lambda: driver.execute_script(CELL_SIZES_JS, ids.MATRIX_GRAPH), message="cell text"
    )
    # Every cell's number at the one fixed size: no cell shrinks them to ~5 px any more.
    assert set(sizes) == {float(CELL_TEXT_SIZE)} and CELL_TEXT_SIZE >= 11
    legend = driver.execute_script(LEGEND_JS, ids.MATRIX_GRAPH)
    assert UNRELIABLE_NAME in legend, legend
    screenshots(driver, folders, f"readable-rate-matrix-{width}x{height}", ids.MATRIX_GRAPH)


def empty_states(driver) -> list[dict] | None:  # noqa: ANN001
    """Each chart's annotations, ticks and legend, once every chart has drawn a sentence."""
    states = driver.execute_script(EMPTY_JS, list(CHARTS))
    return states if all(s["note"] for s in states) else None


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_an_empty_selection_says_so_on_every_chart(page, width: int, height: int) -> None:  # noqa: ANN001
    url, driver, folders = page
    driver.set_window_size(width, height)
    driver.get(url + EMPTY)
    # settle() waits for traces; an empty chart has none, so wait for every chart's sentence.
    states = wait_for(lambda: empty_states(driver), message="every chart's no-data note")
    assert [s["id"] for s in states] == list(CHARTS)
    for state in states:
        assert state["note"][0].startswith(NO_DATA), state
        # No axis ticks ("-0.4 to 0.4 people", "£800m") and no legend on an empty chart.
        assert state["ticks"] == 0 and state["legend"] == 0, state
    matrix = driver.execute_script(
        "const root = document.getElementById(arguments[0]);"
        "return [root.querySelectorAll('.colorbar').length,"
        " Array.from(root.querySelectorAll('.textpoint text')).map(n => n.textContent)];",
        ids.MATRIX_GRAPH,
    )
    assert matrix[0] == 0 and set(matrix[1]) == {"[c]"}, matrix
    screenshots(driver, folders, f"readable-empty-{width}x{height}", ids.ELEMENTS_GRAPH)


@pytest.mark.parametrize("width", [1920, 2560])
def test_a_wide_meeting_room_screen_keeps_two_columns(page, width: int) -> None:  # noqa: ANN001
    """auto-fit with a 560 px minimum made a third column from about 1750 px on, leaving holes
    beside the full-width cards on a 1920 px screen; the grid now stops at two."""
    url, driver, folders = page
    driver.set_window_size(width, 1080)
    driver.get(url + "/")
    settle(driver, (ids.TREND_GRAPH,))
    columns = driver.execute_script(
        "return Array.from(document.querySelectorAll('.views'))"
        ".map(n => getComputedStyle(n).gridTemplateColumns.split(' ').length);"
    )
    assert columns and max(columns) == 2, columns
    for folder in folders:
        driver.save_screenshot(str(folder / f"readable-wide-{width}.png"))
