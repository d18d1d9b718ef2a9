-- Cost in year of one element, 2010-2015.
SELECT year, sum(cost_in_year) AS cost FROM yearly
WHERE element_code = $element AND year BETWEEN 2010 AND 2015 GROUP BY 1 ORDER BY 1;
