-- People and cost per area x period x provision type (Internal / External / Direct payment),
-- and the cell's people over all types; every count perturbed as its own cell.
WITH {common},
by_type AS (
    SELECT area, period_dim, provision_type, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT area, period_dim, provision_type, count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT area, period_dim, provision_type, person_idx, person_key FROM base)
        GROUP BY area, period_dim, provision_type
    )
),
cost AS (
    SELECT area, period_dim, provision_type, sum(cost_in_period) AS cost
    FROM base GROUP BY area, period_dim, provision_type
),
people AS (
    SELECT area, period_dim, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT area, period_dim, count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT area, period_dim, person_idx, person_key FROM base)
        GROUP BY area, period_dim
    )
),
types AS (SELECT unnest(['Internal', 'External', 'Direct payment']) AS provision_type),
cells AS (
    SELECT l.area_code, l.area_name, l.population, s.period_dim, t.provision_type
    FROM area_list l CROSS JOIN period_list s CROSS JOIN types t
)
SELECT c.area_code, c.area_name, c.population, c.period_dim AS period, c.provision_type,
       memory.cell_count(b.present, b.published) AS type_people,
       memory.protect_money(k.cost, memory.cell_count(b.present, b.published)) AS type_cost,
       k.cost IS NOT NULL AS cost_known,
       memory.cell_count(p.present, p.published) AS people
FROM cells c
LEFT JOIN by_type b ON b.area = c.area_code AND b.period_dim = c.period_dim
    AND b.provision_type = c.provision_type
LEFT JOIN cost k ON k.area = c.area_code AND k.period_dim = c.period_dim
    AND k.provision_type = c.provision_type
LEFT JOIN people p ON p.area = c.area_code AND p.period_dim = c.period_dim
