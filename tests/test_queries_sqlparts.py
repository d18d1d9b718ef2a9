"""How a view's SQL is assembled (queries/sqlparts.py): only what the view reads is bound."""

from __future__ import annotations

from queries import parse_filters
from queries.filters import Filters
from queries.sqlparts import Query, build_query


def _people_from_pre_sums(f: Filters) -> Query:
    """cells_people.sql as area_map builds it with no element filter: pre-summed cost."""
    return build_query(
        "cells_people.sql",
        f,
        by_period=False,
        presummed=True,
        extra={"cells": "cells AS (SELECT * FROM people)"},
        people_sums={"people": {"cost": "cost"}},
    )


def test_facts_cte_is_left_out_when_the_view_reads_only_person_periods(queries_db):
    f = parse_filters({"level": "ward"}, queries_db.reference)
    people_only = _people_from_pre_sums(f)
    assert "base AS (" not in people_only.sql and "FROM facts" not in people_only.sql
    from_facts = build_query(
        "cells_people.sql",
        f,
        by_period=False,
        from_ordinal=queries_db.period_ordinals[(f.period_kind, f.period_from)],
        extra={
            "cells": "cost AS (SELECT area, period_dim, sum(cost_in_period) AS cost "
            "FROM base GROUP BY area, period_dim),\n"
            "cells AS (SELECT p.*, k.cost FROM people p LEFT JOIN cost k USING (area, period_dim))"
        },
    )
    assert "base AS (" in from_facts.sql and "FROM facts" in from_facts.sql
    rows = queries_db.query_arrays(from_facts.sql, from_facts.params)
    assert set(rows["area"]) <= set(queries_db.reference.areas["ward"])
    assert rows["cost"].notna().any()


def test_only_the_shared_ctes_a_view_reads_are_bound(queries_db):
    ref = queries_db.reference
    ward = next(iter(ref.areas["ward"]))
    f = parse_filters({"level": "sector", "within": ward}, ref)
    q = _people_from_pre_sums(f)
    # The areas of a drill-down come from reference data (queries/cells.py), not from facts.
    assert "base AS (" not in q.sql and "period_list AS" not in q.sql
    assert "pbase AS NOT MATERIALIZED" in q.sql
    queries_db.query_arrays(q.sql, q.params)
    trend = build_query("trend.sql", f, by_period=True, by_area=False,
                        people={"by_period": ("period_dim", "pbase", False)},
                        extra={"facts_cells": "facts_cells AS (SELECT period_dim, count(*) AS n, "
                               "sum(agreement_key) AS keysum, sum(cost_in_period) AS cost "
                               "FROM base GROUP BY period_dim)"})  # fmt: skip
    assert "base AS (" in trend.sql and "period_list AS" in trend.sql


def test_person_periods_cte_is_left_out_when_the_view_reads_only_facts(queries_db):
    """A shared part the view's SQL has no placeholder for (here {people}, which reads pbase)
    binds nothing: elements' agreements query reads facts alone."""
    f = parse_filters({"level": "city"}, queries_db.reference)
    q = build_query("elements_agreements.sql", f, by_period=False, by_area=False)
    assert "base AS (" in q.sql and "FROM facts" in q.sql
    assert "pbase" not in q.sql and "person_periods" not in q.sql
    rows = queries_db.query_arrays(q.sql, q.params)
    assert set(rows["element_code"]) <= set(queries_db.reference.elements)
    assert (rows["agreements_n"] > 0).all()
