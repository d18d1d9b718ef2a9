-- Per period: agreements active (records), people and cost in period (n and keysum of each
-- count, perturbed in Python). facts is unique per (agreement, period), so agreements need no
-- DISTINCT; people come from person_periods. <facts_cells> reads person_periods' pre-summed
-- agreements and cost (no element-attribute filter) or facts.
WITH {common},
{by_period},
{facts_cells}
SELECT s.period_dim AS period, k.n AS agreements_n, k.keysum AS agreements_keysum,
       p.n, p.keysum, k.cost
FROM period_list s
LEFT JOIN facts_cells k USING (period_dim)
LEFT JOIN by_period p USING (period_dim)
ORDER BY s.ordinal
