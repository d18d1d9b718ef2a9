-- MIA17 enablement per area: people with an enablement agreement, people with one lasting
-- over 6 weeks (42 days), and the cost of the days beyond the 42nd. Counts as n and keysum,
-- perturbed in Python. One pass: each enabled person once per area (DISTINCT by grouping),
-- with whether any of their agreements lasts over 6 weeks and their cost beyond day 42.
-- Only areas with enabled people come out: queries/cells.py lays them on the grid.
WITH {common},
enabled AS (
    SELECT area, period_dim, person_idx, person_key,
           bool_or(over_6_weeks) AS over_6_weeks,
           sum(cost_beyond_42) AS cost
    FROM base
    WHERE mia_theme = 'MIA17'
    GROUP BY area, period_dim, person_idx, person_key
)
SELECT area, period_dim,
       count(*) AS n, sum(person_key) AS keysum,
       count(*) FILTER (WHERE over_6_weeks) AS over_n,
       sum(person_key) FILTER (WHERE over_6_weeks) AS over_keysum,
       sum(cost) AS cost
FROM enabled
GROUP BY area, period_dim
