-- Records (agreements active), users (distinct people active) and cost per calendar year for
-- one MIA theme, 2010-2015 (Fig 36, T:1785).
SELECT year, count(*) AS records, count(DISTINCT person_id) AS users, sum(cost_in_year) AS cost
FROM yearly WHERE mia_theme = $theme AND year BETWEEN 2010 AND 2015
GROUP BY 1 ORDER BY 1;
