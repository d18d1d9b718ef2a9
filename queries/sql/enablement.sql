-- MIA17 enablement per area: people with an enablement agreement, people with one lasting
-- over 6 weeks (42 days), and the cost of the days beyond the 42nd.
WITH {common},
enabled AS (SELECT * FROM base WHERE mia_theme = 'MIA17'),
people AS (
    SELECT area, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT area, count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT area, person_idx, person_key FROM enabled)
        GROUP BY area
    )
),
over AS (
    SELECT area, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT area, count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT area, person_idx, person_key FROM enabled WHERE over_6_weeks)
        GROUP BY area
    )
),
cost AS (SELECT area, sum(cost_beyond_42) AS cost FROM enabled GROUP BY area)
SELECT l.area_code, l.area_name,
       memory.cell_count(p.present, p.published) AS people,
       memory.cell_count(o.present, o.published) AS people_over_6w,
       memory.protect_money(k.cost, memory.cell_count(o.present, o.published)) AS cost_beyond_42,
       k.cost IS NOT NULL AS cost_known
FROM area_list l
LEFT JOIN people p ON p.area = l.area_code
LEFT JOIN over o ON o.area = l.area_code
LEFT JOIN cost k ON k.area = l.area_code
