-- People (distinct persons, perturbed) and cost in period (protected) per area x period cell.
-- Persons are deduplicated per cell before their record keys are summed.
WITH {common},
people AS (
    SELECT area, period_dim, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT area, period_dim, count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT area, period_dim, person_idx, person_key FROM base)
        GROUP BY area, period_dim
    )
),
cost AS (
    SELECT area, period_dim, sum(cost_in_period) AS cost FROM base GROUP BY area, period_dim
),
cells AS (
    SELECT l.area_code, l.area_name, l.population, s.period_dim
    FROM area_list l CROSS JOIN period_list s
)
SELECT c.area_code, c.area_name, c.population, c.period_dim AS period,
       memory.cell_count(p.present, p.published) AS people,
       memory.protect_money(k.cost, memory.cell_count(p.present, p.published)) AS cost,
       k.cost IS NOT NULL AS cost_known
FROM cells c
LEFT JOIN people p ON p.area = c.area_code AND p.period_dim = c.period_dim
LEFT JOIN cost k ON k.area = c.area_code AND k.period_dim = c.period_dim
