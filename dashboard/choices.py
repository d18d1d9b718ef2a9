"""The values each filter control offers, taken from the query layer's reference tables.

Offering exactly the values parse_filters accepts means a control can never produce a URL the
query layer (or the API) would reject.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from care_atlas.reference import load_element_catalogue, load_mia_targets
from layers.style import name_and_code

#: Period kinds in the order the filter bar offers them.
PERIOD_KINDS: tuple[str, ...] = ("year", "fy", "quarter")

if TYPE_CHECKING:
    from queries.reference import Reference

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegionSet:
    """One of the council's region sets, fixed at build time (PRIVACY.md v2 §2)."""

    set_id: str
    name: str
    kind: str  # the member level: "district" or "ward"
    #: region area code ("nes/North") -> (region name, member codes)
    regions: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Choices:
    periods: dict[str, list[str]]
    age_bands: list[str]
    elements: list[tuple[str, str]]
    services: list[tuple[str, str]]
    themes: list[str]
    provision: list[str]
    client_groups: list[str]
    area_names: dict[str, dict[str, str]] = field(default_factory=dict)
    theme_names: dict[str, str] = field(default_factory=dict)
    region_sets: dict[str, RegionSet] = field(default_factory=dict)
    ethnic_groups: list[str] = field(default_factory=list)

    def name_of(self, level: str, code: str) -> str | None:
        return self.area_names.get(level, {}).get(code)

    def element_label(self, code: str | None) -> str:
        """An element as people read it: "Home Support, 65 Plus (OAHSUP)"."""
        return name_and_code(dict(self.elements).get(code or ""), code)

    def element_options(self) -> list[tuple[str, str]]:
        """(code, label) of every element, in the order of their names."""
        return _by_label([(c, name_and_code(d, c)) for c, d in self.elements])

    def service_options(self) -> list[tuple[str, str]]:
        """(code, label) of every service, in the order of their names."""
        return _by_label([(c, name_and_code(d, c)) for c, d in self.services])


def _by_label(options: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(options, key=lambda option: option[1].casefold())


def _service_names() -> dict[str, str]:
    """Service descriptions from the shipped catalogue (the serving DB keys services by code)."""
    catalogue = load_element_catalogue()
    return dict(zip(catalogue["service_code"], catalogue["service_description"], strict=True))


def _theme_names() -> dict[str, str]:
    targets = load_mia_targets()
    return dict(zip(targets["theme"], targets["theme_name"], strict=False))


def load_region_sets(db: Any) -> dict[str, RegionSet]:
    """The council's region sets and their members from the served reference tables
    (``region_sets``, ``region_members``, ``areas`` at level region). Reference data only: no
    number is read. Empty when the database has none."""
    if db is None:
        return {}
    try:
        sets = db.query("SELECT set_id, set_name, kind FROM region_sets ORDER BY set_id")
        members = db.query(
            "SELECT m.area_code, m.member_level, m.member_code, a.area_name "
            "FROM region_members m LEFT JOIN areas a "
            "ON a.level = 'region' AND a.area_code = m.area_code "
            "ORDER BY m.area_code, m.member_code"
        )
    except Exception:  # a database built before region sets
        log.warning("no region sets in the serving database")
        return {}
    out: dict[str, RegionSet] = {}
    for set_id, set_name, kind in sets.itertuples(index=False):
        regions: dict[str, tuple[str, tuple[str, ...]]] = {}
        prefix = f"{set_id}/"
        for code, rows in members[members["area_code"].str.startswith(prefix)].groupby(
            "area_code", sort=False
        ):
            name = rows["area_name"].iloc[0] or code.removeprefix(prefix)
            regions[code] = (str(name), tuple(str(m) for m in rows["member_code"]))
        out[str(set_id)] = RegionSet(str(set_id), str(set_name), str(kind), regions)
    return out


def shown_area_names(reference: Reference) -> dict[str, dict[str, str]]:
    """Level -> code -> the name people read. Postcode districts and sectors have no names of
    their own (the reference gives their code), so they take the name of the ward holding
    most of their postcodes ("B31" reads "Northfield"), which the reference tables give."""
    wards = {code: area.name for code, area in reference.areas.get("ward", {}).items()}
    out: dict[str, dict[str, str]] = {}
    for level, areas in reference.areas.items():
        names = {}
        for code, area in areas.items():
            name = area.name
            if level in ("district", "sector") and name in ("", code):
                name = wards.get(area.parent_ward_code or "", name)
            names[code] = name
        out[level] = names
    return out


def choices_from_reference(reference: Reference, db: Any = None) -> Choices:
    """Build the control options from a ``queries.Reference`` (and the region sets of ``db``)."""
    service_names = _service_names()
    return Choices(
        periods={k: list(reference.periods[k]) for k in PERIOD_KINDS if k in reference.periods},
        age_bands=list(reference.age_bands),
        elements=[(code, e.description) for code, e in reference.elements.items()],
        services=[(code, service_names.get(code, "")) for code in reference.services],
        themes=list(reference.themes),
        provision=list(reference.provision_types),
        client_groups=list(reference.client_groups),
        area_names=shown_area_names(reference),
        theme_names=_theme_names(),
        region_sets=load_region_sets(db),
        ethnic_groups=list(reference.ethnic_groups),
    )
