-- Agreements started per calendar year.
SELECT year(start_date) AS year, count(*) AS agreements
FROM loaded GROUP BY 1 ORDER BY 1;
