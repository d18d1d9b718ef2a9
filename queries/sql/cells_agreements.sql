-- Agreements (active, or started when <unit_filter> is `started`) per area x period cell,
-- with the cell's people; both perturbed.
WITH {common},
agreements AS (
    SELECT area, period_dim, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT area, period_dim, count(*) AS n, sum(agreement_key) AS keysum
        FROM (SELECT DISTINCT area, period_dim, agreement_idx, agreement_key
              FROM base WHERE {unit_filter})
        GROUP BY area, period_dim
    )
),
people AS (
    SELECT area, period_dim, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT area, period_dim, count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT area, period_dim, person_idx, person_key FROM base)
        GROUP BY area, period_dim
    )
),
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
