"""URL state, drill-down and control sync, as plain functions (no browser, no database)."""

from __future__ import annotations

from dashboard import catalogue, ids
from dashboard.callbacks import sync_location
from dashboard.choices import Choices
from dashboard.controls import controls_from_state, state_from_controls
from dashboard.pagekit import parse_page_state
from dashboard.state import (
    build_hash,
    build_search,
    drill,
    drill_up,
    parse_location,
    selected_place,
    view_params,
)

WARD = "E05011118"
CHOICES = Choices(
    periods={
        "year": [str(y) for y in range(2009, 2016)],
        "fy": [f"{y}/{str(y + 1)[2:]}" for y in range(2008, 2016)],
        "quarter": [f"{y}-Q{q}" for y in range(2009, 2016) for q in range(1, 5)],
    },
    age_bands=["0-17", "18-64", "65+"],
    elements=[("OAEHSGCO", "Older Adults External General Contracted")],
    services=[("OAHS", "Older Adults Home Support")],
    themes=["MIA3", "MIA5", "MIA17"],
    provision=["Internal", "External", "Direct payment"],
    client_groups=["Mental Health", "Learning Disability Support"],
)


def test_round_trip_keeps_filters_in_the_query_and_ui_keys_in_the_fragment() -> None:
    state = {"from": "2010", "to": "2014", "age_bands": "65+,25-64", "highlight": "unusual"}
    search, fragment = build_search(state), build_hash(state)
    assert search == "?from=2010&to=2014&age_bands=65%2B,25-64"
    assert fragment == "#highlight=unusual"
    assert parse_location(search, fragment) == state


def test_unknown_and_blank_keys_are_dropped() -> None:
    # An old link's meeting-mode keys (#meeting=1&slide=map) are dropped like any other.
    assert parse_location("?from=2010&evil=1&to=", "#highlight=unusual&meeting=1&slide=map") == {
        "from": "2010",
        "highlight": "unusual",
    }


def test_a_repeated_key_or_a_free_region_reaches_the_page_as_the_list_it_names() -> None:
    # ?elements=A&elements=B is the list elements=A,B (the page names it and the views refuse
    # it), not B silently; regions= is read only to say why it is not shown, never passed on.
    state = parse_location("?elements=OAEHSGCO&elements=OAERSRES&regions=North:B16&from=2013")
    assert state == {"elements": "OAEHSGCO,OAERSRES", "regions": "North:B16", "from": "2013"}
    assert [field for field, _m in catalogue.list_problems(state)] == ["regions", "elements"]
    assert catalogue.link_message({"regions": "x"}, CHOICES).startswith("This link cannot be")
    # A range the catalogue does not publish is said too (the map shows its last period).
    assert catalogue.link_message({"from": "2011", "to": "2013"}, CHOICES) == (
        "This link cannot be shown as it is. from, to: 2011 to 2013 is not published (a range "
        "is published only as the whole series, the last 5 or the last 3), so charts of one "
        "period show 2013 and charts over time each period in it."
    )
    assert catalogue.link_message({"from": "2011", "to": "2015"}, CHOICES) == ""
    assert "regions" not in view_params(state, "area_map")
    assert build_search(state) == "?from=2013&elements=OAEHSGCO,OAERSRES"
    # Any key given twice is named (no member of a dimension has a comma).
    for key in ("period_kind", "from", "level", "within", "top_n", "highlight"):
        twice = parse_location(f"?{key}=a&{key}=b", f"#{key}=a&{key}=b")
        assert [field for field, _m in catalogue.list_problems(twice)] == [key]
    # ... once: a list of periods is not also a range that is not published.
    assert catalogue.link_message(parse_location("?from=2011&from=2012"), CHOICES).count(":") == 1
    page = parse_page_state("?age_bands=65%2B&age_bands=0-17&regions=x&slide=2", ("age_bands",))
    assert page == {"age_bands": "65+,0-17", "regions": "x"}


def test_views_get_their_own_level_and_place() -> None:
    state = {"from": "2012", "level": "sector", "within": WARD, "areas": "B6 5", "top_n": "5"}
    assert view_params(state, "area_map") == {
        "from": "2012",
        "level": "sector",
        "measure": "people",
        "within": WARD,
    }
    assert view_params(state, "matrix") == {
        "from": "2012",
        "measure": "people",
        "level": "sector",
        "within": WARD,
    }
    assert view_params(state, "elements") == {
        "from": "2012",
        "level": "sector",
        "areas": "B6 5",
        "top_n": "5",
    }
    assert view_params({}, "trend") == {"level": "city"}
    assert view_params({}, "matrix")["level"] == "district"


def test_drill_from_ward_to_its_sectors_then_select_then_back_up() -> None:
    opened = drill({"from": "2012"}, WARD)
    assert opened == {"from": "2012", "within": WARD, "level": "sector"}
    assert selected_place(opened) == ("ward", WARD)
    chosen = drill(opened, "B6 5")
    assert selected_place(chosen) == ("sector", "B6 5")
    assert drill(chosen, "B6 5") == opened  # clicking the selected area again clears it
    assert drill_up(chosen) == {"from": "2012", "level": "ward"}
    assert drill_up(drill({"level": "district"}, "B6")) == {"level": "district"}


def test_controls_follow_the_state_and_per_1000_maps_to_the_rate_measure() -> None:
    shown = controls_from_state({"measure": "rate_per_1000", "themes": "MIA3"}, CHOICES)
    assert shown[ids.PER_1000] == ["on"]
    assert shown[ids.MEASURE] == "people"
    assert shown[ids.WHAT] == "theme:MIA3"
    assert shown[ids.LEVEL] == "ward"
    assert shown[ids.AGE_BANDS] == "all"
    assert shown[ids.PERIOD] == "2009..2015"  # no from / to: the whole series


def test_a_list_from_an_old_link_shows_blank_and_the_next_change_drops_it() -> None:
    old = {"age_bands": "0-17,18-64", "elements": "A1,B2", "from": "2010", "to": "2012"}
    shown = controls_from_state(old, CHOICES)
    assert shown[ids.AGE_BANDS] is None and shown[ids.WHAT] is None
    assert shown[ids.PERIOD] is None  # 2010..2012 is not a preset: the picker shows blank
    shown[ids.CLIENT_GROUPS] = "Mental Health"
    state = state_from_controls(shown, old, ids.CLIENT_GROUPS, CHOICES)
    assert state == {"client_groups": "Mental Health", "from": "2010", "to": "2012"}


def test_the_what_picker_writes_exactly_one_what_parameter() -> None:
    values = controls_from_state({"services": "OAHS"}, CHOICES)
    for member, params in (
        ("element:OAEHSGCO", {"elements": "OAEHSGCO"}),
        ("service:OAHS", {"services": "OAHS"}),
        ("theme:MIA3", {"themes": "MIA3"}),
        ("provision:Internal", {"provision": "Internal"}),
        ("theme:MIA5:Internal", {"themes": "MIA5", "provision": "Internal"}),
        ("all", {}),
    ):
        values[ids.WHAT] = member
        assert state_from_controls(values, {"services": "OAHS"}, ids.WHAT, CHOICES) == params
        assert controls_from_state(params, CHOICES)[ids.WHAT] == member


def test_the_period_picker_writes_a_period_or_a_preset_range() -> None:
    values = controls_from_state({}, CHOICES)
    values[ids.PERIOD] = "2011..2015"
    assert state_from_controls(values, {}, ids.PERIOD, CHOICES) == {"from": "2011", "to": "2015"}
    values[ids.PERIOD] = "2013"
    assert state_from_controls(values, {}, ids.PERIOD, CHOICES) == {"from": "2013", "to": "2013"}
    values[ids.PERIOD] = "2009..2015"  # the whole series is the default: left out of the URL
    assert state_from_controls(values, {"from": "2013", "to": "2013"}, ids.PERIOD, CHOICES) == {}


def test_changing_period_kind_resets_the_range_and_level_keeps_the_drill_for_parts() -> None:
    previous = {"from": "2013", "to": "2015", "within": WARD, "level": "sector"}
    values = controls_from_state(previous, CHOICES)
    values[ids.PERIOD_KIND] = "fy"
    state = state_from_controls(values, previous, ids.PERIOD_KIND, CHOICES)
    assert state == {"period_kind": "fy", "within": WARD, "level": "sector"}
    # Hexagons have parts inside the ward: the drill is kept, the selection cleared.
    values = controls_from_state({**previous, "areas": "B27 6"}, CHOICES)
    values[ids.LEVEL] = "h3r8"
    assert state_from_controls(values, {**previous, "areas": "B27 6"}, ids.LEVEL, CHOICES) == {
        "from": "2013",
        "to": "2015",
        "within": WARD,
        "level": "h3r8",
    }
    # Wards show the whole city again.
    values[ids.LEVEL] = "ward"
    assert state_from_controls(values, previous, ids.LEVEL, CHOICES) == {
        "from": "2013",
        "to": "2015",
    }


def test_sync_location_writes_the_url_from_a_control_and_reads_it_on_load() -> None:
    values = controls_from_state({}, CHOICES)
    values[ids.PER_1000] = ["on"]
    search, fragment, shown = sync_location(ids.PER_1000, "", "", values, None, choices=CHOICES)
    assert search == "?measure=rate_per_1000"
    assert fragment == ""
    search, fragment, shown = sync_location(
        None, "?themes=MIA5", "#highlight=unusual", values, None, choices=CHOICES
    )
    assert search is None and fragment is None
    assert shown[ids.WHAT] == "theme:MIA5"
    assert shown[ids.PER_1000] == []


def test_sync_location_drills_on_a_map_click() -> None:
    values = controls_from_state({}, CHOICES)
    search, _, shown = sync_location(ids.MAP_GRAPH, "", "", values, WARD, choices=CHOICES)
    assert parse_location(search) == {"level": "sector", "within": WARD}
    assert shown[ids.LEVEL] == "sector"


def test_a_matrix_row_click_opens_a_districts_sectors_then_selects_a_sector() -> None:
    from dashboard.state import drill_from_matrix

    opened = drill_from_matrix({"from": "2014", "areas": "E05011118"}, "B12 Birmingham")
    assert opened == {"from": "2014", "within": "B12", "level": "sector"}
    picked = drill_from_matrix(opened, "B12 9")
    assert picked["areas"] == "B12 9" and picked["within"] == "B12"
    assert drill_from_matrix(opened, "B12 9 Balsall Heath")["areas"] == "B12 9"
    assert "areas" not in drill_from_matrix(picked, "B12 9")  # a second click clears it


def test_sync_location_drills_on_a_matrix_click() -> None:
    search, _, _ = sync_location(
        ids.MATRIX_GRAPH, "?from=2014", "", {}, None, "B5 Digbeth", choices=CHOICES
    )
    assert search == "?from=2014&level=sector&within=B5"
