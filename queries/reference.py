"""The catalogue's members in a served database, read once when it is opened: what a request
may name (periods and their part periods, areas, elements, breakdown members, region sets) and
the reference figures every page shows (population, Table 14). Nothing here is a protected
count: the reference tables hold no person (PRIVACY.md §1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from care_atlas.vocab import CLIENT_GROUPS, ETHNICITIES, GENDERS, ethnic_group
from queries.catalogue import LEVELS, RANGE_SEPARATOR
from queries.sqlfiles import sql_text


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    parent_ward_code: str | None
    district: str | None
    #: residents of every age (apportioned below ward level, so not a whole number)
    population: float | None


@dataclass(frozen=True)
class Element:
    code: str
    description: str
    service_code: str
    provision_type: str
    mia_theme: str | None


@dataclass(frozen=True)
class Target:
    """One row of Table 14 (£ million): a budget figure, reference data, not a protected count."""

    theme: str
    theme_name: str | None
    scope: str | None
    financial_year: str
    net_spend_2015_16_m: float | None
    saving_m: float | None


@dataclass
class Reference:
    """The catalogue's members in this database, read once: what a request may name."""

    periods: dict[str, tuple[str, ...]]
    period_dates: dict[tuple[str, str], tuple[str, str]]
    #: (kind, period) -> (first, last day the data covers) of each part period: one the data
    #: does not wholly cover (ingest/sql/070_periods.sql), not comparable with whole ones
    part_periods: dict[tuple[str, str], tuple[str, str]]
    #: kind -> period member (single period or preset range "a..b") -> label
    period_members: dict[str, dict[str, str]]
    #: level -> code -> Area (regions keyed "<set>/<name>")
    areas: dict[str, dict[str, Area]]
    elements: dict[str, Element]
    services: tuple[str, ...]
    service_names: dict[str, str]
    themes: tuple[str, ...]
    provision_types: tuple[str, ...]
    client_groups: tuple[str, ...]
    genders: tuple[str, ...]
    ethnic_groups: tuple[str, ...]
    age_bands: tuple[str, ...]
    #: set id -> set name
    region_sets: dict[str, str]
    #: set id -> the level its regions are unions of ("district" or "ward")
    region_set_kinds: dict[str, str]
    #: ward code or district -> level -> areas lying at least partly inside it
    area_parts: dict[str, dict[str, tuple[str, ...]]]
    #: (level, area code) -> age band -> residents
    band_populations: dict[tuple[str, str], dict[str, float | None]]
    #: Table 14, every theme in number order (static reference data: read once, not per request)
    mia_targets: tuple[Target, ...]

    @property
    def default_range(self) -> dict[str, tuple[str, str]]:
        """The whole series where a kind has it as a preset, else its latest period."""
        out = {}
        for kind, labels in self.periods.items():
            whole = f"{labels[0]}{RANGE_SEPARATOR}{labels[-1]}"
            out[kind] = (
                (labels[0], labels[-1])
                if whole in self.period_members.get(kind, {})
                else (labels[-1], labels[-1])
            )
        return out

    def level_areas(self, level: str, region_set: str | None = None) -> dict[str, Area]:
        """The areas of a level (a region set's regions only, at level region)."""
        areas = self.areas.get(level, {})
        if level == "region" and region_set is not None:
            prefix = f"{region_set}/"
            return {c: a for c, a in areas.items() if c.startswith(prefix)}
        return areas

    def parts_of(self, kind: str, first: str, last: str) -> dict[str, tuple[str, str]]:
        """The part periods of kind from first to last (a range's, or one period's)."""
        labels = self.periods.get(kind, ())
        if first not in labels or last not in labels:
            return {}
        inside = labels[labels.index(first) : labels.index(last) + 1]
        return {p: self.part_periods[(kind, p)] for p in inside if (kind, p) in self.part_periods}

    def city_code(self) -> str:
        return next(iter(self.areas["city"]))

    def targets(self, theme: str | None) -> tuple[Target, ...]:
        """Table 14's rows of one theme, or of every theme when None."""
        return tuple(t for t in self.mia_targets if theme is None or t.theme == theme)

    def to_json(self) -> dict[str, Any]:
        return {
            "periods": {k: list(v) for k, v in self.periods.items()},
            "period_members": {k: dict(v) for k, v in self.period_members.items()},
            "part_periods": {
                kind: {
                    p: {"data_from": a, "data_to": b}
                    for (k, p), (a, b) in self.part_periods.items()
                    if k == kind
                }
                for kind in self.periods
            },
            "areas": {
                level: [{"code": a.code, "name": a.name} for a in areas.values()]
                for level, areas in self.areas.items()
            },
            "region_sets": dict(self.region_sets),
            "elements": [
                {
                    "code": e.code,
                    "description": e.description,
                    "service_code": e.service_code,
                    "provision_type": e.provision_type,
                    "mia_theme": e.mia_theme,
                }
                for e in self.elements.values()
            ],
            "services": [{"code": s, "name": self.service_names[s]} for s in self.services],
            "themes": list(self.themes),
            "provision_types": list(self.provision_types),
            "client_groups": list(self.client_groups),
            "genders": list(self.genders),
            "ethnic_groups": list(self.ethnic_groups),
            "age_bands": list(self.age_bands),
        }


def _ordered(found: set[str], preferred: tuple[str, ...]) -> tuple[str, ...]:
    ordered = [v for v in preferred if v in found]
    return tuple(ordered + sorted(found - set(ordered)))


def _members(con: duckdb.DuckDBPyConnection, column: str) -> set[str]:
    """Members of a breakdown published anywhere (column names are constants here)."""
    rows = con.execute(f"SELECT DISTINCT {column} FROM cells WHERE {column} <> 'all'").fetchall()
    return {r[0] for r in rows}


def load_reference(con: duckdb.DuckDBPyConnection) -> Reference:
    periods: dict[str, tuple[str, ...]] = {}
    period_dates: dict[tuple[str, str], tuple[str, str]] = {}
    part_periods: dict[tuple[str, str], tuple[str, str]] = {}
    for kind, period, start, end, data_from, data_to in con.execute(
        "SELECT period_kind, period, start_date::VARCHAR, end_date::VARCHAR, "
        "data_from::VARCHAR, data_to::VARCHAR FROM periods ORDER BY period_kind, ordinal"
    ).fetchall():
        periods[kind] = (*periods.get(kind, ()), period)
        period_dates[(kind, period)] = (start, end)
        if (data_from, data_to) != (start, end):
            part_periods[(kind, period)] = (data_from, data_to)
    period_members: dict[str, dict[str, str]] = {}
    for kind, member, label in con.execute(
        "SELECT period_kind, period, label FROM period_members ORDER BY period_kind, position"
    ).fetchall():
        period_members.setdefault(kind, {})[member] = label
    areas: dict[str, dict[str, Area]] = {level: {} for level in LEVELS}
    for level, code, name, ward, district, pop in con.execute(
        "SELECT level, area_code, area_name, parent_ward_code, district, population FROM areas "
        "ORDER BY level, area_code"
    ).fetchall():
        if level in areas:
            areas[level][code] = Area(
                code, name or code, ward, district, None if pop is None else float(pop)
            )
    elements = {
        r[0]: Element(r[0], r[1] or r[0], r[2], r[3], r[4])
        for r in con.execute(
            "SELECT element_code, element_description, service_code, provision_type, mia_theme "
            "FROM elements ORDER BY element_code"
        ).fetchall()
    }
    service_names = dict(
        con.execute(
            "SELECT service_code, any_value(service_description) FROM elements GROUP BY 1 "
            "ORDER BY 1"
        ).fetchall()
    )
    parts: dict[str, dict[str, tuple[str, ...]]] = {}
    for container, level, code in con.execute(
        "SELECT container, level, area_code FROM area_parts ORDER BY ALL"
    ).fetchall():
        levels = parts.setdefault(container, {})
        levels[level] = (*levels.get(level, ()), code)
    bands: dict[tuple[str, str], dict[str, float | None]] = {}
    for level, code, band, pop in con.execute(
        "SELECT level, area_code, age_band, population FROM area_population"
    ).fetchall():
        bands.setdefault((level, code), {})[band] = pop
    ethnic_groups = tuple(dict.fromkeys(ethnic_group(e) for e in ETHNICITIES))
    return Reference(
        periods=periods,
        period_dates=period_dates,
        part_periods=part_periods,
        period_members=period_members,
        areas=areas,
        elements=elements,
        services=tuple(service_names),
        service_names=service_names,
        themes=tuple(sorted({e.mia_theme for e in elements.values() if e.mia_theme})),
        provision_types=tuple(dict.fromkeys(e.provision_type for e in elements.values())),
        client_groups=_ordered(_members(con, "client_group"), CLIENT_GROUPS),
        genders=_ordered(_members(con, "gender"), GENDERS),
        ethnic_groups=_ordered(_members(con, "ethnic_group"), ethnic_groups),
        age_bands=tuple(
            r[0] for r in con.execute("SELECT age_band FROM age_bands ORDER BY ordinal").fetchall()
        ),
        region_sets=dict(
            con.execute("SELECT set_id, set_name FROM region_sets ORDER BY set_id").fetchall()
        ),
        region_set_kinds=dict(
            con.execute("SELECT set_id, kind FROM region_sets ORDER BY set_id").fetchall()
        ),
        area_parts=parts,
        band_populations=bands,
        mia_targets=tuple(
            Target(*row) for row in con.execute(sql_text("mia_targets.sql")).fetchall()
        ),
    )
