"""Averaging: the same cell asked many times and in many equivalent ways.

With consistent (cell key) perturbation every way of asking for the same people must publish
the same value; then intersecting what each answer allows gains the attacker nothing. Any way
that publishes a different value for the same people is an averaging opportunity, and is
counted as an inconsistency even when it recovers nothing yet.
"""

from __future__ import annotations

from audit.attacks.common import random_year, take_turns
from audit.model import AttackRun, CellRef
from audit.publisher import Params

NAME = "averaging"
TITLE = "Averaging (the same cell, many ways)"
METHOD = (
    "For a random year, each area's people count is asked again and again: the map twice, the "
    "matrix, the map with measure cost and rate (people column), with every element / service "
    "/ provision type / age band listed explicitly, with every area listed, sectors through "
    "their district (within=), and districts or wards as one-member regions. The attacker "
    "intersects the true counts every answer allows."
)
MAX_REGIONS = 12


def _ways(run: AttackRun, level: str, year: str) -> list[tuple[str, dict[str, str], str, bool]]:
    """(view, params, column, fresh) for the ways of asking this level's cells."""
    ref = run.reference
    base = {"level": level, "from": year, "to": year}
    return [
        ("area_map", base, "people", False),
        ("area_map", base, "people", True),
        ("matrix", base, "value", False),
        ("area_map", {**base, "measure": "cost"}, "people", False),
        ("area_map", {**base, "measure": "rate_per_1000"}, "people", False),
        ("area_map", {**base, "elements": ",".join(ref.elements)}, "people", False),
        ("area_map", {**base, "services": ",".join(ref.services)}, "people", False),
        ("area_map", {**base, "provision": ",".join(ref.provision_types)}, "people", False),
        ("area_map", {**base, "age_bands": ",".join(ref.age_bands)}, "people", False),
        ("area_map", {**base, "areas": ",".join(ref.areas[level])}, "people", False),
    ]


def _regional_ways(run: AttackRun, level: str, year: str) -> list[tuple[str, CellRef, int | None]]:
    """Each district (or ward) asked as a one-member region: (area, cell, published)."""
    codes = list(run.reference.areas[level])
    out = []
    for start in range(0, len(codes), MAX_REGIONS):
        chunk = codes[start : start + MAX_REGIONS]
        regions = ";".join(f"R{i}:{c}" for i, c in enumerate(chunk))
        q, counts = run.counts(
            "area_map", {"level": "region", "regions": regions, "from": year, "to": year}, "people"
        )
        for i, code in enumerate(chunk):
            out.append((code, CellRef("area_map", q, f"R{i}", "people"), counts.get(f"R{i}", 0)))
    return out


def _within_ways(
    run: AttackRun, year: str, districts: list[str]
) -> dict[str, tuple[Params, int | None]]:
    """Sectors asked through their district: sector -> (query, published)."""
    out: dict[str, tuple[Params, int | None]] = {}
    for district in districts:
        q, counts = run.counts(
            "area_map", {"level": "sector", "within": district, "from": year, "to": year}, "people"
        )
        for sector, value in counts.items():
            if run.reference.areas["sector"].get(sector) and (
                run.reference.areas["sector"][sector].district == district
            ):
                out[sector] = (q, value)
    return out


def _average(run: AttackRun, level: str) -> None:
    year = random_year(run)
    answers: dict[str, list[tuple[CellRef, int | None]]] = {}
    for view, params, column, fresh in _ways(run, level, year):
        q, counts = run.counts(view, params, column, fresh=fresh)
        for area, value in counts.items():
            answers.setdefault(area, []).append((CellRef(view, q, area, column), value))
    if level in ("district", "ward"):
        for area, cell, value in _regional_ways(run, level, year):
            answers.setdefault(area, []).append((cell, value))
    if level == "sector":
        districts = sorted(
            {a.district for a in run.reference.areas["sector"].values() if a.district}
        )
        chosen = run.rng.sample(districts, min(4, len(districts)))
        for sector, (q, value) in _within_ways(run, year, chosen).items():
            answers.setdefault(sector, []).append((CellRef("area_map", q, sector, "people"), value))
    for area, got in answers.items():
        values = {v for _, v in got}
        if len(values) > 1:
            run.result.inconsistent += 1
        possible: set[int] | None = None
        for _, v in got:
            allowed = run.knowledge.possible_frozen(v)
            possible = set(allowed) if possible is None else possible & allowed
        run.result.pairs += max(len(got) - 1, 1)
        run.judge(
            possible or set(),
            ((1, got[0][0]),),
            f"{level} {area}, {year}: asked {len(got)} ways, exactly {{value}} people",
        )


def attack(run: AttackRun) -> None:
    steps = [lambda r, lv=level: _average(r, lv) for level in ("sector", "ward", "district")]
    take_turns(run, steps)
