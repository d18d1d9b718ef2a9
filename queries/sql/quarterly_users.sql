-- Distinct people per quarter using one element (the view restricts pbase's element mask to
-- $element, so by_period counts exactly them).
WITH {common},
{by_period}
SELECT s.period_dim AS period, memory.cell_count(p.present, p.published) AS people
FROM period_list s
LEFT JOIN by_period p USING (period_dim)
ORDER BY s.ordinal
