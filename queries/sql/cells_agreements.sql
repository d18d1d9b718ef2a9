-- Agreements (active, or started when <unit_filter> is `started`) per area x period cell,
-- with the cell's people: n and keysum of each, perturbed in Python. facts is unique per
-- (agreement, period) and an agreement's periods are consecutive from the one it started in,
-- so each agreement is counted once per cell without a DISTINCT: per period, every row; over
-- a range, the row of its first period inside the range (started there, or the range's
-- first). <agreements_cte> reads person_periods' pre-summed agreements (no element-attribute
-- filter) or facts.
WITH {common},
{people},
{agreements_cte},
cells AS (
    SELECT l.area_code, l.area_name, l.population, s.period_dim
    FROM area_list l CROSS JOIN period_list s
)
SELECT c.area_code, c.area_name, c.population, c.period_dim AS period,
       a.n AS agreements_n, a.keysum AS agreements_keysum, p.n, p.keysum
FROM cells c
LEFT JOIN agreements a ON a.area = c.area_code AND a.period_dim = c.period_dim
LEFT JOIN people p ON p.area = c.area_code AND p.period_dim = c.period_dim
