-- MIA17 enablement started 2010-2015: share lasting over 42 days (days active, inclusive, to
-- the data date if open), by element and overall (T:1826, T:1883).
SELECT coalesce(element_code, 'all') AS element_code, count(*) AS agreements,
    avg(CASE WHEN date_diff('day', start_date, last_day) + 1 > 42 THEN 1.0 ELSE 0.0 END)
        AS share_over_42
FROM loaded
WHERE mia_theme = 'MIA17' AND year(start_date) BETWEEN 2010 AND 2015
GROUP BY ROLLUP (element_code) ORDER BY 1;
