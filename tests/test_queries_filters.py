"""A request names at most one value per dimension, checked against the catalogue before any
cell is read; anything else is a FilterError naming the field (HTTP 400 in the API)."""

from __future__ import annotations

import pytest

from queries import FilterError, parse_filters
from queries.catalogue import LEVEL_RULES, check_cell, cross_sets


def _error(ref, params) -> FilterError:
    with pytest.raises(FilterError) as info:
        parse_filters(params, ref)
    return info.value


def test_defaults_are_the_whole_series_by_ward(queries_db):
    ref = queries_db.reference
    f = parse_filters({}, ref)
    assert (f.period_kind, f.level, f.measure, f.what) == ("year", "ward", "people", "all")
    assert (f.period_from, f.period_to) == (ref.periods["year"][0], ref.periods["year"][-1])
    assert f.period in ref.period_members["year"]


def test_round_trip_through_params(queries_db):
    ref = queries_db.reference
    params = {
        "period_kind": "fy",
        "from": ref.periods["fy"][-3],
        "to": ref.periods["fy"][-1],
        "level": "region",
        "region_set": "nes",
        "themes": "MIA5",
        "genders": "Female",
        "measure": "rate_per_1000",
        "top_n": "5",
    }
    f = parse_filters(params, ref)
    assert f.what == "theme:MIA5"
    assert parse_filters(f.to_params(), ref) == f


def test_a_themes_part_is_the_member_the_build_publishes(queries_db):
    ref = queries_db.reference
    params = {"themes": "MIA5", "provision": "Internal", "level": "region", "region_set": "nes"}
    f = parse_filters(params, ref)
    assert f.what == "theme:MIA5:Internal"
    assert parse_filters(f.to_params(), ref) == f


def test_todays_one_value_parameters_still_work(queries_db):
    f = parse_filters({"elements": "OAEHSGCO", "age_bands": "65+"}, queries_db.reference)
    assert (f.what, f.age_band) == ("element:OAEHSGCO", "65+")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"elements": "OAEHSGCO,HSSU65PL"}, "elements"),
        ({"age_bands": "65+,0-10"}, "age_bands"),
        ({"client_groups": ["Physical Support", "Social Support"]}, "client_groups"),
        ({"areas": "B1,B2", "level": "district"}, "areas"),
        ({"regions": "North:B1+B2"}, "regions"),
        ({"level": "region", "regions": "North:B16"}, "regions"),
        ({"elements": "OAEHSGCO", "themes": "MIA3"}, "themes"),
        ({"level": "nowhere"}, "level"),
        ({"region_set": "nes"}, "region_set"),
        ({"level": "region", "region_set": "other"}, "region_set"),
        ({"period_kind": "quarter", "level": "sector"}, "period_kind"),
        ({"level": "ward", "genders": "Female"}, "genders"),
        ({"level": "sector", "elements": "OAEHSGCO", "age_bands": "65+"}, "elements"),
        ({"level": "h3r8", "elements": "OAEHSGCO"}, "elements"),
        ({"level": "city", "genders": "Female", "elements": "OAEHSGCO"}, "genders"),
        ({"level": "city", "genders": "Female", "ethnic_groups": "Asian"}, "ethnic_groups"),
        ({"measure": "everything"}, "measure"),
        ({"top_n": "500"}, "top_n"),
        ({"surprise": "1"}, "surprise"),
    ],
)
def test_lists_unknown_values_and_disallowed_combinations_name_the_field(queries_db, params, field):
    assert _error(queries_db.reference, params).field == field


def test_free_form_regions_are_refused_with_the_region_sets_allowed(queries_db):
    error = _error(queries_db.reference, {"regions": "North:B16+B18"})
    assert "region_set" in error.message
    assert error.allowed == ["nes"]


def test_a_free_period_range_is_not_one_published_cell(queries_db):
    from queries import run_view

    ref = queries_db.reference
    years = ref.periods["year"]
    f = parse_filters({"from": years[2], "to": years[5], "level": "district"}, ref)
    with pytest.raises(FilterError) as info:
        run_view(queries_db, "area_map", f)
    assert info.value.field == "to"
    assert any(".." in a for a in info.value.allowed)
    # ...but a view that shows each period on its own takes any range.
    assert len(run_view(queries_db, "matrix", f).rows) > 0


def test_region_level_defaults_to_the_first_region_set(queries_db):
    f = parse_filters({"level": "region"}, queries_db.reference)
    assert f.region_set == "nes"


def test_field_exclusion_follows_area_size():
    for level, rule in LEVEL_RULES.items():
        for kind in rule.period_kinds:
            for cross in cross_sets(level, kind):
                assert cross.core_count <= rule.max_core_for(kind)
    check_cell("ward", "year", False, "element:X", {"age_band": "65+"})
    with pytest.raises(ValueError):
        check_cell("ward", "quarter", False, "element:X", {"age_band": "65+"})
    with pytest.raises(ValueError):
        check_cell("sector", "year", True, "service:S", {"client_group": "C"})
    with pytest.raises(ValueError):
        check_cell("ward", "year", False, "all", {"gender": "Female"})
