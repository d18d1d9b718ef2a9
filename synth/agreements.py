"""Draw clean agreements as numeric columns: people, their agreements, dates, places and costs.

Everything is vectorised over people and rows; the only loops are over segments and, rarely, a
top-up draw when filtering (start after the data date, age past the segment's limit) left a
segment short of its row count.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from care_atlas.vocab import CLIENT_GROUPS, ETHNICITIES, GENDERS
from synth.geography import Geography
from synth.model import (
    COST_SIGMA,
    DATA_DATE,
    DURATION_SIGMA,
    ENABLEMENT_EXCESS_DAYS,
    ENABLEMENT_OVER_42,
    SEQUENTIAL_DURATION_SIGMA,
    YEARS,
    Segment,
)

EPOCH = np.datetime64("1970-01-01", "D")
DATA_DAY = int((DATA_DATE - EPOCH).astype(int))
_YEAR_START = np.array(
    [(np.datetime64(f"{y}-01-01", "D") - EPOCH).astype(int) for y in YEARS], dtype=np.int64
)
_YEAR_DAYS = np.array([366 if y % 4 == 0 else 365 for y in YEARS], dtype=np.int64)


@dataclass(frozen=True)
class Catalogue:
    """The element catalogue as arrays indexed by element position."""

    codes: tuple[str, ...]
    descriptions: tuple[str, ...]
    service_codes: tuple[str, ...]
    service_descriptions: tuple[str, ...]
    weekly_cost: np.ndarray
    weeks: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Catalogue:
        return cls(
            codes=tuple(frame["element_code"]),
            descriptions=tuple(frame["element_description"]),
            service_codes=tuple(frame["service_code"]),
            service_descriptions=tuple(frame["service_description"]),
            weekly_cost=frame["typical_weekly_cost"].to_numpy(float),
            weeks=frame["typical_weeks"].to_numpy(float),
        )

    def index(self, code: str) -> int:
        return self.codes.index(code)


@dataclass
class Agreements:
    """Clean agreements, one entry per row; ``person`` is local to the chunk."""

    person: np.ndarray
    dob: np.ndarray  # days since 1970-01-01
    start: np.ndarray
    end: np.ndarray  # last day active; meaningless where ``open``
    open: np.ndarray
    element: np.ndarray  # catalogue index
    postcode: np.ndarray  # index into Geography.postcodes
    gender: np.ndarray
    ethnicity: np.ndarray
    client_group: np.ndarray
    cost_pence: np.ndarray

    def __len__(self) -> int:
        return len(self.person)

    def take(self, index: np.ndarray | slice) -> Agreements:
        return Agreements(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @staticmethod
    def concat(parts: list[Agreements]) -> Agreements:
        """Join parts, renumbering people so each part's people stay distinct."""
        offset, people = 0, []
        for part in parts:
            people.append(part.person + offset)
            offset += int(part.person.max()) + 1 if len(part) else 0
        joined = {
            f.name: np.concatenate([getattr(p, f.name) for p in parts])
            for f in fields(Agreements)
            if f.name != "person"
        }
        return Agreements(person=np.concatenate(people), **joined)


def generate_segment(
    rng: np.random.Generator, segment: Segment, rows: int, geo: Geography, cat: Catalogue
) -> Agreements:
    """Exactly ``rows`` clean agreements of one segment (the last person may be cut short)."""
    parts: list[Agreements] = []
    have = 0
    while have < rows:
        people = int((rows - have) / segment.mean_agreements * 1.3) + 16
        part = _draw_people(rng, segment, people, geo, cat)
        parts.append(part)
        have += len(part)
    return Agreements.concat(parts).take(slice(0, rows))


def _draw_people(
    rng: np.random.Generator, segment: Segment, n: int, geo: Geography, cat: Catalogue
) -> Agreements:
    counts = 1 + rng.poisson(segment.mean_agreements - 1, n)
    entry = _entry_days(rng, segment.years, n)
    pieces = np.array(segment.entry_ages, dtype=float)
    piece = rng.choice(len(pieces), n, p=pieces[:, 2] / pieces[:, 2].sum())
    age_years = pieces[piece, 0] + (pieces[piece, 1] - pieces[piece, 0]) * rng.random(n)
    dob = entry - np.maximum(1, np.round(age_years * 365.25)).astype(np.int64)
    postcode = geo.sample(rng, segment.name, n)
    gender = _choose(rng, n, dict(zip(GENDERS, segment.gender, strict=True)), GENDERS)
    ethnicity = _choose(rng, n, dict(zip(ETHNICITIES, segment.ethnicity, strict=True)), ETHNICITIES)
    client = _choose(rng, n, segment.client_groups, CLIENT_GROUPS)

    person = np.repeat(np.arange(n, dtype=np.int64), counts)
    total = len(person)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    position = np.arange(total) - np.repeat(first, counts)

    codes = list(segment.elements)
    weights = np.array([segment.elements[c] for c in codes])
    element_ids = np.array([cat.index(c) for c in codes], dtype=np.int16)
    element = element_ids[rng.choice(len(codes), total, p=weights / weights.sum())]
    _place_home_support(rng, element, postcode[person], geo, cat)

    duration = _durations(rng, element, cat, segment.pattern == "sequential")
    if segment.pattern == "sequential":
        gaps = np.roll(duration, 1) + rng.integers(0, int(segment.gap_days) + 1, total)
    else:
        gaps = rng.exponential(segment.gap_days, total).astype(np.int64)
    gaps[position == 0] = 0
    running = np.cumsum(gaps)
    start = entry[person] + running - np.repeat(running[first], counts)
    end = start + duration - 1
    age_at_start = (start - dob[person]) / 365.25
    keep = (start <= DATA_DAY) & (age_at_start < segment.max_age)

    typical = cat.weekly_cost[element]
    cost = typical * rng.lognormal(-(COST_SIGMA**2) / 2, COST_SIGMA, total)
    cost_pence = np.clip(np.round(cost * 100), 500, 2_000_000).astype(np.int64)
    rows = Agreements(
        person=person,
        dob=dob[person],
        start=start,
        end=end,
        open=end > DATA_DAY,
        element=element,
        postcode=postcode[person],
        gender=gender[person],
        ethnicity=ethnicity[person],
        client_group=client[person],
        cost_pence=cost_pence,
    )
    return rows.take(keep)


def _entry_days(rng: np.random.Generator, year_weights: np.ndarray, n: int) -> np.ndarray:
    """First-agreement days, stratified over time so small groups keep a smooth trend.

    Each person takes one of n equal slices of the cumulative year weights (in random order)
    and a uniform point inside it; the point maps to a year and a day within that year.
    """
    cdf = np.concatenate([[0.0], np.cumsum(year_weights / year_weights.sum())])
    u = (rng.permutation(n) + rng.random(n)) / n
    year = np.clip(np.searchsorted(cdf, u, side="right") - 1, 0, len(year_weights) - 1)
    within = (u - cdf[year]) / (cdf[year + 1] - cdf[year])
    return _YEAR_START[year] + (within * _YEAR_DAYS[year]).astype(np.int64)


def _choose(
    rng: np.random.Generator, n: int, weights: dict[str, float], vocabulary: tuple[str, ...]
) -> np.ndarray:
    p = np.array([weights.get(v, 0.0) for v in vocabulary], dtype=float)
    return rng.choice(len(vocabulary), n, p=p / p.sum()).astype(np.int8)


def _place_home_support(
    rng: np.random.Generator,
    element: np.ndarray,
    postcode: np.ndarray,
    geo: Geography,
    cat: Catalogue,
) -> None:
    """Split OA home support between OAEHSGCO and HSSU65PL by district (the outer ring)."""
    external, plus = cat.index("OAEHSGCO"), cat.index("HSSU65PL")
    home = (element == external) | (element == plus)
    if not home.any():
        return
    p = geo.oa_external_share[geo.district_of[postcode[home]]]
    element[home] = np.where(rng.random(int(home.sum())) < p, external, plus)


def _durations(
    rng: np.random.Generator, element: np.ndarray, cat: Catalogue, sequential: bool
) -> np.ndarray:
    """Days each agreement lasts (inclusive of its first and last day)."""
    sigma = SEQUENTIAL_DURATION_SIGMA if sequential else DURATION_SIGMA
    mean_days = cat.weeks[element] * 7
    days = mean_days * rng.lognormal(-(sigma**2) / 2, sigma, len(element))
    days = np.maximum(1, np.round(days)).astype(np.int64)
    for code, share in ENABLEMENT_OVER_42.items():
        rows = np.flatnonzero(element == cat.index(code))
        if not len(rows):
            continue
        long = rng.random(len(rows)) < share
        within = rng.integers(7, 43, len(rows))
        beyond = 43 + rng.exponential(ENABLEMENT_EXCESS_DAYS, len(rows)).astype(np.int64)
        days[rows] = np.where(long, beyond, within)
    return days
