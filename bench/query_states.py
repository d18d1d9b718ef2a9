"""The query benchmark's random requests: states drawn over the whole parameter space, kept
when they parse and the view accepts them, each with the cell lookups its view makes."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import queries.cells as cells_module
from queries import FilterError, parse_filters, run_view
from queries.catalogue import LEVELS, PERIOD_KINDS, RANGE_SEPARATOR
from queries.cells import Lookup
from queries.database import Database
from queries.filters import DIMENSIONS, VIEW_MEASURES, Filters
from queries.reference import Reference


def random_state(rng: random.Random, ref: Reference) -> dict[str, str]:
    """A random request over the whole parameter space; many are refused, and counted."""
    kind = rng.choice(PERIOD_KINDS)
    labels = ref.periods[kind]
    presets = [m for m in ref.period_members.get(kind, {}) if RANGE_SEPARATOR in m]
    draw = rng.random()
    if draw < 0.5 or len(labels) < 2:
        first = last = rng.choice(labels)
    elif draw < 0.8 and presets:
        first, last = rng.choice(presets).split(RANGE_SEPARATOR)
    else:
        i = rng.randrange(len(labels) - 1)
        first, last = labels[i], labels[rng.randrange(i + 1, min(len(labels), i + 8))]
    level = rng.choice(LEVELS)
    p = {"period_kind": kind, "from": first, "to": last, "level": level}
    region_set = None
    if level == "region":
        region_set = rng.choice(list(ref.region_sets))
        p["region_set"] = region_set
    areas = list(ref.level_areas(level, region_set))
    if level != "city" and rng.random() < 0.2:
        p["areas"] = rng.choice(areas)
    if level in ("sector", "h3r7", "h3r8") and rng.random() < 0.2:
        p["within"] = rng.choice(list(ref.areas["ward"]) + list(ref.areas["district"]))
    elements = list(ref.elements)
    draw = rng.random()
    if draw < 0.35:
        pass
    elif draw < 0.5:
        p["elements"] = rng.choice(elements)
    elif draw < 0.6:
        p["services"] = rng.choice(ref.services)
    elif draw < 0.75:
        p["themes"] = rng.choice(ref.themes)
    elif draw < 0.85:
        p["themes"], p["provision"] = rng.choice(ref.themes), rng.choice(ref.provision_types)
    else:
        p["provision"] = rng.choice(ref.provision_types)
    for param, chance in (
        ("age_bands", 0.25),
        ("client_groups", 0.2),
        ("genders", 0.1),
        ("ethnic_groups", 0.1),
    ):
        if rng.random() < chance:
            p[param] = rng.choice(getattr(ref, param))
    p["measure"] = rng.choice(VIEW_MEASURES)
    p["top_n"] = str(rng.choice((5, 10, 10, 20, 50)))
    p["element"] = rng.choice(elements)
    p["element_a"], p["element_b"] = rng.sample(elements, 2)
    p["dimension"] = rng.choice(DIMENSIONS)
    return p


@dataclass
class State:
    """One request of one view, the lookups it makes, and its times by system (ms)."""

    view: str
    params: dict[str, str]
    filters: Filters
    lookups: list[Lookup]
    times: dict[str, float] = field(default_factory=dict)


def record_lookups(db: Database, view: str, filters: Filters) -> list[Lookup]:
    """Run the view once with queries.cells.read wrapped: the lookups it makes."""
    recorded: list[Lookup] = []
    original = cells_module.read

    def recording(db_: Database, lookup: Lookup) -> dict:
        recorded.append(lookup)
        return original(db_, lookup)

    cells_module.read = recording
    try:
        run_view(db, view, filters)
    finally:
        cells_module.read = original
    return recorded


def draw_states(
    db: Database, views: list[str], n: int, seed: int
) -> tuple[dict[str, list[State]], dict[str, dict[str, int]]]:
    """n accepted states per view, and the refusals met on the way (by parse / by view)."""
    states: dict[str, list[State]] = {}
    refused: dict[str, dict[str, int]] = {}
    for view in views:
        rng = random.Random(f"{seed}-{view}")
        states[view], refused[view] = [], {"parse": 0, "view": 0, "view_what_member": 0}
        attempts = 0
        while len(states[view]) < n and attempts < 200 * n:
            attempts += 1
            params = random_state(rng, db.reference)
            try:
                f = parse_filters(params, db.reference)
            except FilterError:
                refused[view]["parse"] += 1
                continue
            try:
                lookups = record_lookups(db, view, f)
            except FilterError as exc:
                refused[view]["view"] += 1
                # the view built a member the catalogue cannot parse: a bug, not a refusal
                # the catalogue means (counted apart and printed)
                refused[view]["view_what_member"] += "is not a what member" in exc.message
                continue
            states[view].append(State(view, params, f, lookups))
    return states, refused
