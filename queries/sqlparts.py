"""Assemble a view's SQL from the .sql files and a validated Filters, with its parameters.

Only identifiers chosen from the fixed maps below are placed into SQL text; every value a user
supplied is passed as a DuckDB $parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from queries.database import sql_text
from queries.filters import Filters

#: Level -> facts column holding the area code (constants, never user text).
AREA_COLUMNS: dict[str, str] = {
    "ward": "f.ward_code",
    "district": "f.district",
    "sector": "f.sector",
    "h3r7": "f.h3r7",
    "h3r8": "f.h3r8",
    "city": "'city'",
    "region": "r.region",
}
#: Filters field -> facts column it restricts.
LIST_FILTER_COLUMNS: dict[str, str] = {
    "areas": "",  # the level's own column, set per query
    "age_bands": "age_band",
    "elements": "element_code",
    "services": "service_code",
    "themes": "mia_theme",
    "provision": "provision_type",
    "client_groups": "client_group",
    "genders": "gender",
    "ethnic_groups": "ethnic_group",
}
DIMENSION_COLUMNS: dict[str, str] = {
    "age_band": "age_band",
    "gender": "gender",
    "ethnic_group": "ethnic_group",
}
REGION_JOIN = (
    "\nJOIN (SELECT unnest($region_names) AS region, unnest($region_members) AS member) r"
    "\n  ON r.member = f.district OR r.member = f.ward_code"
)


@cache
def _sql(name: str) -> str:
    return sql_text(name)


@dataclass
class Query:
    """SQL text plus its parameters, ready for Database.query."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)


def build_query(
    view_sql: str,
    filters: Filters,
    *,
    by_period: bool,
    by_area: bool = True,
    skip: tuple[str, ...] = (),
    extra: dict[str, str] | None = None,
    extra_params: dict[str, Any] | None = None,
) -> Query:
    """The view's SQL with the shared prefix `common` (base, pop, area_list, period_list).

    `skip` names Filters list fields the view applies itself (e.g. element_compare ignores the
    `elements` filter); `extra` fills view-specific placeholders from allow-listed constants.
    """
    f = filters
    params: dict[str, Any] = {
        "period_kind": f.period_kind,
        "period_from": f.period_from,
        "period_to": f.period_to,
    }
    conditions: list[str] = []
    for name, column in LIST_FILTER_COLUMNS.items():
        values = getattr(f, name)
        if name in skip or not values:
            continue
        if name == "areas":
            column = AREA_COLUMNS[f.level].removeprefix("f.")
        conditions.append(f"\n  AND f.{column} IN (SELECT unnest(${name}))")
        params[name] = list(values)
    if f.within:
        conditions.append("\n  AND (f.ward_code = $within OR f.district = $within)")
        params["within"] = f.within
    region_join = ""
    area_expr = AREA_COLUMNS[f.level]
    if f.level == "region" and not by_area:
        # One selection (the union of the regions), so no row is repeated per region.
        conditions.append(
            "\n  AND (f.district IN (SELECT unnest($region_members))"
            "\n       OR f.ward_code IN (SELECT unnest($region_members)))"
        )
        area_expr = AREA_COLUMNS["city"]
    elif f.level == "region":
        region_join = REGION_JOIN
    if f.level == "region":
        params["region_names"] = [r.name for r in f.regions for _ in r.members]
        params["region_members"] = [m for r in f.regions for m in r.members]
        params["region_order"] = [i for i, r in enumerate(f.regions) for _ in r.members]
    base = _sql("base.sql").format(
        area_expr=area_expr,
        period_dim="f.period" if by_period else "'all'",
        region_join=region_join,
        conditions="".join(conditions),
    )
    if f.age_bands:
        pop = _sql("population_bands.sql")
        params["age_bands"] = list(f.age_bands)
    else:
        pop = _sql("population.sql")
    if f.level == "city":
        area_list = _sql("area_list_city.sql")
    elif f.level == "region":
        area_list = _sql("area_list_region.sql")
    else:
        area_conditions = ""
        if f.areas:
            area_conditions += "\n  AND a.area_code IN (SELECT unnest($areas))"
        if f.within:
            area_conditions += (
                "\n  AND (a.parent_ward_code = $within OR a.district = $within"
                "\n       OR a.area_code IN (SELECT area FROM base))"
            )
        area_list = _sql("area_list.sql").format(area_conditions=area_conditions)
        params["level"] = f.level
    if by_period:
        period_list = (
            "SELECT period AS period_dim, ordinal FROM periods WHERE period_kind = $period_kind "
            "AND period BETWEEN $period_from AND $period_to"
        )
    else:
        period_list = "SELECT 'all' AS period_dim, 1 AS ordinal"
    common = (
        f"base AS (\n{base}\n),\npop AS (\n{pop}\n),\narea_list AS (\n{area_list}\n),\n"
        f"period_list AS ({period_list})"
    )
    sql = _sql(view_sql).format(common=common, **(extra or {}))
    params.update(extra_params or {})
    return Query(sql, _used(sql, params))


def _used(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """DuckDB rejects unused named parameters: keep only those the SQL mentions."""
    return {k: v for k, v in params.items() if f"${k}" in sql}
