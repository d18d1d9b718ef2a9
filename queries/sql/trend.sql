-- Per period: agreements active (records), people and cost in period. facts is unique per
-- (agreement, period), so agreements need no DISTINCT; people come from person_periods.
WITH {common},
agreements AS (
    SELECT period_dim, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT period_dim, count(*) AS n, sum(agreement_key) AS keysum
        FROM base GROUP BY period_dim
    )
),
{by_period},
cost AS (SELECT period_dim, sum(cost_in_period) AS cost FROM base GROUP BY period_dim)
SELECT s.period_dim AS period,
       memory.cell_count(a.present, a.published) AS agreements,
       memory.cell_count(p.present, p.published) AS people,
       memory.protect_money(k.cost, memory.cell_count(p.present, p.published)) AS cost,
       k.cost IS NOT NULL AS cost_known
FROM period_list s
LEFT JOIN agreements a USING (period_dim)
LEFT JOIN by_period p USING (period_dim)
LEFT JOIN cost k USING (period_dim)
ORDER BY s.ordinal
