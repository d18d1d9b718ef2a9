"""The generator's calibration: who receives which elements, when, where and at what cost.

Every number that shapes the synthetic extract lives here, so tuning one shape of DOMAIN.md §6
means editing one table. People are drawn in *segments* (older adults, children, transport
users, ...); a segment fixes the age range, the elements its agreements use, how many
agreements a person has and how they follow one another in time. A segment's share of rows is
the sum of its element weights, so the element weights below are percentages of all rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: The extract's data date: nothing clean starts or ends after it.
DATA_DATE = np.datetime64("2015-12-31", "D")
FIRST_YEAR = 2001
LAST_YEAR = 2015
YEARS = np.arange(FIRST_YEAR, LAST_YEAR + 1)

#: Regions the thesis compares (T:1612-1617) and the "outer ring" of Table 9.
NORTH = ("B16", "B18", "B19", "B20", "B21")
EAST = ("B9", "B10", "B25", "B26", "B33")
SOUTH = ("B13", "B14", "B30", "B31")

#: OAEHSGCO : HSSU65PL agreements in the outer-ring districts (Table 9, T:1556-1563; B26 and
#: B75 pulled just inside the 1.7-2.5 range the thesis quotes). Elsewhere the ratio is solved so
#: the city as a whole shows 72,860 : 55,199 (T:1540-1541).
OUTER_RING_RATIO: dict[str, float] = {
    "B23": 2.2,
    "B24": 1.95,
    "B26": 1.78,
    "B42": 2.05,
    "B75": 2.4,
}
CITY_RATIO = 72_860 / 55_199
#: Outside the outer ring each district's ratio varies by up to this factor around the base.
RATIO_SPREAD = 0.12

#: Service activity per resident by district, relative to 1 (deprivation drives demand, not
#: population alone: I:176). Calibrated so the South's yearly spend is about 25% above the
#: North's and the East's (T:1849) although the South has twice their older population.
DISTRICT_ACTIVITY: dict[str, float] = {
    **dict.fromkeys(NORTH, 1.35),
    **dict.fromkeys(EAST, 1.08),
    **dict.fromkeys(SOUTH, 1.0),
}


def _year_weights(values: dict[int, float]) -> np.ndarray:
    return np.array([values[int(y)] for y in YEARS], dtype=float)


#: Entry (first agreement) by year: sparse early CareFirst years, densest 2009-2015 (T:1273).
GENERAL_YEARS = _year_weights(
    {
        2001: 0.22,
        2002: 0.26,
        2003: 0.3,
        2004: 0.34,
        2005: 0.4,
        2006: 0.46,
        2007: 0.54,
        2008: 0.66,
        2009: 1.0,
        2010: 1.08,
        2011: 1.12,
        2012: 1.16,
        2013: 1.22,
        2014: 1.32,
        2015: 1.55,
    }
)
#: Transport entries peak before 2010 and fall after it (MIA3 records, users and cost all fall
#: over 2010-2015, T:1785).
TRANSPORT_YEARS = _year_weights(
    {
        2001: 0.5,
        2002: 0.58,
        2003: 0.67,
        2004: 0.77,
        2005: 0.88,
        2006: 1.0,
        2007: 0.97,
        2008: 0.93,
        2009: 0.89,
        2010: 0.85,
        2011: 0.81,
        2012: 0.77,
        2013: 0.73,
        2014: 0.69,
        2015: 0.65,
    }
)
#: Children's respite users grow slowly (98 in Q1 2010, 108 in Q1 2015, T:1585).
RESPITE_YEARS = 1.0 + 0.008 * (YEARS - 2010)

# Ethnicity profiles in the order of care_atlas.vocab.ETHNICITIES (Birmingham, Census 2021,
# shifted older or younger; "Not known" last).
ETHNICITY_OLDER = (
    1.5, 0.5, 6.0, 7.0, 1.0, 1.0, 7.0, 0.5, 0.3, 0.1, 0.6, 0.3, 64.0, 4.0, 0.1, 0.1, 2.5, 0.4,
    0.6, 2.5,
)  # fmt: skip
ETHNICITY_ADULT = (
    3.5, 1.2, 6.0, 15.0, 3.8, 4.2, 4.2, 2.0, 1.0, 0.4, 2.0, 1.0, 43.0, 1.5, 0.1, 0.2, 4.0, 1.4,
    2.5, 3.0,
)  # fmt: skip
ETHNICITY_YOUNG = (
    5.0, 1.0, 5.0, 24.0, 4.0, 5.5, 2.5, 3.0, 1.8, 0.8, 3.5, 1.8, 30.0, 0.6, 0.2, 0.4, 4.0, 1.9,
    2.0, 3.0,
)  # fmt: skip


@dataclass(frozen=True)
class Segment:
    """A kind of person: the elements their agreements use and how those agreements unfold.

    ``elements`` maps element code to percent of all rows. ``entry_ages`` are (from, to, weight)
    pieces of age in years at the first agreement. ``pattern`` is "overlap" (starts spaced by
    exponential gaps, agreements may run side by side) or "sequential" (each starts when the
    previous ends: renewed placements). ``population`` names the ward population column that
    weights where these people live.
    """

    name: str
    elements: dict[str, float]
    entry_ages: tuple[tuple[float, float, float], ...]
    max_age: float
    years: np.ndarray
    mean_agreements: float
    pattern: str
    gap_days: float
    population: tuple[str, ...]
    gender: tuple[float, float, float]  # Female, Male, Not known
    ethnicity: tuple[float, ...]
    client_groups: dict[str, float]
    notes: str = field(default="")

    @property
    def share(self) -> float:
        return sum(self.elements.values())


SEGMENTS: tuple[Segment, ...] = (
    Segment(
        name="older_adults",
        elements={
            "OAEHSGCO": 33.89,
            "HSSU65PL": 25.67,
            "OAIHSENB": 6.0,
            "OAICINT": 1.6,
            "OAIDCDAY": 1.5,
            "OAEDCDAY": 0.4,
            "OAERSNUR": 0.35,
            "OAERSRES": 0.45,
            "OAIRSCC": 0.7,
            "OAIRSRSP": 1.0,
            "OAEECARE": 0.2,
            "DIRADOA": 1.0,
        },
        # The OA elements reach people from 50 (early-onset needs): 65+ is 57.7% of agreements
        # although OAEHSGCO and HSSU65PL alone are 60% (T:1220-1226, T:1540).
        entry_ages=((48, 65, 0.225), (65, 75, 0.21), (75, 85, 0.345), (85, 97, 0.22)),
        max_age=104,
        years=GENERAL_YEARS,
        mean_agreements=3.2,
        pattern="overlap",
        gap_days=220,
        population=("age_65_plus",),
        gender=(0.63, 0.36, 0.01),
        ethnicity=ETHNICITY_OLDER,
        client_groups={
            "Physical Support": 0.56,
            "Sensory Support": 0.05,
            "Support with Memory and Cognition": 0.2,
            "Learning Disability Support": 0.02,
            "Mental Health Support": 0.05,
            "Social Support": 0.08,
            "Not known": 0.04,
        },
    ),
    Segment(
        name="children",
        elements={"CHIFOMST": 3.0, "CHEFODIS": 0.5, "CHEADOPS": 0.03, "DIRCWD": 1.5},
        entry_ages=((0, 11, 0.45), (11, 17, 0.55)),
        max_age=18,
        years=GENERAL_YEARS,
        mean_agreements=2.2,
        pattern="sequential",
        gap_days=30,
        population=("age_0_10", "age_11_24"),
        gender=(0.41, 0.58, 0.01),
        ethnicity=ETHNICITY_YOUNG,
        client_groups={
            "Children's Disability": 0.45,
            "Social Support": 0.45,
            "Learning Disability Support": 0.05,
            "Not known": 0.05,
        },
    ),
    Segment(
        name="children_respite",
        elements={"CHIRDRT": 1.2},
        # Recipients are aged 5 to 18 (T:1587); placements are renewed back to back.
        entry_ages=((5, 11, 0.55), (11, 15, 0.45)),
        max_age=18,
        years=RESPITE_YEARS,
        mean_agreements=6.0,
        pattern="sequential",
        gap_days=4,
        population=("age_0_10", "age_11_24"),
        gender=(0.38, 0.61, 0.01),
        ethnicity=ETHNICITY_YOUNG,
        client_groups={"Children's Disability": 0.9, "Learning Disability Support": 0.1},
    ),
    Segment(
        name="transport_children",
        elements={"CHITRSCH": 6.0, "CHETRSCH": 1.2, "CHETRESC": 0.3},
        entry_ages=((4, 11, 0.3), (11, 16, 0.7)),
        max_age=19,
        years=TRANSPORT_YEARS,
        mean_agreements=1.35,
        pattern="sequential",
        gap_days=40,
        population=("age_0_10", "age_11_24"),
        gender=(0.36, 0.63, 0.01),
        ethnicity=ETHNICITY_YOUNG,
        client_groups={
            "Children's Disability": 0.75,
            "Learning Disability Support": 0.2,
            "Physical Support": 0.05,
        },
    ),
    Segment(
        name="transport_adults",
        elements={"LDETRDAY": 0.6, "PDITRDAY": 1.0},
        entry_ages=((18, 25, 0.62), (25, 64, 0.38)),
        max_age=66,
        years=TRANSPORT_YEARS,
        mean_agreements=1.3,
        pattern="sequential",
        gap_days=40,
        population=("age_11_24", "age_25_64"),
        gender=(0.44, 0.55, 0.01),
        ethnicity=ETHNICITY_ADULT,
        client_groups={
            "Learning Disability Support": 0.6,
            "Physical Support": 0.35,
            "Sensory Support": 0.05,
        },
    ),
    Segment(
        name="learning_disability",
        elements={
            "LDIDCYA": 2.0,
            "LDEDCYA": 0.5,
            "LDIHSENB": 0.9,
            "LDIRSRSP": 1.7,
            "LDESHLIV": 0.1,
            "LDERSRES": 0.15,
            "LDEHSQDS": 0.25,
            "DIRADLD": 0.8,
        },
        entry_ages=((18, 25, 0.7), (25, 65, 0.29), (65, 75, 0.01)),
        max_age=80,
        years=GENERAL_YEARS,
        mean_agreements=2.6,
        pattern="overlap",
        gap_days=300,
        population=("age_11_24", "age_25_64"),
        gender=(0.42, 0.57, 0.01),
        ethnicity=ETHNICITY_ADULT,
        client_groups={
            "Learning Disability Support": 0.93,
            "Physical Support": 0.04,
            "Not known": 0.03,
        },
    ),
    Segment(
        name="physical_disability",
        elements={
            "PDIDCYA": 1.0,
            "PDEDCYA": 0.25,
            "PDIHSENB": 1.1,
            "PDEHSUPP": 0.3,
            "PDEEQADP": 0.03,
            "DIRADPD": 0.5,
        },
        entry_ages=((18, 25, 0.5), (25, 65, 0.44), (65, 75, 0.06)),
        max_age=80,
        years=GENERAL_YEARS,
        mean_agreements=2.2,
        pattern="overlap",
        gap_days=300,
        population=("age_11_24", "age_25_64"),
        gender=(0.5, 0.49, 0.01),
        ethnicity=ETHNICITY_ADULT,
        client_groups={"Physical Support": 0.85, "Sensory Support": 0.12, "Not known": 0.03},
    ),
    Segment(
        name="mental_health",
        elements={
            "MHEBLACT": 0.6,
            "MHEHSSUP": 0.2,
            "MHERSRES": 0.08,
            "MHEAPPRM": 0.02,
            "MHIDCDAY": 1.2,
        },
        entry_ages=((18, 25, 0.25), (25, 65, 0.68), (65, 80, 0.07)),
        max_age=85,
        years=GENERAL_YEARS,
        mean_agreements=2.0,
        pattern="overlap",
        gap_days=250,
        population=("age_25_64",),
        gender=(0.45, 0.54, 0.01),
        ethnicity=ETHNICITY_ADULT,
        client_groups={"Mental Health Support": 0.9, "Social Support": 0.07, "Not known": 0.03},
    ),
    Segment(
        name="substance_misuse",
        elements={"SMERSRHB": 0.05, "SMECOMSP": 0.1, "SMIDETOX": 0.06},
        entry_ages=((18, 25, 0.3), (25, 60, 0.7)),
        max_age=70,
        years=GENERAL_YEARS,
        mean_agreements=1.6,
        pattern="overlap",
        gap_days=200,
        population=("age_25_64",),
        gender=(0.28, 0.71, 0.01),
        ethnicity=ETHNICITY_ADULT,
        client_groups={"Social Support": 0.7, "Mental Health Support": 0.25, "Not known": 0.05},
    ),
)

#: Agreement length: log-normal around the catalogue's typical weeks with this spread.
DURATION_SIGMA = 0.6
#: Weekly cost: log-normal around the catalogue's typical cost with this spread.
COST_SIGMA = 0.3

#: Enablement (MIA17): most end within the 6-week window; this share of each element runs
#: past day 42 (about 1 in 5 overall, highest for LD: T:1826, T:1883) ...
ENABLEMENT_OVER_42: dict[str, float] = {"OAIHSENB": 0.185, "PDIHSENB": 0.23, "LDIHSENB": 0.36}
#: ... by an exponential number of days with this mean.
ENABLEMENT_EXCESS_DAYS = 54.0
#: Children's respite placements: renewed every ~26 weeks with small spread (T:1580-1589).
SEQUENTIAL_DURATION_SIGMA = 0.25
