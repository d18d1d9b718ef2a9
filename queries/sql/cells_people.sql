-- People (distinct persons: n, keysum) and cost in period per area x period cell. People come
-- from person_periods (the people CTE: exact distinct counts, people_cells.sql); cost from
-- <cost_cte>: person_periods' pre-summed cost in the same pass when no element-attribute
-- filter applies, else a plain sum over the filtered facts.
WITH {common},
{people},
{cost_cte},
cells AS (
    SELECT l.area_code, l.area_name, l.population, s.period_dim
    FROM area_list l CROSS JOIN period_list s
)
SELECT c.area_code, c.area_name, c.population, c.period_dim AS period,
       p.n, p.keysum, k.cost
FROM cells c
LEFT JOIN people p ON p.area = c.area_code AND p.period_dim = c.period_dim
LEFT JOIN cost k ON k.area = c.area_code AND k.period_dim = c.period_dim
