-- Yearly spend (cost in year) per thesis region, 2010-2015 (T:1612-1617, T:1849).
SELECT
    CASE WHEN district IN ('B16', 'B18', 'B19', 'B20', 'B21') THEN 'North'
         WHEN district IN ('B9', 'B10', 'B25', 'B26', 'B33') THEN 'East'
         WHEN district IN ('B13', 'B14', 'B30', 'B31') THEN 'South' END AS region,
    year,
    sum(cost_in_year) AS cost,
    count(DISTINCT person_id) AS people
FROM yearly
WHERE year BETWEEN 2010 AND 2015 AND region IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2;
