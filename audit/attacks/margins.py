"""Margins: totals minus published parts.

Agreements are additive (each agreement has one element, provision type, age band, gender,
ethnic group, client group and place), so a total's agreements are exactly the sum of its
parts': the attacker solves the total and all its parts as one system, which bounds the last
part by the total minus the others, and every part by every combination.
"""

from __future__ import annotations

from audit.attacks.common import AREA_LEVELS, additive_system, random_year, take_turns
from audit.model import AttackRun, CellRef

NAME = "margins"
TITLE = "Margins (totals minus published parts)"
METHOD = (
    "Agreements active in a random year, per area: the total and every part of one "
    "partition (provision type, age band, service, client group; gender and ethnic group at "
    "city and district level), and the city against its districts. Solved exactly as sums: "
    "each part is bounded by the total minus all the other parts."
)
PARTITIONS: tuple[tuple[str, str], ...] = (
    ("provision", "provision_types"),
    ("age_bands", "age_bands"),
    ("services", "services"),
    ("client_groups", "client_groups"),
    ("genders", "genders"),
    ("ethnic_groups", "ethnic_groups"),
)
COARSE_ONLY = ("genders", "ethnic_groups")


def by_category(run: AttackRun) -> None:
    name, vocab_attr = run.rng.choice(PARTITIONS)
    levels = ("city", "district") if name in COARSE_ONLY else ("city", *AREA_LEVELS)
    level, year = run.rng.choice(levels), random_year(run)
    base = {"level": level, "from": year, "to": year, "measure": "agreements_active"}
    categories = list(getattr(run.reference, vocab_attr))
    total_q, totals = run.counts("area_map", base, "value")
    parts = [run.counts("area_map", {**base, name: c}, "value") for c in categories]
    for area, total in totals.items():
        cells = [
            (CellRef("area_map", q, area, "value"), counts.get(area, 0)) for q, counts in parts
        ]
        describe = {
            (i, i): f"{level} {area}, {year}: exactly {{value}} agreements with {name}={c}"
            for i, c in enumerate(categories, start=1)
        }
        total_cell = (1, len(categories), CellRef("area_map", total_q, area, "value"), total)
        additive_system(run, cells, [total_cell], describe)


def city_by_district(run: AttackRun) -> None:
    year = random_year(run)
    base = {"from": year, "to": year, "measure": "agreements_active"}
    city_q, city = run.counts("area_map", {**base, "level": "city"}, "value")
    d_q, districts = run.counts("area_map", {**base, "level": "district"}, "value")
    codes = list(districts)
    if not codes or not city:
        return
    cells = [(CellRef("area_map", d_q, c, "value"), districts[c]) for c in codes]
    (city_area, city_value), *_ = city.items()
    total = (1, len(codes), CellRef("area_map", city_q, city_area, "value"), city_value)
    describe = {
        (i, i): f"district {c}, {year}: exactly {{value}} agreements (city minus other districts)"
        for i, c in enumerate(codes, start=1)
    }
    additive_system(run, cells, [total], describe)


def attack(run: AttackRun) -> None:
    take_turns(run, (by_category, by_category, by_category, city_by_district))
