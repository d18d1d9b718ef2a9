"""Where synthetic people live: real Birmingham unit postcodes, weighted by ward population.

Also holds the pools the mess planter draws bad postcodes from (non-geographic units inside
the city, real B-area units outside it), so every planted postcode is a real one whose verdict
a build can reproduce from the same geography folder.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from boundaries.sources import (
    GeographyError,
    read_area_postcodes,
    read_postcodes,
    read_ward_population,
)
from care_atlas.config import Settings
from care_atlas.errors import UserError
from synth.model import CITY_RATIO, DISTRICT_ACTIVITY, OUTER_RING_RATIO, RATIO_SPREAD, SEGMENTS

#: Districts that are not geography (mail centres, PO boxes).
NON_GEOGRAPHIC_DISTRICTS = ("B99",)


@dataclass(frozen=True)
class Geography:
    """Postcodes people may live at, with per-segment sampling CDFs and district lookups."""

    postcodes: pa.Array  # eligible unit postcodes, normal form "B23 6AB"
    district_of: np.ndarray  # district index per eligible postcode
    districts: tuple[str, ...]
    cdf: dict[str, np.ndarray]  # segment name -> cumulative weights over eligible postcodes
    oa_external_share: np.ndarray  # per district: P(OAEHSGCO | OAEHSGCO or HSSU65PL)
    non_geographic: pa.Array  # shared-multi-sector or B99 units inside the city
    outside_area: pa.Array  # real B-area units outside the city

    def sample(self, rng: np.random.Generator, segment: str, n: int) -> np.ndarray:
        cdf = self.cdf[segment]
        return np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right").astype(np.int32)


def load_geography(settings: Settings) -> Geography:
    try:
        units = read_postcodes(settings)
        area = read_area_postcodes(settings)
        population = read_ward_population(settings)
    except GeographyError as exc:
        raise UserError(str(exc)) from exc
    shared = units["shared_multi_sector"].astype(int) == 1
    non_geo = shared | units["district"].isin(NON_GEOGRAPHIC_DISTRICTS)
    eligible = units[~non_geo].sort_values("postcode").reset_index(drop=True)
    districts = tuple(sorted(eligible["district"].unique(), key=lambda d: (len(d), d)))
    district_index = {d: i for i, d in enumerate(districts)}
    district_of = eligible["district"].map(district_index).to_numpy(np.int32)

    per_ward = eligible.groupby("ward_code")["postcode"].transform("size").to_numpy(float)
    pop = population.set_index("ward_code")
    activity = eligible["district"].map(DISTRICT_ACTIVITY).fillna(1.0).to_numpy(float)
    cdf: dict[str, np.ndarray] = {}
    for segment in SEGMENTS:
        ward_pop = sum(
            eligible["ward_code"].map(pop[column]).fillna(0).to_numpy(float)
            for column in segment.population
        )
        cdf[segment.name] = np.cumsum(ward_pop / per_ward * activity)

    older = np.bincount(
        district_of, weights=np.diff(cdf["older_adults"], prepend=0.0), minlength=len(districts)
    )
    outside = area[(area["in_birmingham"].astype(int) == 0)]
    outside = outside[(outside["shared_multi_sector"].astype(int) == 0)]
    outside = outside[~outside["district"].isin(NON_GEOGRAPHIC_DISTRICTS)]
    return Geography(
        postcodes=pa.array(eligible["postcode"].to_numpy(str)),
        district_of=district_of,
        districts=districts,
        cdf=cdf,
        oa_external_share=_oa_external_share(districts, older / older.sum()),
        non_geographic=pa.array(sorted(units.loc[non_geo, "postcode"])),
        outside_area=pa.array(sorted(outside["postcode"])),
    )


def _oa_external_share(districts: tuple[str, ...], weight: np.ndarray) -> np.ndarray:
    """Per district P(OAEHSGCO) among the two OA home-support elements (the "outer ring").

    Outer-ring districts take their Table 9 ratio; every other district a base ratio times a
    fixed spread, the base solved by bisection so the city-wide ratio is 72,860 : 55,199.
    """
    spread = np.random.default_rng(20151231).uniform(-RATIO_SPREAD, RATIO_SPREAD, len(districts))
    fixed = np.array([OUTER_RING_RATIO.get(d, np.nan) for d in districts])
    target = CITY_RATIO / (1 + CITY_RATIO)

    def share(base: float) -> np.ndarray:
        ratio = np.where(np.isnan(fixed), base * (1 + spread), fixed)
        return ratio / (1 + ratio)

    low, high = 0.1, 10.0
    for _ in range(60):
        mid = (low + high) / 2
        if float(weight @ share(mid)) < target:
            low = mid
        else:
            high = mid
    return share((low + high) / 2)
