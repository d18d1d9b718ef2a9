-- Per period: agreements active (records), people and cost in period. facts is unique per
-- (agreement, period), so agreements need no DISTINCT; people come from person_periods.
WITH {common},
facts_cells AS (
    -- Agreements active and cost per period: one pass over facts.
    SELECT period_dim, memory.ckp_count(n, keysum) AS agreements, cost, true AS present
    FROM (
        SELECT period_dim, count(*) AS n, sum(agreement_key) AS keysum,
               sum(cost_in_period) AS cost
        FROM base GROUP BY period_dim
    )
),
{by_period}
SELECT s.period_dim AS period,
       memory.cell_count(k.present, k.agreements) AS agreements,
       memory.cell_count(p.present, p.published) AS people,
       memory.protect_money(k.cost, memory.cell_count(p.present, p.published)) AS cost,
       k.cost IS NOT NULL AS cost_known
FROM period_list s
LEFT JOIN facts_cells k USING (period_dim)
LEFT JOIN by_period p USING (period_dim)
ORDER BY s.ordinal
