"""Assemble a view's SQL from the .sql files and a validated Filters, with its parameters.

Only identifiers chosen from the fixed maps below are placed into SQL text; every value a user
supplied is passed as a DuckDB $parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from queries.database import PRESUMMED_COLUMNS, Element, sql_text
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
#: Filters field -> the element attribute it restricts (these filters become one element mask).
ELEMENT_FILTERS: dict[str, str] = {
    "elements": "code",
    "services": "service_code",
    "themes": "mia_theme",
    "provision": "provision_type",
}
ALL_ELEMENTS_MASK = "CAST(18446744073709551615 AS UBIGINT)"
#: The element bits of each provision type, as parameters (queries.views.provision_type_masks).
TYPE_MASKS: dict[str, str] = {
    t: f"CAST(${t}_mask AS UBIGINT)" for t in ("internal", "external", "direct")
}
FROM_ORDINAL = (
    "(SELECT ordinal FROM periods WHERE period_kind = $period_kind AND period = $period_from)"
)
#: One row per (fact, region holding it), even when a region names a district and a ward of it.
REGION_JOIN = (
    "\nJOIN (SELECT DISTINCT m.region, p.district, p.ward_code"
    "\n      FROM memory.district_wards p"
    "\n      JOIN (SELECT unnest($region_names) AS region, unnest($region_members) AS member) m"
    "\n        ON m.member = p.district OR m.member = p.ward_code) r"
    "\n  ON r.district IS NOT DISTINCT FROM f.district"
    "\n AND r.ward_code IS NOT DISTINCT FROM f.ward_code"
)


@cache
def _sql(name: str) -> str:
    return sql_text(name)


def in_list(name: str, values: tuple[str, ...] | list[str], params: dict[str, Any]) -> str:
    """`$name_0, $name_1, ...` for an IN (...) list, the values added to params.

    One placeholder per value (the count is bounded by filters.MAX_LIST_ITEMS): DuckDB pushes
    such a list into the scan as a filter, where `IN (SELECT unnest($list))` plans a semi join
    that casts every row's ENUM value to text (about 4x slower on person_periods).
    """
    keys = [f"{name}_{i}" for i in range(len(values))]
    params.update(zip(keys, values, strict=True))
    return ", ".join(f"${k}" for k in keys)


def element_mask(
    f: Filters,
    elements: Mapping[str, Element],
    bits: Mapping[str, int],
    *,
    skip: tuple[str, ...] = (),
    only: tuple[str, ...] | None = None,
) -> int | None:
    """The bits of the elements every element-attribute filter allows; None: no restriction.

    `only` further restricts to those element codes (a view's own element choice).
    """
    chosen = [name for name in ELEMENT_FILTERS if name not in skip and getattr(f, name)]
    if not chosen and only is None:
        return None
    mask = 0
    for e in elements.values():
        if only is not None and e.code not in only:
            continue
        if all(getattr(e, ELEMENT_FILTERS[name]) in getattr(f, name) for name in chosen):
            mask |= 1 << bits[e.code]
    return mask


def people_predicates(per_period: bool, restricted: bool) -> tuple[str, str]:
    """(keep, deduped): the person_periods rows a people count reads, and those needing DISTINCT.

    Per period (cells include the period, or the range is one period): a person with a single
    row in the period (`single_row`) lands in exactly one cell, so that row counts as is.
    Over a range of periods: a person with one grain combination in every period
    (`one_combo`) lands in one cell whatever the period; if, besides, every one of their rows
    is selected (no element restriction, or an element of the cell's mask in every period:
    `stable_mask & cell_mask <> 0`), the person is in the cell exactly when they have a row in
    the range, and counts once at their first row in it (`direct_before < from`, the ordinal
    of their previous period). Everyone else (`direct_before` = -1 when not one_combo, or
    `stable_mask & cell_mask` = 0, stable_mask being 0 when not one_combo) goes through the
    DISTINCT with all their rows.
    """
    if per_period:
        return "true", "NOT single_row"
    first = "direct_before < CAST($from_ordinal AS SMALLINT)"
    if not restricted:
        return first, "direct_before < 0"
    deduped = "(stable_mask & cell_mask) = 0"
    return f"({first} OR {deduped})", deduped


def people_cells(
    name: str,
    dims: str,
    source: str,
    per_period: bool,
    restricted: bool,
    sums: Mapping[str, str] | None = None,
) -> str:
    """A CTE `name` of distinct-people counts (n, keysum) per `dims` from `source` (constants).

    `sums` (alias -> expression over person_periods' pre-summed columns) are added up over
    every row of the cell in the same pass, e.g. the cell's cost.
    """
    keep, deduped = people_predicates(per_period, restricted)
    sums = sums or {}
    if sums:
        kept = "" if keep == "true" else f" FILTER (WHERE {keep})"
        rows, keys, where = f"count(*){kept}", f"sum(person_key){kept}", "true"
    else:
        rows, keys, where = "count(*)", "sum(person_key)", keep
    inner = "".join(f",\n               sum({expr}) AS {alias}" for alias, expr in sums.items())
    outer = "".join(f",\n           sum({alias}) AS {alias}" for alias in sums)
    return _sql("people_cells.sql").format(
        name=name,
        dims=dims,
        source=source,
        deduped=deduped,
        rows=rows,
        keys=keys,
        where=where,
        inner_sums=inner,
        outer_sums=outer,
    )


def people_total(name: str, units: str) -> str:
    """A CTE `name` of distinct people (n, keysum) over all cells of a people_cells CTE
    together, from its first level `units` (`<people_cells name>_units`), without reading
    the source rows again."""
    return _sql("people_total.sql").format(name=name, units=units)


#: The levels serving.provision_cells holds (regions are the user's own, so never pre-counted).
PROVISION_CELL_LEVELS = frozenset({"city", "ward", "district", "sector", "h3r7", "h3r8"})
#: Filters fields that restrict rows (besides the period range and the level's own areas).
ROW_FILTERS = tuple(name for name in LIST_FILTER_COLUMNS if name != "areas") + ("within",)


#: The row filters the area cells are counted under (one value each at most).
CELL_FILTERS = ("provision", "age_bands")


def reads_area_cells(f: Filters, *, agreements: bool = False, per_period: bool = True) -> bool:
    """Whether the build's pre-counted area cells answer `f`: a fixed level, and no filter but
    the period range, the level's areas, at most one provision type and, `per_period`, at most
    one age band (per period serving.provision_cells; over a range serving.provision_spans,
    which counts every age band together). They count agreements in all provision types
    together, so `agreements` (the state counts agreements) rules a provision type out."""
    return (
        f.level in PROVISION_CELL_LEVELS
        and not any(getattr(f, name) for name in ROW_FILTERS if name not in CELL_FILTERS)
        and len(f.provision) <= (0 if agreements else 1)
        and len(f.age_bands) <= (1 if per_period else 0)
    )


#: A provision type's letter in the area cells' columns (n_i, k_i, internal_cost, ...).
TYPE_LETTERS = {"Internal": "i", "External": "e", "Direct payment": "d"}
TYPE_COST_COLUMNS = {"i": "internal_cost", "e": "external_cost", "d": "direct_cost"}
AGREEMENT_COLUMNS = ("agreements", "agreement_keys", "started", "started_keys")


def _area_cell_columns(provision: tuple[str, ...], costs: bool) -> dict[str, str]:
    """provision_cells.sql's <people>, <costs>, <agreements> and <present>: every column as it
    is; or, for one provision type, what counting person_periods under that type's element
    mask gives: its people are the cell's people, the other types have none, its cost is the
    cost, agreements are not known by type, and a cell without its people has no row."""
    null_cost = "CAST(NULL AS DOUBLE)"
    if not provision:
        people = [f"{kind}_{part}" for part in ("all", "i", "e", "d") for kind in "nk"]
        cost_columns = [*TYPE_COST_COLUMNS.values(), "cost"]
        return {
            "people": ", ".join(people),
            "costs": ", ".join(c if costs else f"{null_cost} AS {c}" for c in cost_columns),
            "agreements": ", ".join(AGREEMENT_COLUMNS),
            "present": "true",
        }
    letter = TYPE_LETTERS[provision[0]]
    people = [
        f"{kind}_{letter} AS {kind}_{part}" if part in ("all", letter)
        else f"CAST(NULL AS BIGINT) AS {kind}_{part}"
        for part in ("all", "i", "e", "d")
        for kind in "nk"
    ]  # fmt: skip
    own = TYPE_COST_COLUMNS[letter]
    cost_columns = [
        f"{own if costs and c == own else null_cost} AS {c}" for c in TYPE_COST_COLUMNS.values()
    ] + [f"{own if costs else null_cost} AS cost"]
    return {
        "people": ", ".join(people),
        "costs": ", ".join(cost_columns),
        "agreements": ", ".join(f"CAST(NULL AS BIGINT) AS {c}" for c in AGREEMENT_COLUMNS),
        "present": f"n_{letter} > 0",
    }


def reads_element_periods(f: Filters) -> bool:
    """Whether the elements view's agreements and cost of `f` come from
    serving.element_periods: no filter but the period range (the whole city)."""
    return f.level != "region" and not f.areas and not any(getattr(f, name) for name in ROW_FILTERS)


def period_params(f: Filters) -> dict[str, Any]:
    """The period range's parameters, which every view's SQL filters on."""
    return {"period_kind": f.period_kind, "period_from": f.period_from, "period_to": f.period_to}


def element_spans_query(f: Filters, ordinals: tuple[int, int]) -> Query:
    """element_spans.sql for `f` (reads_element_periods(f) holds), whose first and last
    periods' ordinals are `ordinals`: the same columns as elements_people.sql."""
    params = {"period_kind": f.period_kind, "from_ordinal": ordinals[0], "to_ordinal": ordinals[1]}
    return Query(_sql("element_spans.sql"), params)


def element_periods_query(f: Filters) -> Query:
    """element_periods.sql for `f` (reads_element_periods(f) holds): the same columns as
    elements_agreements.sql."""
    return Query(_sql("element_periods.sql"), period_params(f))


def area_cells_query(
    f: Filters, *, by_period: bool, with_city: bool, costs: bool, ordinals: tuple[int, int]
) -> Query:
    """The area cells of `f` (reads_area_cells(f) holds): per period (`by_period`, or a range
    of one period) provision_cells.sql; else provision_spans.sql (each area over the whole
    range, whose first and last periods' ordinals are `ordinals`). The columns of
    cells_provision.sql, plus cost and agreements / agreement_keys (active: as
    cells_agreements.sql counts them) and started / started_keys; with `with_city` the whole
    city's cell too (area 'city', the query layer's CITY_CODE, as the build writes it)."""
    per_period = by_period or f.period_from == f.period_to
    params: dict[str, Any] = {**period_params(f), "level": f.level}
    if not per_period:
        params["from_ordinal"], params["to_ordinal"] = ordinals
    areas = f" AND area IN ({in_list('areas', f.areas, params)})" if f.areas else ""
    age_band = "age_band IS NULL"
    if f.age_bands:
        (params["age_band"],) = f.age_bands
        age_band = "age_band = $age_band"
    sql = _sql("provision_cells.sql" if per_period else "provision_spans.sql").format(
        period_dim="period" if by_period else "'all'",
        areas=areas,
        age_band=age_band,
        city=" OR level = 'city'" if with_city else "",
        **_area_cell_columns(f.provision, costs),
    )
    return Query(sql, params)


def provision_city_types(city_code: str) -> str:
    """cells_provision.sql's <city_types>: the whole city's cell by provision types, counted
    from the same first level (`grouped`), as rows of area `city_code`."""
    return _sql("provision_city_types.sql").format(city=city_code)


def provision_predicates(per_period: bool) -> dict[str, str]:
    """keep / deduped for cells_provision.sql: one partition of persons, exact for every type.

    Per period: as people_predicates. Over a range: a one_combo person who, within the cell
    mask, either always or never has each provision type (and always or never any element)
    is in the same type cells in every period of the range, so counts once, at their first
    row in it, in the overall cell and in each of their types' cells. Everyone else is
    deduplicated. TYPE_MASKS are the type masks.
    """
    if per_period:
        return {"keep": "true", "deduped": "NOT single_row", **TYPE_MASKS}
    changes = [
        f"((union_mask & cell_mask & {t}) <> 0 AND (stable_mask & cell_mask & {t}) = 0)"
        for t in TYPE_MASKS.values()
    ]
    changes.append("((union_mask & cell_mask) <> 0 AND (stable_mask & cell_mask) = 0)")
    deduped = "(direct_before < 0 OR " + " OR ".join(changes) + ")"
    first = "direct_before < CAST($from_ordinal AS SMALLINT)"
    # cells_provision.sql evaluates <deduped> once per row into the column `deduped`.
    return {"keep": f"({first} OR deduped)", "deduped": deduped, **TYPE_MASKS}


def element_predicates(per_period: bool) -> dict[str, str]:
    """Which pbase rows count which of their elements directly, and which need DISTINCT.

    Per period: a single row of the person in the period counts each of its elements (within
    the cell mask) once; other rows go through the DISTINCT. Over a range: a one_combo person
    has the elements of `stable_mask` in every period, so their first row in the range counts
    those once; any other element of any row (every element, for persons without one combo,
    whose stable_mask is 0) goes through the DISTINCT.
    """
    if per_period:
        bits = "(element_mask & cell_mask)"
        return {"direct_row": "single_row", "direct_bits": bits,
                "dedup_row": "NOT single_row", "dedup_bits": bits}  # fmt: skip
    return {
        "direct_row": "direct_before >= 0 AND direct_before < CAST($from_ordinal AS SMALLINT)",
        "direct_bits": "(stable_mask & cell_mask)",
        "dedup_row": "true",
        "dedup_bits": "(element_mask & cell_mask & ~stable_mask)",
    }


def agreement_sums(per_period: bool, started_only: bool) -> dict[str, str]:
    """person_periods' pre-summed agreements a cell counts: as cells_agreements.sql over facts
    (per period every agreement; over a range each once, at its first period in the range:
    started there, or the range's first period)."""
    if started_only:
        return {"agreements_n": "started", "agreements_keysum": "started_keys"}
    if per_period:
        return {"agreements_n": "agreements", "agreements_keysum": "agreement_keys"}
    return {
        "agreements_n": "CASE WHEN period = $period_from THEN agreements ELSE started END",
        "agreements_keysum": (
            "CASE WHEN period = $period_from THEN agreement_keys ELSE started_keys END"
        ),
    }


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
    mask: int | None = None,
    people: Mapping[str, tuple[str, str, bool]] | None = None,
    from_ordinal: int = 0,
    element_people: Mapping[str, str] | None = None,
    presummed: bool = False,
    people_sums: Mapping[str, Mapping[str, str]] | None = None,
) -> Query:
    """The view's SQL with the shared prefix `common`: whichever of base (facts), pbase
    (person_periods, element filters as `mask`, see element_mask) and period_list it reads.

    `skip` names Filters list fields the view applies itself (e.g. element_compare ignores the
    `elements` filter); `extra` fills view-specific placeholders from allow-listed constants.
    Also filled: the placeholders {people} (people per area x period cell) and {first_in_range}
    (facts rows that count each agreement once per cell). `people` adds more people CTEs:
    placeholder / CTE name -> (dims, source, restricted: the source's cells count only some
    elements, as when rows are repeated per provision type or element). `element_people`
    adds people-per-element CTEs: placeholder / CTE name -> dims besides element_code.
    `presummed`: person_periods has the pre-summed facts columns (pbase selects them);
    `people_sums`: people CTE name -> {alias: expression} summed in the same pass.
    """
    f = filters
    params: dict[str, Any] = {**period_params(f), "from_ordinal": from_ordinal}
    conditions: list[str] = []
    person_conditions: list[str] = []
    for name, column in LIST_FILTER_COLUMNS.items():
        values = getattr(f, name)
        if name in skip or not values:
            continue
        if name == "areas":
            column = AREA_COLUMNS[f.level].removeprefix("f.")
        conditions.append(f"\n  AND f.{column} IN ({in_list(name, values, params)})")
        if name not in ELEMENT_FILTERS:
            person_conditions.append(conditions[-1])
    if mask is not None:
        person_conditions.append("\n  AND (f.element_mask & CAST($element_mask AS UBIGINT)) <> 0")
        params["element_mask"] = mask
    if f.within:
        conditions.append("\n  AND (f.ward_code = $within OR f.district = $within)")
        person_conditions.append(conditions[-1])
        params["within"] = f.within
    region_join = ""
    area_expr = AREA_COLUMNS[f.level]
    if f.level == "region" and not by_area:
        # One selection (the union of the regions), so no row is repeated per region.
        members = in_list("member", [m for r in f.regions for m in r.members], params)
        conditions.append(
            f"\n  AND (f.district IN ({members})\n       OR f.ward_code IN ({members}))"
        )
        person_conditions.append(conditions[-1])
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
    pbase = _sql("person_base.sql").format(
        area_expr=area_expr,
        period_dim="f.period" if by_period else "'all'",
        region_join=region_join,
        conditions="".join(person_conditions),
        cell_mask=ALL_ELEMENTS_MASK if mask is None else "CAST($element_mask AS UBIGINT)",
        presummed="".join(f", f.{c}" for c in PRESUMMED_COLUMNS) if presummed else "",
    )
    if by_period:
        period_list = (
            "SELECT period AS period_dim, ordinal FROM periods WHERE period_kind = $period_kind "
            "AND period BETWEEN $period_from AND $period_to"
        )
    else:
        period_list = "SELECT 'all' AS period_dim, 1 AS ordinal"
    ctes = {
        "base": f"base AS (\n{base}\n)",
        "pbase": f"pbase AS NOT MATERIALIZED (\n{pbase}\n)",
        "period_list": f"period_list AS ({period_list})",
    }
    per_period = by_period or f.period_from == f.period_to
    sums = people_sums or {}
    shared = {
        "people": people_cells(
            "people", "area, period_dim", "pbase", per_period, mask is not None, sums.get("people")
        ),
        "first_in_range": "true" if per_period else "(started OR period = $period_from)",
    }
    shared.update(provision_predicates(per_period))
    for name, dims in (element_people or {}).items():
        shared[name] = _sql("element_people.sql").format(
            name=name, dims=dims, **element_predicates(per_period)
        )
    for name, (dims, source, restricted) in (people or {}).items():
        shared[name] = people_cells(
            name, dims, source, per_period, restricted or mask is not None, sums.get(name)
        )
    template = _sql(view_sql)
    parts = {**shared, **(extra or {})}
    filled = [text for name, text in parts.items() if "{" + name + "}" in template]
    used = _used_ctes(ctes, [template, *filled])
    sql = template.format(common=",\n".join(ctes[name] for name in ctes if name in used), **parts)
    params.update(extra_params or {})
    return Query(sql, _used(sql, params))


def _used_ctes(ctes: Mapping[str, str], texts: list[str]) -> set[str]:
    """The shared CTEs the view's SQL reads, directly or through another. DuckDB binds every
    CTE of a query, read or not, and binding facts or person_periods costs milliseconds: most
    views read only person_periods."""
    used: set[str] = set()
    pending = list(texts)
    while pending:
        text = pending.pop()
        for name, definition in ctes.items():
            if name not in used and _mentions(text, name):
                used.add(name)
                pending.append(definition)
    return used


@lru_cache(maxsize=1024)  # texts of a few kB: a few MB at most
def _mentions(sql: str, name: str) -> bool:
    """Whether the SQL's code (not its comments) names `name` as a word (pbase is not base).

    Cached: a view's parts repeat from request to request (user values are parameters), and
    stripping comments from them cost about 0.3 ms a query."""
    code = re.sub(r"--[^\n]*", "", sql)
    return re.search(rf"(?<![\w.]){re.escape(name)}\b", code) is not None


def _used(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """DuckDB rejects unused named parameters: keep only those the SQL mentions."""
    return {k: v for k, v in params.items() if f"${k}" in sql}
