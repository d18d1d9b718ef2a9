"""Presenter mode's deck as plain functions: the URL names the slide, each slide draws."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from dashboard.choices import choices_from_reference
from dashboard.pages.present import slide_outputs
from dashboard.present import (
    MATRIX_ROWS,
    SLIDES,
    count_text,
    deck_search,
    draw_slide,
    leave_href,
    note_line,
    parse_deck,
    present_href,
    slide_number,
    top_areas,
)
from dashboard.views import Context
from layers.margins import text_ems
from layers.style import PRESENT_FONT_SIZE, SUPPRESSED_TEXT


@pytest.fixture(scope="module")
def context(queries_db) -> Context:  # noqa: ANN001
    return Context(db=queries_db, choices=choices_from_reference(queries_db.reference))


def test_the_url_names_the_slide_and_a_bad_one_reads_as_the_first() -> None:
    assert slide_number(parse_deck("?slide=3&from=2012")) == 3
    for bad in ("?slide=0", "?slide=99", "?slide=two", "?slide=-1", "", "?slide=2%3Cb%3E"):
        assert slide_number(parse_deck(bad)) == 1, bad
    assert count_text(2) == f"2 of {len(SLIDES)}"


def test_next_and_previous_keep_the_filters_and_wrap_round() -> None:
    state = parse_deck("?from=2012&age_bands=65%2B&slide=1&junk=x")
    following = parse_qs(deck_search(state, 2).lstrip("?"))
    assert following == {"from": ["2012"], "age_bands": ["65+"], "slide": ["2"]}
    assert parse_qs(deck_search(state, 0).lstrip("?"))["slide"] == [str(len(SLIDES))]
    assert parse_qs(deck_search(state, len(SLIDES) + 1).lstrip("?"))["slide"] == ["1"]


def test_leave_goes_back_to_the_slides_own_page_with_the_filters() -> None:
    state = parse_deck("?from=2012&level=district&slide=3")
    pages = [leave_href(state, n) for n in range(1, len(SLIDES) + 1)]
    for slide, href in zip(SLIDES, pages, strict=True):
        assert href.startswith(slide.page + "?") and "from=2012" in href
        assert "slide=" not in href
    assert {s.key for s in SLIDES} >= {"matrix", "map", "hotspots", "regions", "trend"}


def test_the_overviews_present_link_opens_the_first_slide_with_its_filters_and_drill() -> None:
    from dashboard.state import parse_location

    overview = parse_location(
        "?from=2012&level=sector&within=B13&areas=B13%209", "#highlight=unusual"
    )
    href = present_href(overview)
    assert href.startswith("/present?")
    deck = parse_deck(href.removeprefix("/present"))
    assert deck == {"from": "2012", "level": "sector", "within": "B13", "areas": "B13 9"}
    assert slide_number(deck) == 1
    assert present_href({}) == "/present"


def test_top_areas_are_the_largest_means_with_withheld_cells_left_out() -> None:
    import pandas as pd

    rows = pd.DataFrame(
        {
            "area_code": ["A", "A", "B", "B", "C", "C"],
            "value": [10.0, 30.0, 50.0, None, None, None],
        }
    )
    assert top_areas(rows, 2) == ["B", "A"]


def test_every_slide_draws_without_a_fixed_height(context: Context) -> None:
    for number, slide in enumerate(SLIDES, start=1):
        shown, drawn = draw_slide(context, {"slide": str(number)})
        assert shown == slide
        assert drawn.figures, slide.key
        for figure in drawn.figures:
            assert "height" not in figure["layout"], slide.key
            assert figure["layout"]["autosize"] is True
    matrix = draw_slide(context, {"slide": "1"})[1].figures[0]
    assert len(matrix["data"][0]["y"]) <= MATRIX_ROWS


def test_the_callback_outputs_name_the_neighbours(context: Context) -> None:
    title, count, previous, following, leave, _summary, charts, note = slide_outputs(
        context, "?slide=2&from=2012"
    )
    assert title == SLIDES[1].title and count == f"2 of {len(SLIDES)}"
    assert "slide=1" in previous and "slide=3" in following
    assert previous.startswith("/present?") and "from=2012" in following
    assert leave.startswith(SLIDES[1].page)
    assert charts and "Counts perturbed" in note


def test_the_map_slide_is_the_counts_and_the_matrix_rows_are_named(context: Context) -> None:
    def summary(number: int) -> str:
        return draw_slide(context, {"slide": str(number)})[1].summary

    # The map against the city ("... 47 similar ...") is the hotspots slide's; the map slide
    # shows the counts, not a second copy of it.
    assert "similar" in summary(3)
    assert "similar" not in summary(2)
    matrix = draw_slide(context, {"slide": "1"})[1].figures[0]
    assert all(len(label.split()) > 1 for label in matrix["data"][0]["y"])  # "B31 Longbridge"
    # Every row named: rows barely taller than the projector's type made Plotly skip every
    # other area's name.
    assert matrix["layout"]["yaxis"]["dtick"] == 1
    # The names leave narrow columns, whose years the projector's type turns upright: the top
    # holds them whole.
    assert matrix["layout"]["margin"]["t"] >= text_ems("2015") * PRESENT_FONT_SIZE


def test_the_note_line_keeps_the_date_and_the_c_words_but_not_the_build(context: Context) -> None:
    _slide, drawn = draw_slide(context, {"slide": "5"})
    assert any("(build " in line for line in drawn.notes)
    note = note_line(drawn)
    assert "Data to " in note and "(build" not in note and note.endswith(f"{SUPPRESSED_TEXT}.")


def test_a_filter_the_query_layer_refuses_is_a_message(context: Context) -> None:
    _slide, drawn = draw_slide(context, {"slide": "1", "age_bands": "<b>nonsense</b>"})
    assert drawn.figures
    assert "cannot be shown" in drawn.summary
