"""The ten views: one function each, SQL in queries/sql/, protected tables out.

Counts arrive from SQL already perturbed (memory.ckp_count) and money already protected
(memory.protect_money); this module derives rates, shares and intervals from those published
values, attaches a status to every value and writes the metadata each chart must show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pandas as pd

from queries.database import Database
from queries.derived import (
    Z95,
    Z998,
    byar,
    count_status,
    count_statuses,
    money_status,
    rate_per_1000,
    share,
    wilson,
)
from queries.filters import FilterError, Filters
from queries.result import (
    NOT_APPLICABLE,
    PUBLISHED,
    SUPPRESSED,
    Column,
    ProtectedResult,
)
from queries.sqlparts import DIMENSION_COLUMNS, build_query, element_mask

#: Bumped when a view's output changes, so cached results of older code are not served.
RESULT_VERSION = "1"

MEASURE_DEFINITIONS: dict[str, tuple[str, str]] = {
    "people": (
        "People: distinct persons with at least one agreement active in the period(s).",
        "none (a count)",
    ),
    "agreements_active": (
        "Agreements active: start on or before the period end and no end, or end on or after "
        "the period start.",
        "none (a count)",
    ),
    "agreements_started": ("Agreements started in the period(s).", "none (a count)"),
    "cost": (
        "Cost in period: weekly cost x weeks the agreement is active inside the period "
        "(DHSC CLD method), rounded to 3 significant figures.",
        "none (a sum of money)",
    ),
    "rate_per_1000": (
        "People per 1,000 residents: published people / population x 1,000.",
        "residents of the area (and age bands chosen); ward: ONS mid-2020 estimates, other "
        "levels apportioned by postcode count (an estimate)",
    ),
    "internal_share": (
        "Internal share: people with internal (council-run) provision / (people with internal "
        "+ people with external provision), from published counts.",
        "published people with internal provision + published people with external provision",
    ),
}
RULE = (
    "Counts: cell key perturbation (ONS method, {ptable}); published counts under {threshold} "
    "are suppressed [c]. Money only where the cell's people count is published, rounded to 3 "
    "significant figures. Rates and shares from published counts; [u] where the published "
    "numerator is under 20."
)
TOTALS_NOTE = (
    "Totals and 'all' rows are perturbed on their own: they need not equal the sum of the "
    "published parts."
)
ACTIVITY_NOTE = "Hotspots show service activity, not need."
STATUS_LEGEND = {
    "": "published",
    "[c]": "confidential: suppressed (fewer than 10, or derived from a suppressed count)",
    "[u]": "low reliability (published numerator under 20)",
    "[z]": "not applicable",
    "[x]": "not available",
}


class UnknownView(KeyError):
    """No view of that name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown view {self.name!r}; views: {', '.join(VIEWS)}"


# --- shared pieces -------------------------------------------------------------------------


def _meta(db: Database, view: str, f: Filters, title: str, **extra: Any) -> dict[str, Any]:
    definition, denominator = MEASURE_DEFINITIONS[extra.pop("measure", f.measure)]
    meta: dict[str, Any] = {
        "view": view,
        "title": title,
        "definition": definition,
        "denominator": denominator,
        "rule": RULE.format(ptable=db.ptable_name, threshold=db.threshold),
        "data_date": db.meta.get("data_date"),
        "build_id": db.meta.get("build_id"),
        "synthetic": db.synthetic,
        "filters": f.to_params(),
        "statuses": STATUS_LEGEND,
        "notes": [TOTALS_NOTE, ACTIVITY_NOTE],
        "ptable_id": db.ptable_id,
    }
    meta.update(extra)
    return meta


def _run(
    db: Database,
    sql_file: str,
    f: Filters,
    *,
    only: tuple[str, ...] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Run a view's SQL; `only` restricts its people counts to those elements."""
    mask = element_mask(
        f, db.reference.elements, db.element_bits, skip=kwargs.get("skip", ()), only=only
    )
    from_ordinal = db.period_ordinals[(f.period_kind, f.period_from)]
    q = build_query(sql_file, f, mask=mask, from_ordinal=from_ordinal, **kwargs)
    return db.query(q.sql, q.params)


def _sorted_areas(df: pd.DataFrame, f: Filters) -> pd.DataFrame:
    if f.level == "region":
        order = {r.name: i for i, r in enumerate(f.regions)}
        return df.sort_values("area_code", key=lambda s: s.map(order), kind="stable")
    return df.sort_values("area_code", kind="stable")


def _int(series: pd.Series) -> pd.Series:
    return series.astype("Int64")


def _measure_cells(db: Database, f: Filters, *, by_period: bool) -> tuple[pd.DataFrame, str]:
    """area (x period) cells of the chosen measure: value, value_status, people, people_status.

    Returns the frame and the value's column kind.
    """
    m = f.measure
    if m in ("people", "cost", "rate_per_1000"):
        df = _run(db, "cells_people.sql", f, by_period=by_period)
        df["people"] = _int(df["people"])
        if m == "people":
            df["value"], kind = df["people"].astype("Float64"), "count"
            df["value_status"] = count_statuses(df["people"])
        elif m == "cost":
            df["value"], kind = df["cost"], "money"
            df["value_status"] = [
                money_status(p, c, k)
                for p, c, k in zip(df.people, df.cost, df.cost_known, strict=True)
            ]
        else:
            pairs = [rate_per_1000(p, pop) for p, pop in zip(df.people, df.population, strict=True)]
            df["value"] = [v for v, _ in pairs]
            df["value_status"] = [s for _, s in pairs]
            kind = "rate"
    elif m in ("agreements_active", "agreements_started"):
        unit_filter = "started" if m == "agreements_started" else "true"
        df = _run(
            db, "cells_agreements.sql", f, by_period=by_period, extra={"unit_filter": unit_filter}
        )
        df["people"] = _int(df["people"])
        df["value"], kind = _int(df["agreements"]).astype("Float64"), "count"
        df["value_status"] = count_statuses(df["agreements"])
    else:  # internal_share
        df = _provision_wide(db, f, by_period=by_period)
        df["value"], df["value_status"] = df["internal_share"], df["internal_share_status"]
        kind = "share"
    df["people_status"] = count_statuses(df["people"])
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    return df, kind


def _provision_wide(db: Database, f: Filters, *, by_period: bool) -> pd.DataFrame:
    wide = _run(db, "cells_provision.sql", f, by_period=by_period)
    keys = ["area_code", "area_name", "population", "period"]
    out = wide[keys + ["people"]].copy()
    out["people"] = _int(out["people"])
    for prefix in ("internal", "external", "direct"):
        people = _int(wide[f"{prefix}_people"])
        cost = wide[f"{prefix}_cost"].astype("float64")
        known = wide[f"{prefix}_known"].fillna(False)
        out[f"{prefix}_people"] = people.to_numpy()
        out[f"{prefix}_people_status"] = count_statuses(people).to_numpy()
        out[f"{prefix}_cost"] = cost.to_numpy()
        out[f"{prefix}_cost_status"] = [
            money_status(p, c, k) for p, c, k in zip(people, cost, known, strict=True)
        ]
    shares = [
        share(i, None if pd.isna(i) or pd.isna(e) else int(i) + int(e))
        for i, e in zip(out.internal_people, out.external_people, strict=True)
    ]
    out["internal_share"] = [v for v, _ in shares]
    out["internal_share_status"] = [s for _, s in shares]
    return out


# --- views ---------------------------------------------------------------------------------


def area_map(db: Database, f: Filters) -> ProtectedResult:
    """One row per area at the chosen level: the chosen measure and the people count."""
    df, kind = _measure_cells(db, f, by_period=False)
    df = _sorted_areas(df, f)
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("value", kind),
        Column("value_status", "status"),
        Column("people", "count"),
        Column("people_status", "status"),
    ]
    meta = _meta(db, "area_map", f, f"{f.measure} by {f.level}", value_kind=kind)
    return ProtectedResult(cols, df.reset_index(drop=True), meta)


def matrix(db: Database, f: Filters) -> ProtectedResult:
    """Areas x periods of the chosen measure (the postcode/year matrix)."""
    df, kind = _measure_cells(db, f, by_period=True)
    order = {p: i for i, p in enumerate(db.reference.periods[f.period_kind])}
    df["_p"] = df["period"].map(order)
    df = _sorted_areas(df.sort_values("_p", kind="stable"), f).drop(columns="_p")
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("period", "period"),
        Column("value", kind),
        Column("value_status", "status"),
    ]
    meta = _meta(db, "matrix", f, f"{f.measure} by {f.level} and {f.period_kind}", value_kind=kind)
    return ProtectedResult(cols, df.reset_index(drop=True), meta)


def _with_interval(df: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """value, value_status and 95% / 99.8% intervals from published counts."""
    out = {k: [] for k in ("value", "value_status", "lower95", "upper95", "lower998", "upper998")}
    for row in df.itertuples(index=False):
        if f.measure == "internal_share":
            x, e = row.internal_people, row.external_people
            n = None if pd.isna(x) or pd.isna(e) else int(x) + int(e)
            value, status = share(x, n)
            ci = (
                (wilson(float(x), float(n), Z95), wilson(float(x), float(n), Z998))
                if value is not None
                else None
            )
        else:
            count = row.value_count
            value, status = rate_per_1000(count, row.population)
            if value is not None:
                scale = 1000.0 / float(row.population)
                ci = tuple(
                    tuple(round(b * scale, 2) for b in byar(float(count), z)) for z in (Z95, Z998)
                )
            else:
                ci = None
        out["value"].append(value)
        out["value_status"].append(status)
        (l95, u95), (l998, u998) = ci if ci else ((None, None), (None, None))
        for k, v in (("lower95", l95), ("upper95", u95), ("lower998", l998), ("upper998", u998)):
            out[k].append(None if v is None else round(v, 4))
    for k, v in out.items():
        df[k] = v
    return df


def _compare_cells(db: Database, f: Filters) -> pd.DataFrame:
    if f.measure == "internal_share":
        return _provision_wide(db, f, by_period=False)
    counted = "people" if f.measure in ("people", "rate_per_1000") else f.measure
    g = dataclasses.replace(f, measure=counted)
    df, _ = _measure_cells(db, g, by_period=False)
    df["value_count"] = df["people"] if counted == "people" else df["value"]
    return df


def area_compare(db: Database, f: Filters) -> ProtectedResult:
    """Each area's rate (or internal share) against the city's, with 95% and 99.8% intervals."""
    if f.measure == "cost":
        raise FilterError(
            "measure",
            "area_compare compares rates or shares, not money",
            [
                "people",
                "agreements_active",
                "agreements_started",
                "rate_per_1000",
                "internal_share",
            ],
        )
    df = _with_interval(_compare_cells(db, f), f)
    city_f = dataclasses.replace(f, level="city", areas=(), within=None, regions=())
    city = _with_interval(_compare_cells(db, city_f), city_f).iloc[0]
    city_value = city["value"]
    df["city_value"] = city_value
    df["city_status"] = city["value_status"]
    for col, lo, hi in (
        ("comparison", "lower95", "upper95"),
        ("comparison_998", "lower998", "upper998"),
    ):
        df[col] = [
            ""
            if pd.isna(v) or city_value is None or pd.isna(city_value)
            else ("lower" if city_value > u else "higher" if city_value < lo_ else "similar")
            for v, lo_, u in zip(df["value"], df[lo], df[hi], strict=True)
        ]
    df = _sorted_areas(df, f)
    kind = "share" if f.measure == "internal_share" else "rate"
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("value", kind),
        Column("value_status", "status"),
        Column("lower95", kind),
        Column("upper95", kind),
        Column("lower998", kind),
        Column("upper998", kind),
        Column("city_value", kind),
        Column("city_status", "status"),
        Column("comparison", "category"),
        Column("comparison_998", "category"),
    ]
    measure = "internal_share" if f.measure == "internal_share" else "rate_per_1000"
    meta = _meta(
        db,
        "area_compare",
        f,
        f"{f.level} compared with the city",
        measure=measure,
        value_kind=kind,
        method=(
            "Wilson score intervals" if kind == "share" else "Byar's approximation to exact Poisson"
        )
        + " at 95% and 99.8%, from published counts. higher / lower: the city's value lies "
        "outside the area's interval; similar: inside.",
    )
    return ProtectedResult(cols, df.reset_index(drop=True), meta)


def elements(db: Database, f: Filters) -> ProtectedResult:
    """Top N elements by published people, for the city or the chosen areas."""
    df = _run(
        db,
        "elements.sql",
        f,
        by_period=False,
        by_area=False,
        extra_params={"top_n": f.top_n},
        element_people={"by_element": "period_dim"},
    )
    df["people"], df["agreements"] = _int(df["people"]), _int(df["agreements"])
    df["people_status"] = count_statuses(df["people"])
    df["agreements_status"] = count_statuses(df["agreements"])
    df["cost_status"] = [
        money_status(p, c, k) for p, c, k in zip(df.people, df.cost, df.cost_known, strict=True)
    ]
    cols = [
        Column("element_code", "category"),
        Column("element_description", "category"),
        Column("provision_type", "category"),
        Column("people", "count"),
        Column("people_status", "status"),
        Column("agreements", "count"),
        Column("agreements_status", "status"),
        Column("cost", "money"),
        Column("cost_status", "status"),
    ]
    meta = _meta(db, "elements", f, f"Top {f.top_n} elements", measure="people")
    meta["notes"].append("Ranked by published people count; suppressed elements rank last.")
    return ProtectedResult(cols, df, meta)


def element_compare(db: Database, f: Filters) -> ProtectedResult:
    """People using element A and element B in each area, and the difference."""
    for name in ("element_a", "element_b"):
        if getattr(f, name) is None:
            raise FilterError(
                name, "element_compare needs element_a and element_b", list(db.reference.elements)
            )
    if f.element_a == f.element_b:
        raise FilterError("element_b", "must differ from element_a")
    df = _run(
        db,
        "element_compare.sql",
        f,
        by_period=False,
        skip=("elements",),
        only=(f.element_a, f.element_b),
        extra_params={"element_a": f.element_a, "element_b": f.element_b},
        element_people={"by_element": "area, period_dim"},
    )
    df["a_people"], df["b_people"] = _int(df["a_people"]), _int(df["b_people"])
    df["a_status"] = count_statuses(df["a_people"])
    df["b_status"] = count_statuses(df["b_people"])
    df["difference"] = (df["a_people"] - df["b_people"]).astype("Int64")
    df["difference_status"] = [SUPPRESSED if pd.isna(d) else PUBLISHED for d in df["difference"]]
    df = _sorted_areas(df, f)
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("a_people", "count"),
        Column("a_status", "status"),
        Column("b_people", "count"),
        Column("b_status", "status"),
        Column("difference", "count"),
        Column("difference_status", "status"),
    ]
    meta = _meta(db, "element_compare", f, f"{f.element_a} vs {f.element_b}", measure="people")
    meta["notes"].append("The elements filter is not applied: element_a and element_b choose.")
    return ProtectedResult(cols, df.reset_index(drop=True), meta)


def trend(db: Database, f: Filters) -> ProtectedResult:
    """Per period: agreements active (records), people and cost in period."""
    df = _run(
        db,
        "trend.sql",
        f,
        by_period=True,
        by_area=False,
        people={"by_period": ("period_dim", "pbase", False)},
    )
    df["agreements"], df["people"] = _int(df["agreements"]), _int(df["people"])
    df["agreements_status"] = count_statuses(df["agreements"])
    df["people_status"] = count_statuses(df["people"])
    df["cost_status"] = [
        money_status(p, c, k) for p, c, k in zip(df.people, df.cost, df.cost_known, strict=True)
    ]
    cols = [
        Column("period", "period"),
        Column("agreements", "count"),
        Column("agreements_status", "status"),
        Column("people", "count"),
        Column("people_status", "status"),
        Column("cost", "money"),
        Column("cost_status", "status"),
    ]
    meta = _meta(db, "trend", f, f"Records, people and cost per {f.period_kind}", measure="people")
    if f.themes:
        targets = db.query(
            "SELECT * FROM mia_targets WHERE theme IN (SELECT unnest($themes)) "
            "ORDER BY theme, financial_year",
            {"themes": list(f.themes)},
        )
        meta["savings_targets"] = targets.to_dict(orient="records")
        meta["notes"].append(
            "Savings targets are budget targets, not sums of agreement costs: they do not "
            "reconcile."
        )
    return ProtectedResult(cols, df, meta)


def provision(db: Database, f: Filters) -> ProtectedResult:
    """People and cost by provision type per area and period, and the internal share."""
    df = _provision_wide(db, f, by_period=True)
    order = {p: i for i, p in enumerate(db.reference.periods[f.period_kind])}
    df["_p"] = df["period"].map(order)
    df = _sorted_areas(df.sort_values("_p", kind="stable"), f).drop(columns="_p")
    cols = [Column("area_code", "area"), Column("area_name", "area"), Column("period", "period")]
    for prefix in ("internal", "external", "direct"):
        cols += [Column(f"{prefix}_people", "count"), Column(f"{prefix}_people_status", "status")]
    cols += [Column("internal_share", "share"), Column("internal_share_status", "status")]
    for prefix in ("internal", "external", "direct"):
        cols += [Column(f"{prefix}_cost", "money"), Column(f"{prefix}_cost_status", "status")]
    meta = _meta(db, "provision", f, "Internal vs external provision", measure="internal_share")
    return ProtectedResult(cols, df.reset_index(drop=True), meta)


def enablement(db: Database, f: Filters) -> ProtectedResult:
    """MIA17 enablement by area: share of people beyond 6 weeks and the cost beyond day 42."""
    df = _run(db, "enablement.sql", f, by_period=False)
    df["people"], df["people_over_6w"] = _int(df["people"]), _int(df["people_over_6w"])
    df["people_status"] = count_statuses(df["people"])
    df["over_6w_status"] = count_statuses(df["people_over_6w"])
    shares = [share(o, p) for o, p in zip(df.people_over_6w, df.people, strict=True)]
    df["share_over_6w"] = [v for v, _ in shares]
    df["share_status"] = [s for _, s in shares]
    df["cost_status"] = [
        money_status(p, c, k)
        for p, c, k in zip(df.people_over_6w, df.cost_beyond_42, df.cost_known, strict=True)
    ]
    df = _sorted_areas(df, f)
    cols = [
        Column("area_code", "area"),
        Column("area_name", "area"),
        Column("people", "count"),
        Column("people_status", "status"),
        Column("people_over_6w", "count"),
        Column("over_6w_status", "status"),
        Column("share_over_6w", "share"),
        Column("share_status", "status"),
        Column("cost_beyond_42", "money"),
        Column("cost_status", "status"),
    ]
    meta = _meta(db, "enablement", f, "Enablement beyond 6 weeks (MIA17)", measure="people")
    meta["definition"] = (
        "MIA17 enablement: people with an enablement agreement (OAIHSENB, LDIHSENB, PDIHSENB...) "
        "active in the period(s); over 6 weeks: the agreement lasts more than 42 days; cost "
        "beyond 42: weekly cost x days past the 42nd / 7. Share: published people over 6 weeks "
        "/ published people."
    )
    meta["denominator"] = "published people with an MIA17 enablement agreement"
    return ProtectedResult(cols, df.reset_index(drop=True), meta)


def _quarter_filters(db: Database, f: Filters) -> Filters:
    """The quarters covering the chosen period range (any period kind)."""
    dates = db.reference.period_dates
    start = dates[(f.period_kind, f.period_from)][0]
    end = dates[(f.period_kind, f.period_to)][1]
    quarters = [
        q
        for q in db.reference.periods.get("quarter", ())
        if dates[("quarter", q)][0] >= start and dates[("quarter", q)][1] <= end
    ]
    if not quarters:
        raise FilterError("from", "no whole quarter lies inside the chosen period range")
    return dataclasses.replace(
        f, period_kind="quarter", period_from=quarters[0], period_to=quarters[-1]
    )


def quarterly_users(db: Database, f: Filters) -> ProtectedResult:
    """Distinct people per quarter using one element (e.g. CHIRDRT, about 100 a quarter)."""
    if f.element is None:
        raise FilterError(
            "element", "quarterly_users needs an element", list(db.reference.elements)
        )
    g = _quarter_filters(db, f)
    df = _run(
        db,
        "quarterly_users.sql",
        g,
        by_period=True,
        by_area=False,
        skip=("elements",),
        only=(f.element,),
        people={"by_period": ("period_dim", "pbase", False)},
    )
    df["people"] = _int(df["people"])
    df["people_status"] = count_statuses(df["people"])
    cols = [
        Column("period", "period"),
        Column("people", "count"),
        Column("people_status", "status"),
    ]
    meta = _meta(db, "quarterly_users", f, f"Quarterly users of {f.element}", measure="people")
    meta["notes"].append("The elements filter is not applied: the element parameter chooses.")
    return ProtectedResult(cols, df, meta)


def demographics(db: Database, f: Filters) -> ProtectedResult:
    """People by age band, gender or ethnic group over the selection, and each one's share."""
    ref = db.reference
    categories = {
        "age_band": ref.age_bands,
        "gender": ref.genders,
        "ethnic_group": ref.ethnic_groups,
    }[f.dimension]
    df = _run(
        db,
        "demographics.sql",
        f,
        by_period=False,
        by_area=False,
        extra={"dimension_col": DIMENSION_COLUMNS[f.dimension]},
        people={
            "by_category": ("category", "categorised", False),
            "total": ("whole", "categorised", False),
        },
        extra_params={
            "categories": list(categories),
            "category_order": list(range(len(categories))),
        },
    )
    df["people"] = _int(df["people"])
    df["people_status"] = count_statuses(df["people"])
    total = df["total_people"].iloc[0] if len(df) else None
    total = None if pd.isna(total) else int(total)
    shares = [share(p, total) for p in df["people"]]
    df["share"] = [v for v, _ in shares]
    df["share_status"] = [s if s != NOT_APPLICABLE or total is not None else s for _, s in shares]
    df.insert(0, "dimension", f.dimension)
    cols = [
        Column("dimension", "category"),
        Column("category", "category"),
        Column("people", "count"),
        Column("people_status", "status"),
        Column("share", "share"),
        Column("share_status", "status"),
    ]
    meta = _meta(db, "demographics", f, f"People by {f.dimension}", measure="people")
    meta["total_people"] = total
    meta["total_status"] = count_status(total)
    meta["denominator"] = "the selection's published total people (a cell of its own)"
    return ProtectedResult(cols, df.drop(columns="total_people"), meta)


ViewFunction = Callable[[Database, Filters], ProtectedResult]
VIEWS: dict[str, ViewFunction] = {
    "area_map": area_map,
    "matrix": matrix,
    "elements": elements,
    "element_compare": element_compare,
    "trend": trend,
    "provision": provision,
    "enablement": enablement,
    "area_compare": area_compare,
    "quarterly_users": quarterly_users,
    "demographics": demographics,
}


def run_view(db: Database, name: str, filters: Filters) -> ProtectedResult:
    """Run a view by name, through the shared result cache when the database has one."""
    view = VIEWS.get(name)
    if view is None:
        raise UnknownView(name)
    if db.cache is None:
        return view(db, filters)
    key = (
        RESULT_VERSION,
        db.meta.get("build_id"),
        str(db.path),
        db.ptable_id,
        db.threshold,
        name,
        filters.cache_key(),
    )
    hit = db.cache.get(key)
    if hit is not None:
        return hit
    result = view(db, filters)
    db.cache.set(key, result)
    return result
