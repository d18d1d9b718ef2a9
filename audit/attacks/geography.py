"""Geographic differencing: areas minus areas nested inside them, overlapping regions, and an
area's agreements against the sum of its parts."""

from __future__ import annotations

from audit.attacks.common import additive_system, nested, random_subset, random_year, take_turns
from audit.model import AttackRun, CellRef

NAME = "geography"
TITLE = "Geographic differencing"
METHOD = (
    "People: a district minus each postcode sector in it; a ward minus each sector's part inside "
    "the ward (level=sector&within=<ward>); overlapping regions of wards and of districts "
    "(A+B+C minus A+B and B+C, A+B minus A and B), each capped by the removed area's own cell. "
    "Agreements: a district against all its sectors, a ward against all its sector parts, solved "
    "exactly as one system of sums (the last part = total minus the others, and every other "
    "combination)."
)
#: Triples of areas per region query (3 regions each; the query layer allows 12 regions).
TRIPLES_PER_QUERY = 4
#: Wards whose sector parts are asked per instance (one query each).
WARDS_PER_INSTANCE = 8


def _base(run: AttackRun) -> dict[str, str]:
    """A random year and, half the time, a random provision or age-band restriction."""
    year = random_year(run)
    base = {"from": year, "to": year}
    ref = run.reference
    roll = run.rng.random()
    if roll < 0.25:
        base["provision"] = ",".join(random_subset(run, ref.provision_types, 1))
    elif roll < 0.5:
        base["age_bands"] = ",".join(random_subset(run, ref.age_bands, 1))
    return base


def _label(base: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in base.items())


def district_minus_sectors(run: AttackRun) -> None:
    base = _base(run)
    districts = run.counts("area_map", {**base, "level": "district"}, "people")
    sectors = run.counts("area_map", {**base, "level": "sector"}, "people")
    for code, sector in run.reference.areas["sector"].items():
        if sector.district:
            nested(
                run,
                districts,
                sectors,
                sector.district,
                code,
                f"district {sector.district} minus sector {code} ({_label(base)}): {{value}} "
                "people in the district have no agreement in that sector",
            )
    agreements = {**base, "measure": "agreements_active"}
    d_q, d_counts = run.counts("area_map", {**agreements, "level": "district"}, "value")
    s_q, s_counts = run.counts("area_map", {**agreements, "level": "sector"}, "value")
    by_district: dict[str, list[str]] = {}
    for code, sector in run.reference.areas["sector"].items():
        if sector.district:
            by_district.setdefault(sector.district, []).append(code)
    for district, codes in by_district.items():
        _sum_system(run, "district", district, (d_q, d_counts), (s_q, s_counts), codes, base)


def ward_minus_sector_parts(run: AttackRun) -> None:
    base = _base(run)
    wards_q, wards = run.counts("area_map", {**base, "level": "ward"}, "people")
    agreements = {**base, "measure": "agreements_active"}
    w_agreements = run.counts("area_map", {**agreements, "level": "ward"}, "value")
    codes = list(run.reference.areas["ward"])
    for ward in run.rng.sample(codes, min(WARDS_PER_INSTANCE, len(codes))):
        parts = run.counts("area_map", {**base, "level": "sector", "within": ward}, "people")
        for sector in parts[1]:
            nested(
                run,
                (wards_q, wards),
                parts,
                ward,
                sector,
                f"ward {ward} minus its part of sector {sector} ({_label(base)}): {{value}} "
                "people in the ward have no agreement in that sector",
            )
        part_agreements = run.counts(
            "area_map", {**agreements, "level": "sector", "within": ward}, "value"
        )
        _sum_system(
            run, "ward", ward, w_agreements, part_agreements, list(part_agreements[1]), base
        )


def _sum_system(
    run: AttackRun,
    level: str,
    area: str,
    total: tuple,
    parts: tuple,
    codes: list[str],
    base: dict[str, str],
) -> None:
    """Agreements: an area's total is the sum of its parts' (each agreement has one place)."""
    if not codes:
        return
    part_cells = [(CellRef("area_map", parts[0], c, "value"), parts[1].get(c, 0)) for c in codes]
    total_cell = (
        1,
        len(codes),
        CellRef("area_map", total[0], area, "value"),
        total[1].get(area, 0),
    )
    describe = {
        (i, i): f"{level} {area} ({_label(base)}): sector {c} holds exactly {{value}} agreements"
        for i, c in enumerate(codes, start=1)
    }
    additive_system(run, part_cells, [total_cell], describe)


def overlapping_regions(run: AttackRun) -> None:
    base = _base(run)
    kind = run.rng.choice(("ward", "district"))
    codes = list(run.reference.areas[kind])
    if len(codes) < 3:
        return
    singles = run.counts("area_map", {**base, "level": kind}, "people")
    triples = [tuple(run.rng.sample(codes, 3)) for _ in range(TRIPLES_PER_QUERY)]
    regions = []
    for t, (a, b, c) in enumerate(triples):
        regions += [f"T{t}AB:{a}+{b}", f"T{t}BC:{b}+{c}", f"T{t}ABC:{a}+{b}+{c}"]
    merged = run.counts(
        "area_map", {**base, "level": "region", "regions": ";".join(regions)}, "people"
    )
    for t, (a, b, c) in enumerate(triples):
        ab, bc, abc = f"T{t}AB", f"T{t}BC", f"T{t}ABC"
        where = f"{kind}s {a}, {b}, {c} ({_label(base)})"
        pairs = (
            (merged, abc, merged, ab, singles[1].get(c, 0), f"{{value}} people only in {c}"),
            (merged, abc, merged, bc, singles[1].get(a, 0), f"{{value}} people only in {a}"),
            (merged, ab, singles, a, singles[1].get(b, 0), f"{{value}} people in {b}, not {a}"),
            (merged, ab, singles, b, singles[1].get(a, 0), f"{{value}} people in {a}, not {b}"),
            (merged, bc, singles, b, singles[1].get(c, 0), f"{{value}} people in {c}, not {b}"),
            (merged, bc, singles, c, singles[1].get(b, 0), f"{{value}} people in {b}, not {c}"),
        )
        for outer, o_area, inner, i_area, cap, text in pairs:
            nested(run, outer, inner, o_area, i_area, f"{where}: {text}", cap=cap)


def attack(run: AttackRun) -> None:
    steps = (district_minus_sectors, ward_minus_sector_parts, overlapping_regions)
    take_turns(run, steps)
