-- MIA17 enablement per area: people with an enablement agreement, people with one lasting
-- over 6 weeks (42 days), and the cost of the days beyond the 42nd. Counts as n and keysum,
-- perturbed in Python.
WITH {common},
enabled AS (SELECT * FROM base WHERE mia_theme = 'MIA17'),
people AS (
    SELECT area, count(*) AS n, sum(person_key) AS keysum
    FROM (SELECT DISTINCT area, person_idx, person_key FROM enabled)
    GROUP BY area
),
over AS (
    SELECT area, count(*) AS n, sum(person_key) AS keysum
    FROM (SELECT DISTINCT area, person_idx, person_key FROM enabled WHERE over_6_weeks)
    GROUP BY area
),
cost AS (SELECT area, sum(cost_beyond_42) AS cost FROM enabled GROUP BY area)
SELECT l.area_code, l.area_name, p.n, p.keysum, o.n AS over_n, o.keysum AS over_keysum,
       k.cost
FROM area_list l
LEFT JOIN people p ON p.area = l.area_code
LEFT JOIN over o ON o.area = l.area_code
LEFT JOIN cost k ON k.area = l.area_code
