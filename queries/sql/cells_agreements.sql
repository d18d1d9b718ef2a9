-- Agreements (active, or started when <unit_filter> is `started`) per area x period cell,
-- with the cell's people; both perturbed. facts is unique per (agreement, period) and an
-- agreement's periods are consecutive from the one it started in, so each agreement is
-- counted once per cell without a DISTINCT: per period, every row; over a range, the row of
-- its first period inside the range (started there, or the range's first).
WITH {common},
agreements AS (
    SELECT area, period_dim, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT area, period_dim, count(*) AS n, sum(agreement_key) AS keysum
        FROM base WHERE {unit_filter} AND {first_in_range}
        GROUP BY area, period_dim
    )
),
{people},
cells AS (
    SELECT l.area_code, l.area_name, l.population, s.period_dim
    FROM area_list l CROSS JOIN period_list s
)
SELECT c.area_code, c.area_name, c.population, c.period_dim AS period,
       memory.cell_count(a.present, a.published) AS agreements,
       memory.cell_count(p.present, p.published) AS people
FROM cells c
LEFT JOIN agreements a ON a.area = c.area_code AND a.period_dim = c.period_dim
LEFT JOIN people p ON p.area = c.area_code AND p.period_dim = c.period_dim
