"""The users' pages' shared machinery: URL state, controls, navigation (no browser)."""

from __future__ import annotations

import re

from care_atlas.config import PROJECT_ROOT
from dashboard.pagekit import (
    SHARED_FILTER_KEYS,
    PageControl,
    PageIds,
    build_page_search,
    parse_page_state,
    shared_filter_controls,
    state_after_change,
)

PERIOD = PageControl("period_kind", "Period", "radio", (("year", "Year"), ("fy", "FY")), "year")
FROM = PageControl("from", "From", "dropdown", (("2012", "2012"),))
BANDS = PageControl(
    "age_bands", "Age band", "dropdown", (("18-64", "18-64"), ("65+", "65+")), default="all"
)
CONTROLS = (PERIOD, FROM, BANDS)


def test_state_round_trips_through_the_query_string_in_a_fixed_order() -> None:
    state = {"to": "2015", "age_bands": "18-64,65+", "regions": "North:B23+B24;East:B8"}
    search = build_page_search(state)
    assert search == "?to=2015&regions=North:B23%2BB24;East:B8&age_bands=18-64,65%2B"
    assert parse_page_state(search) == state


def test_unknown_keys_and_blanks_are_dropped() -> None:
    assert parse_page_state("?from=2012&bogus=1&to=&elements=%20") == {"from": "2012"}
    assert parse_page_state("?from=2012&level=ward", keys=("from",)) == {"from": "2012"}


def test_a_control_change_writes_its_key_and_keeps_keys_no_control_owns() -> None:
    previous = {"level": "district", "from": "2012"}
    state = state_after_change(CONTROLS, ["year", "2012", "65+"], previous, "age_bands")
    assert state == {"level": "district", "from": "2012", "age_bands": "65+"}


def test_default_values_stay_out_of_the_url() -> None:
    state = state_after_change(CONTROLS, ["year", None, "all"], {}, "period_kind")
    assert state == {}  # "All" is the absence of the key
    assert PERIOD.value_from_state({}) == "year"
    assert BANDS.value_from_state({}) == "all"
    # An old link's list shows blank (the page says why); the next change drops it.
    assert BANDS.value_from_state({"age_bands": "18-64,65+"}) is None
    assert state_after_change(CONTROLS, ["fy", None, None], {"age_bands": "18-64,65+"}, "x") == {
        "period_kind": "fy"
    }


def test_a_new_period_kind_resets_the_range() -> None:
    state = state_after_change(CONTROLS, ["fy", "2012", "all"], {"from": "2012"}, "period_kind")
    assert state == {"period_kind": "fy"}


def test_the_shared_pickers_write_one_what_and_a_preset_or_single_period() -> None:
    from tests.test_dashboard_state import CHOICES

    controls = shared_filter_controls(CHOICES)
    keys = [c.key for c in controls]
    assert keys == ["period_kind", "period", "what", "age_bands", "client_groups"]
    values = ["year", "2011..2015", "theme:MIA5:Internal", "65+", "all"]
    state = state_after_change(controls, values, {"elements": "A,B"}, "what")
    assert state == {
        "from": "2011",
        "to": "2015",
        "themes": "MIA5",
        "provision": "Internal",
        "age_bands": "65+",
    }
    assert [c.value_from_state(state) for c in controls] == values
    # A new kind starts from its whole series; the period picker shows it.
    state = state_after_change(
        controls, ["fy", "2011..2015", "all", "all", "all"], state, "period_kind"
    )
    assert state == {"period_kind": "fy"}
    assert controls[1].value_from_state(state) == "2008/09..2015/16"


def test_page_ids_never_collide_between_pages() -> None:
    a, b = PageIds("commissioners"), PageIds("budget")
    assert a.url != b.url and a.control("from") != b.control("from")
    assert a.csv("provision") != b.csv("provision")
    # The audit log recognises an export by its type alone (dashboard.app.EXPORT_TYPES).
    assert a.csv("x")["type"] == "csv" and a.xlsx("x")["type"] == "xlsx"


def test_the_navigation_script_carries_exactly_the_shared_filter_keys() -> None:
    script = (PROJECT_ROOT / "assets" / "navigation.js").read_text(encoding="utf-8")
    block = re.search(r"SHARED_FILTER_KEYS = \[(.*?)\]", script, re.S)
    assert block is not None
    assert tuple(re.findall(r'"([a-z_]+)"', block.group(1))) == SHARED_FILTER_KEYS
