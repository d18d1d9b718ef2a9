"""Profiles of every area of a level side by side: people by age band and by ethnic group in
each area, and each one's share of the area's published total.

The directors' page shows the profile of each region of a council region set
(``level=region&region_set=<set id>``); this view is that card, so the API serves what it
draws. Each area's rows are the same published cells as the ``demographics`` view of that area
alone, all read in one lookup: every area x (all, each age band) x (all, each ethnic group).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from queries.catalogue import ALL
from queries.cells import area_names, grid, lookup_for, shown_areas
from queries.database import Database, plain_frame
from queries.derived import profile_columns
from queries.detail_views import DEMOGRAPHIC_COLUMNS
from queries.filters import FilterError, Filters, check, check_member
from queries.result import Column, ProtectedResult
from queries.viewkit import meta

#: Each profile's dimension -> the request parameter that would set it.
PROFILE_DIMENSIONS: dict[str, str] = {"age_band": "age_bands", "ethnic_group": "ethnic_groups"}
AGE_FILTER_NOTE = (
    "The age profile covers every age band: the age band filter applies to the ethnicity "
    "profile only."
)
TOTALS_NOTE = (
    "Each area's shares are of its own published total (a cell of its own), as the "
    "demographics view of that area alone gives them."
)
WARD_SET_NOTE = (
    "Ethnicity is published for regions of whole postcode districts: this set is made of wards, "
    "so its ethnicity profile is not shown [z]."
)
COLUMNS: tuple[Column, ...] = (
    Column("area_code", "area"),
    Column("area_name", "area"),
    *DEMOGRAPHIC_COLUMNS,
)


def _categories(db: Database, dimension: str) -> tuple[str, ...]:
    ref = db.reference
    return ref.age_bands if dimension == "age_band" else ref.ethnic_groups


def _profile(
    db: Database,
    f: Filters,
    cells: Mapping[str, Any],
    dimension: str,
    rows: np.ndarray,
    totals: np.ndarray,
) -> dict[str, Any]:
    """One dimension's rows of the grid (`rows`, area by area) with each area's total (the row
    at `totals`): published people per category and its share of the published total."""
    people, denominator = cells["people"][rows], cells["people"][totals]
    codes = cells["area_code"][rows]
    return {
        "area_code": codes,
        "area_name": area_names(db, f.level, codes),
        **profile_columns(dimension, cells[dimension][rows], people, denominator),
    }


def _no_ethnicity(db: Database, f: Filters) -> str:
    """Why the ethnicity profile is not shown for f ("" when it is): a set of wards, or a
    selection the catalogue does not publish by ethnic group (its own message)."""
    if f.level == "region" and db.reference.region_set_kinds.get(f.region_set or "") == "ward":
        return WARD_SET_NOTE
    try:
        check(f, ethnic_group=_categories(db, "ethnic_group")[0])
    except FilterError as exc:
        return f"The ethnicity profile is not published here [z]: {exc.message}."
    return ""


def area_profiles(db: Database, f: Filters) -> ProtectedResult:
    """Each area's people by age band and by ethnic group, with each one's share of the area's
    published total: at level=region, the regions of one council region set side by side."""
    for dimension, param in PROFILE_DIMENSIONS.items():
        if dimension != "age_band" and getattr(f, dimension) != ALL:
            raise FilterError(param, "is a profile's own dimension: leave it at all (no value)")
    check_member(f, db.reference)
    areas = shown_areas(db, f)
    every_age = replace(f, age_band=ALL)  # a profile of one age band alone says nothing
    ages = _categories(db, "age_band")
    check(every_age, age_band=ages[0])
    notes = [TOTALS_NOTE]
    if f.age_band != ALL:
        notes.append(AGE_FILTER_NOTE)
    withheld = _no_ethnicity(db, f)
    if withheld:
        notes.append(withheld)
    ethnic_groups = () if withheld else _categories(db, "ethnic_group")
    # One lookup: areas x (all, each age band) x (all, each ethnic group). The age profile is
    # every age band of all ethnic groups, the ethnicity profile every ethnic group of the
    # chosen age band; each area's total is the row of both at all.
    lookup = lookup_for(
        f,
        areas=tuple(areas),
        age_bands=(ALL, *ages),
        ethnic_groups=(ALL, *ethnic_groups),
    )
    cells = grid(db, lookup, ("area_code", "age_band", "ethnic_group"))
    at = np.arange(len(cells["people"])).reshape(len(areas), len(ages) + 1, len(ethnic_groups) + 1)
    totals = np.repeat(at[:, 0, 0], len(ages))
    parts = [_profile(db, f, cells, "age_band", at[:, 1:, 0].ravel(), totals)]
    if not withheld:
        band = 0 if f.age_band == ALL else 1 + ages.index(f.age_band)
        rows, totals = at[:, band, 1:].ravel(), np.repeat(at[:, band, 0], len(ethnic_groups))
        parts.append(_profile(db, f, cells, "ethnic_group", rows, totals))
    rows = pd.concat([plain_frame(p) for p in parts], ignore_index=True)
    title = f"Age and ethnicity profile of each {f.level}"
    m = meta(db, "area_profiles", f, title, measure="people")
    m["denominator"] = "each area's published total people (a cell of its own)"
    m["ethnicity_withheld"] = withheld
    m["notes"] = [*m["notes"], *notes]
    return ProtectedResult(list(COLUMNS), rows, m)
