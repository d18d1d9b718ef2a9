"""The filter controls on the publication catalogue: one value per filter, the grouped what
picker, preset ranges and what each level offers (pure functions, no browser, no database)."""

from __future__ import annotations

from dashboard import catalogue
from tests.test_dashboard_state import CHOICES


def test_the_what_picker_groups_every_member_with_codes_and_names() -> None:
    options = catalogue.what_options(CHOICES)
    assert options[0] == {"label": "All services", "value": "all"}
    headers = [o["label"] for o in options if o["value"].startswith("group:")]
    assert headers == [
        "-- Provision type --",
        "-- MIA theme --",
        "-- MIA theme x provision type --",
        "-- Service --",
        "-- Element --",
    ]
    assert all(o.get("disabled") for o in options if o["value"].startswith("group:"))
    labels = {o["value"]: o["label"] for o in options}
    # The plain name leads, the code follows (people read names; the code tells alike apart).
    assert labels["element:OAEHSGCO"] == "Older Adults External General Contracted (OAEHSGCO)"
    assert labels["service:OAHS"] == "Older Adults Home Support (OAHS)"
    assert labels["theme:MIA17:Internal"] == "MIA17 x Internal"
    for option in options[1:]:
        if not option["value"].startswith("group:"):
            params = catalogue.what_params(option["value"])
            assert catalogue.what_of(params) == option["value"]


def test_periods_are_single_periods_and_presets_of_years_and_financial_years() -> None:
    values = [o["value"] for o in catalogue.period_options(CHOICES, "year")]
    assert values[:3] == ["2009..2015", "2011..2015", "2013..2015"]
    assert values[3:] == [str(y) for y in range(2015, 2008, -1)]
    quarters = [o["value"] for o in catalogue.period_options(CHOICES, "quarter")]
    assert quarters[0] == "2009-Q1..2015-Q4" and quarters[1] == "2015-Q4"


def test_a_one_cell_view_shows_the_last_period_of_a_range_the_catalogue_lacks() -> None:
    params, notice = catalogue.one_cell_period({"from": "2010", "to": "2012"}, CHOICES)
    assert params == {"from": "2012", "to": "2012"} and "2012 only" in notice
    params, notice = catalogue.one_cell_period({"from": "2011", "to": "2015"}, CHOICES)
    assert params == {"from": "2011", "to": "2015"} and notice == ""
    every_quarter = {"period_kind": "quarter", "from": "2009-Q1", "to": "2015-Q4"}
    params, notice = catalogue.one_cell_period(every_quarter, CHOICES)
    assert params["from"] == params["to"] == "2015-Q4" and "one at a time" in notice
    # Without from / to a quarter request is the latest quarter (as the query layer reads it).
    assert catalogue.period_value({"period_kind": "quarter"}, CHOICES) == "2015-Q4"
    assert catalogue.period_value({"period_kind": "fy"}, CHOICES) == "2008/09..2015/16"


def test_a_list_or_a_free_region_is_refused_naming_the_field() -> None:
    field, message = catalogue.list_problem({"age_bands": "0-17,18-64"})
    assert field == "age_bands" and message.startswith("age_bands: one age band at a time")
    assert catalogue.list_problem({"elements": "A,B"})[0] == "elements"
    assert catalogue.list_problem({"regions": "North:B16"})[0] == "regions"
    assert catalogue.list_problem({"services": "OAHS", "elements": "X"}) is not None
    assert catalogue.list_problem({"themes": "MIA5", "provision": "Internal"}) is None


def test_controls_offer_only_what_the_level_publishes() -> None:
    # Postcode sectors carry one breakdown: with an age band chosen, no service can be added.
    state = {"age_bands": "65+"}
    allowed = catalogue.allowed_values("what", ["all", "theme:MIA3"], state, ["sector"])
    assert allowed == {"all"}
    assert catalogue.allowed_values("what", ["all", "theme:MIA3"], state, ["ward"]) == {
        "all",
        "theme:MIA3",
    }
    # Quarters are not published for sectors or hexagons.
    kinds = catalogue.allowed_values("period_kind", ["year", "fy", "quarter"], {}, ["sector"])
    assert kinds == {"year", "fy"}
    # H3 res. 8 has no service or element breakdown.
    assert catalogue.cell_problem("h3r8", {"services": "OAHS"})
    assert "one breakdown" in catalogue.level_rule_text("sector")
