-- Distinct people per quarter using one element (the view restricts pbase's element mask to
-- $element, so by_period counts exactly them): n and keysum, perturbed in Python.
WITH {common},
{by_period}
SELECT s.period_dim AS period, p.n, p.keysum
FROM period_list s
LEFT JOIN by_period p USING (period_dim)
ORDER BY s.ordinal
