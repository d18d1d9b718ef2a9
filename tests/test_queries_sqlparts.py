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
        extra={"cost_cte": "cost AS (SELECT area, period_dim, cost FROM people)"},
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
        extra={
            "cost_cte": "cost AS (SELECT area, period_dim, sum(cost_in_period) AS cost "
            "FROM base GROUP BY area, period_dim)"
        },
    )
    assert "base AS (" in from_facts.sql and "FROM facts" in from_facts.sql
    rows = queries_db.query_arrays(from_facts.sql, from_facts.params)
    assert len(rows) == len(queries_db.reference.areas["ward"])


def test_within_reads_facts_for_its_area_list(queries_db):
    ref = queries_db.reference
    ward = next(iter(ref.areas["ward"]))
    f = parse_filters({"level": "sector", "within": ward}, ref)
    q = _people_from_pre_sums(f)
    assert "base AS (" in q.sql  # area_list keeps sectors with activity in the ward
    queries_db.query_arrays(q.sql, q.params)
