-- Filtered facts for one view: every user value is a $parameter; <area_expr>, <period_dim>,
-- <region_join> and <conditions> are chosen from fixed allow-lists in queries/sqlparts.py.
-- The period range is a BETWEEN on the sort key, so DuckDB skips other periods' row groups.
SELECT {area_expr} AS area, {period_dim} AS period_dim, f.*
FROM facts f{region_join}
WHERE f.period_kind = $period_kind
  AND f.period BETWEEN $period_from AND $period_to{conditions}
