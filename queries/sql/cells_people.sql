-- People (distinct persons, perturbed) and cost in period (protected) per area x period cell.
-- People come from person_periods (the people CTE: exact distinct counts, people_cells.sql);
-- cost is a plain sum over the filtered facts.
WITH {common},
{people},
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
