"""The publication catalogue: every cell Care Atlas can ever publish, declared once.

PRIVACY.md §1-§2 (version 2). A cell is one value of each dimension (geography level and
area, period, what, age band, client group, gender, ethnic group; "all" where not broken
down) and carries every measure. The build computes exactly the cells allowed here
(:func:`cross_sets`), the query layer refuses any request outside it (:func:`check_cell`),
the API publishes it as data (:func:`catalogue_json`), the dashboard's controls list its
members and the audit attacks the relations it allows. Which areas, elements and periods
exist comes from the reference tables; what may combine with what is declared here only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: Stored in the served database's meta; bump when a rule below changes.
VERSION = "2.0"

ALL = "all"

# Protection rules (PRIVACY.md §3-§5), applied by the build (ingest/sql/120_cells.sql) to the
# true values of every cell and read by the query layer for what it derives.
#: True counts 1..COUNT_THRESHOLD-1 are suppressed; nothing under it is ever published.
COUNT_THRESHOLD = 10
#: The soft edge: a true count just over the threshold is also [c] for this share of cell keys
#: (the noise ptable takes it under the threshold, care_atlas/ptables.py). With a hard edge a
#: [c] meant "at most 9" for certain, and a [c] cell whose relations all said "about 12" was
#: pinned at 9 (posterior 0.9 and over for 49 cells at 20,000 agreements, audit/README.md); with
#: these shares a [c] may be 10..14 and the attacker's belief spreads over them.
SUPPRESSED_BAND_SHARES: dict[int, float] = {10: 0.5, 11: 0.4, 12: 0.3, 13: 0.2, 14: 0.1}
#: Money is suppressed where the two largest people's costs reach this share of the total.
DOMINANCE_SHARE = 0.85
#: Rates and shares are [u] (low reliability) where the published numerator is under this.
LOW_RELIABILITY_BELOW = 20

#: The breakdown dimensions (each "all" or one member), in cell key order.
BREAKDOWNS: tuple[str, ...] = ("what", "age_band", "client_group", "gender", "ethnic_group")
#: The breakdowns field exclusion counts (PRIVACY.md §2): what, age band, client group.
CORE_BREAKDOWNS: tuple[str, ...] = ("what", "age_band", "client_group")
#: Person attributes published only at coarse levels, one at a time, never with an element.
DEMOGRAPHIC_BREAKDOWNS: tuple[str, ...] = ("gender", "ethnic_group")
#: The cell key: geography, period, then the breakdowns.
KEY_COLUMNS: tuple[str, ...] = ("level", "area_code", "period_kind", "period", *BREAKDOWNS)

#: The fixed "what" groups: kind -> the element attributes its member is made of. A member is
#: written "<prefix>:<value>[:<value>]" (e.g. "element:OAEHSGCO"; a theme's part by provision
#: type is "theme:MIA17:Internal"), or "all".
WHAT_KINDS: dict[str, tuple[str, ...]] = {
    "all": (),
    "provision": ("provision_type",),
    "theme": ("mia_theme",),
    "theme_provision": ("mia_theme", "provision_type"),
    "service": ("service_code",),
    "element": ("element_code",),
}
#: What kinds that may be crossed with gender or ethnic group (never a service or element).
DEMOGRAPHIC_WHAT_KINDS: tuple[str, ...] = ("all", "provision", "theme", "theme_provision")

PERIOD_KINDS: tuple[str, ...] = ("year", "fy", "quarter")
#: Preset ranges (PRIVACY.md §2: no free range): name -> (label, number of latest periods,
#: None for the whole series). Quarters have none: a quarter range is a year range's people.
PRESET_RANGES: dict[str, tuple[str, int | None]] = {
    "all": ("Whole series", None),
    "last5": ("Last 5", 5),
    "last3": ("Last 3", 3),
}
RANGE_PERIOD_KINDS: tuple[str, ...] = ("year", "fy")
RANGE_SEPARATOR = ".."


@dataclass(frozen=True)
class LevelRule:
    """What one geography level may carry (field exclusion by area size, PRIVACY.md §2)."""

    level: str
    label: str
    #: At most this many of what / age band / client group other than "all".
    max_core: int
    what_kinds: tuple[str, ...]
    #: Gender or ethnic group, one at a time, with no other breakdown but a coarse what.
    demographics: bool
    period_kinds: tuple[str, ...]
    #: Whether viewers (not only analysts) may read it (PRIVACY.md §6: ward and coarser).
    viewer: bool

    def max_core_for(self, period_kind: str) -> int:
        """Quarters carry one breakdown fewer than years (a quarter's cells are a quarter the
        size: at 20k agreements 96% of ward x quarter cells with two breakdowns were [c])."""
        return self.max_core - 1 if period_kind == "quarter" else self.max_core


_ALL_WHAT = tuple(WHAT_KINDS)
LEVEL_RULES: dict[str, LevelRule] = {
    rule.level: rule
    for rule in (
        LevelRule("city", "Whole city", 3, _ALL_WHAT, True, PERIOD_KINDS, True),
        LevelRule("region", "Region", 2, _ALL_WHAT, True, PERIOD_KINDS, True),
        LevelRule("district", "Postcode district", 2, _ALL_WHAT, True, PERIOD_KINDS, True),
        LevelRule("ward", "Ward", 2, _ALL_WHAT, False, PERIOD_KINDS, True),
        LevelRule("sector", "Postcode sector", 1, _ALL_WHAT, False, RANGE_PERIOD_KINDS, False),
        LevelRule("h3r7", "Hexagon (H3 res. 7)", 1, _ALL_WHAT, False, RANGE_PERIOD_KINDS, False),
        LevelRule(
            "h3r8",
            "Hexagon (H3 res. 8)",
            1,
            ("all", "provision", "theme", "theme_provision"),
            False,
            RANGE_PERIOD_KINDS,
            False,
        ),
    )
}
LEVELS: tuple[str, ...] = tuple(LEVEL_RULES)


@dataclass(frozen=True)
class Measure:
    """A published measure: every cell carries it (a cell with no row is [c] in each)."""

    name: str
    label: str
    kind: str  # "count" or "money"
    unit: str
    definition: str


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure(
            "people",
            "People",
            "count",
            "people",
            "Distinct people with at least one agreement active in the period(s).",
        ),
        Measure(
            "agreements_active",
            "Agreements active",
            "count",
            "agreements",
            "Agreements active at any time in the period(s): start <= period end and (no end "
            "or end >= period start).",
        ),
        Measure(
            "agreements_started",
            "Agreements started",
            "count",
            "agreements",
            "Agreements whose start date falls in the period(s).",
        ),
        Measure(
            "people_over_6w",
            "People in enablement beyond 6 weeks",
            "count",
            "people",
            "Distinct people with an MIA17 enablement agreement lasting more than 42 days, "
            "active in the period(s).",
        ),
        Measure(
            "cost",
            "Cost in period",
            "money",
            "£",
            "Weekly cost x weeks each agreement is active inside the period(s) (DHSC CLD "
            "method); agreements without a cost are left out.",
        ),
        Measure(
            "cost_beyond_42",
            "Cost of enablement beyond 6 weeks",
            "money",
            "£",
            "Weekly cost x weeks of MIA17 enablement past each agreement's 42nd day, inside "
            "the period(s).",
        ),
    )
}
COUNT_MEASURES: tuple[str, ...] = tuple(m for m, v in MEASURES.items() if v.kind == "count")
MONEY_MEASURES: tuple[str, ...] = tuple(m for m, v in MEASURES.items() if v.kind == "money")


@dataclass(frozen=True)
class CrossSet:
    """One grouping set of the build: a what kind and the other breakdowns it is crossed with."""

    what_kind: str
    age_band: bool = False
    client_group: bool = False
    demographic: str | None = None  # "gender" or "ethnic_group"

    @property
    def core_count(self) -> int:
        return (self.what_kind != "all") + self.age_band + self.client_group


class CatalogueError(ValueError):
    """A cell outside the catalogue: names the field, says why, lists what is allowed."""

    def __init__(self, field: str, message: str, allowed: Sequence[str] | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.allowed = list(allowed) if allowed is not None else None


def cross_sets(level: str, period_kind: str = "year") -> tuple[CrossSet, ...]:
    """Every combination of breakdowns the level may publish for a period kind (the build's
    grouping sets)."""
    rule = LEVEL_RULES[level]
    out: list[CrossSet] = []
    for what_kind in rule.what_kinds:
        for age in (False, True):
            for client in (False, True):
                cross = CrossSet(what_kind, age, client)
                if cross.core_count <= rule.max_core_for(period_kind):
                    out.append(cross)
    if rule.demographics:
        for demographic in DEMOGRAPHIC_BREAKDOWNS:
            for what_kind in DEMOGRAPHIC_WHAT_KINDS:
                if what_kind in rule.what_kinds:
                    out.append(CrossSet(what_kind, demographic=demographic))
    return tuple(out)


def _prefix(kind: str) -> str:
    """The member prefix of a what kind: a theme's part is written under its theme."""
    return "theme" if kind == "theme_provision" else kind


def what_kind(member: str) -> str:
    """The kind of a what member ("all", "element", ...); CatalogueError if malformed."""
    parts = member.split(":")
    kind = "theme_provision" if parts[0] == "theme" and len(parts) == 3 else parts[0]
    if (
        kind not in WHAT_KINDS
        or parts[0] != _prefix(kind)
        or len(parts) != len(WHAT_KINDS[kind]) + 1
    ):
        raise CatalogueError("what", f"{member!r} is not a what member", list(WHAT_KINDS))
    return kind


def what_member(kind: str, *values: str) -> str:
    """The member code of a what kind and its attribute values ("theme", "MIA17")."""
    if len(values) != len(WHAT_KINDS[kind]):
        raise ValueError(f"{kind} takes {len(WHAT_KINDS[kind])} values")
    return ":".join((_prefix(kind), *values)) if values else ALL


def cross_of(what: str, breakdowns: Mapping[str, str]) -> CrossSet:
    """The cross set a cell belongs to, from its what member and its other breakdowns."""
    demographics = [d for d in DEMOGRAPHIC_BREAKDOWNS if breakdowns.get(d, ALL) != ALL]
    if len(demographics) > 1:
        raise CatalogueError(
            demographics[1], "gender and ethnic group cannot be broken down together"
        )
    return CrossSet(
        what_kind(what),
        breakdowns.get("age_band", ALL) != ALL,
        breakdowns.get("client_group", ALL) != ALL,
        demographics[0] if demographics else None,
    )


def check_cell(
    level: str,
    period_kind: str,
    is_range: bool,
    what: str,
    breakdowns: Mapping[str, str],
) -> None:
    """Raise CatalogueError (naming the field) unless the catalogue publishes such a cell."""
    if level not in LEVEL_RULES:
        raise CatalogueError("level", f"{level!r} is not a level", LEVELS)
    rule = LEVEL_RULES[level]
    if period_kind not in rule.period_kinds:
        raise CatalogueError(
            "period_kind", f"{period_kind!r} is not published at {rule.label}", rule.period_kinds
        )
    if is_range and period_kind not in RANGE_PERIOD_KINDS:
        raise CatalogueError("to", f"{period_kind} periods are published one at a time")
    cross = cross_of(what, breakdowns)
    if cross.what_kind not in rule.what_kinds:
        raise CatalogueError(
            "what", f"{cross.what_kind} is not published at {rule.label}", rule.what_kinds
        )
    if cross.demographic is not None:
        if not rule.demographics:
            raise CatalogueError(
                cross.demographic,
                f"gender and ethnic group are published only at {', '.join(demographic_levels())}",
            )
        if cross.what_kind not in DEMOGRAPHIC_WHAT_KINDS or cross.core_count > (
            cross.what_kind != "all"
        ):
            raise CatalogueError(
                cross.demographic,
                "gender and ethnic group are published only for all services, a provision "
                "type or an MIA theme, with no age band or client group",
            )
        return
    if cross.core_count > rule.max_core_for(period_kind):
        raise CatalogueError(
            "what",
            f"{rule.label} carries at most {rule.max_core_for(period_kind)} of service / age "
            f"band / client group at once for {period_kind} periods (small areas and short "
            "periods carry fewer breakdowns)",
        )


def demographic_levels() -> tuple[str, ...]:
    return tuple(level for level, rule in LEVEL_RULES.items() if rule.demographics)


def viewer_levels() -> tuple[str, ...]:
    return tuple(level for level, rule in LEVEL_RULES.items() if rule.viewer)


def range_member(first: str, last: str) -> str:
    """The period member of a range ("2011..2015"); a single period is its own label."""
    return first if first == last else f"{first}{RANGE_SEPARATOR}{last}"


def preset_ranges(periods: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Preset name -> (first, last) period over a kind's ordered periods; each range has at
    least two periods (a one-period preset is that period), duplicates dropped."""
    out: dict[str, tuple[str, str]] = {}
    seen: set[tuple[str, str]] = set()
    for name, (_label, count) in PRESET_RANGES.items():
        chosen = list(periods) if count is None else list(periods)[-count:]
        if len(chosen) < 2 or (chosen[0], chosen[-1]) in seen:
            continue
        seen.add((chosen[0], chosen[-1]))
        out[name] = (chosen[0], chosen[-1])
    return out


def catalogue_json(
    members: Mapping[str, Iterable[str]] | None = None,
    period_members: Mapping[str, Iterable[str]] | None = None,
) -> dict:
    """The catalogue as data (GET /api/v1/catalogue): for each measure, where it exists."""
    levels = {
        level: {
            "label": rule.label,
            "period_kinds": list(rule.period_kinds),
            "preset_ranges": [k for k in rule.period_kinds if k in RANGE_PERIOD_KINDS],
            "what_kinds": list(rule.what_kinds),
            "max_breakdowns_of_what_age_band_client_group": {
                kind: rule.max_core_for(kind) for kind in rule.period_kinds
            },
            "gender_and_ethnic_group": rule.demographics,
            "viewer": rule.viewer,
            "breakdown_sets": [
                {
                    "what": cross.what_kind,
                    "age_band": cross.age_band,
                    "client_group": cross.client_group,
                    "demographic": cross.demographic,
                }
                for cross in cross_sets(level, "year")
            ],
        }
        for level, rule in LEVEL_RULES.items()
    }
    out: dict = {
        "version": VERSION,
        "rules": (
            "One value per dimension, or all. Field exclusion by area size: the finer the area, "
            "the fewer of what / age band / client group it carries at once. Gender and ethnic "
            "group only at city, region and district, one at a time, never with a service or "
            "element. Periods: single periods, plus preset ranges of years and financial years."
        ),
        "suppression": (
            f"[c]: a true count under {COUNT_THRESHOLD} (zero included), or one of "
            f"{min(SUPPRESSED_BAND_SHARES)} to {max(SUPPRESSED_BAND_SHARES)} for a share of "
            "cells chosen by the cell key; money where its people count is [c] or one or two "
            "people dominate it."
        ),
        "measures": {
            name: {
                "label": m.label,
                "kind": m.kind,
                "unit": m.unit,
                "definition": m.definition,
                "levels": list(LEVELS),
            }
            for name, m in MEASURES.items()
        },
        "levels": levels,
        "preset_ranges": {k: label for k, (label, _n) in PRESET_RANGES.items()},
    }
    if members is not None:
        out["members"] = {k: list(v) for k, v in members.items()}
    if period_members is not None:
        out["periods"] = {k: list(v) for k, v in period_members.items()}
    return out
