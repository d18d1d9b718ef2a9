"""Filters are validated against the reference tables before any SQL runs."""

from __future__ import annotations

import pytest

from queries import FilterError, parse_filters
from queries.filters import MAX_LIST_ITEMS


def _error(ref, params) -> FilterError:
    with pytest.raises(FilterError) as info:
        parse_filters(params, ref)
    return info.value


def test_defaults(queries_db):
    f = parse_filters({}, queries_db.reference)
    assert (f.period_kind, f.level, f.measure) == ("year", "ward", "people")
    assert (f.period_from, f.period_to) == ("2009", "2015")


def test_round_trip_through_params(queries_db):
    ref = queries_db.reference
    params = {
        "period_kind": "fy",
        "from": "2010/11",
        "to": "2013/14",
        "level": "region",
        "regions": "North:B1+B2;East:B5",
        "age_bands": "65+,0-10",
        "provision": "Internal",
        "genders": "Female",
        "measure": "rate_per_1000",
        "top_n": "5",
    }
    f = parse_filters(params, ref)
    assert f.age_bands == ("0-10", "65+")  # canonical order
    assert parse_filters(f.to_params(), ref) == f


@pytest.mark.parametrize(
    "params,field",
    [
        ({"period_kind": "month"}, "period_kind"),
        ({"from": "1999"}, "from"),
        ({"from": "2014", "to": "2010"}, "to"),
        ({"level": "county"}, "level"),
        ({"level": "sector", "areas": "B1 1,ZZ9 9"}, "areas"),
        ({"elements": "NOPE"}, "elements"),
        ({"themes": "MIA99"}, "themes"),
        ({"provision": "internal"}, "provision"),
        ({"measure": "income"}, "measure"),
        ({"top_n": "0"}, "top_n"),
        ({"top_n": "ten"}, "top_n"),
        ({"top_n": "51"}, "top_n"),
        ({"genders": "Female"}, "genders"),
        ({"level": "sector", "ethnic_groups": "Asian"}, "ethnic_groups"),
        ({"level": "ward", "dimension": "gender"}, "dimension"),
        ({"level": "region"}, "regions"),
        ({"level": "region", "regions": "North:B1+XX"}, "regions"),
        ({"level": "region", "regions": "no colon"}, "regions"),
        ({"level": "ward", "regions": "N:B1"}, "regions"),
        ({"level": "ward", "within": "B1"}, "within"),
        ({"level": "sector", "within": "nowhere"}, "within"),
        ({"colour": "red"}, "colour"),
        ({"element": "'; DROP TABLE facts; --"}, "element"),
        ({"measure": ["people", 3]}, "measure"),
        ({"measure": 5}, "measure"),
    ],
)
def test_bad_values_name_the_field(queries_db, params, field):
    err = _error(queries_db.reference, params)
    assert err.field == field
    assert err.message


def test_errors_list_allowed_values(queries_db):
    err = _error(queries_db.reference, {"measure": "income"})
    assert "people" in err.allowed and "internal_share" in err.allowed
    err = _error(queries_db.reference, {"genders": "Female"})
    assert err.allowed == ["city", "district", "region"]


def test_oversized_lists_are_refused(queries_db):
    ref = queries_db.reference
    too_many = ",".join(["B1"] * (MAX_LIST_ITEMS + 1))
    assert _error(ref, {"level": "district", "areas": too_many}).field == "areas"
    assert _error(ref, {"elements": "x" * 30_000}).field == "elements"


def test_gender_and_ethnicity_allowed_at_coarse_levels(queries_db):
    ref = queries_db.reference
    for level in ("city", "district"):
        f = parse_filters({"level": level, "genders": "Male", "dimension": "ethnic_group"}, ref)
        assert f.genders == ("Male",)


def test_region_members_joined_by_a_url_decoded_plus_are_read(queries_db):
    """`regions=North:B1+B2` typed into a URL reaches Flask as "North:B1 B2"."""
    ref = queries_db.reference
    typed = parse_filters({"level": "region", "regions": "North:B1 B2;East:B5"}, ref)
    encoded = parse_filters({"level": "region", "regions": "North:B1+B2;East:B5"}, ref)
    assert typed == encoded
    assert typed.regions[0].members == ("B1", "B2")


def test_gender_and_ethnicity_are_refused_for_regions_made_of_wards(queries_db):
    ref = queries_db.reference
    by_district = {"level": "region", "regions": "North:B1+B2", "dimension": "ethnic_group"}
    assert parse_filters(by_district, ref).dimension == "ethnic_group"
    for key, value in (("dimension", "gender"), ("genders", "Female")):
        params = {"level": "region", "regions": "North:B1+E05990001", key: value}
        with pytest.raises(FilterError) as caught:
            parse_filters(params, ref)
        assert caught.value.field == key and "whole postcode districts" in caught.value.message
