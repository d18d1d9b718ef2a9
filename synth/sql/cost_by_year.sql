-- Cost in each calendar year = weekly cost x days active inside the year / 7 (DHSC CLD
-- method); open agreements run to the data date. One row per loaded agreement and year.
CREATE OR REPLACE TEMP VIEW yearly AS
WITH years AS (
    SELECT y AS year, make_date(y, 1, 1) AS year_start, make_date(y, 12, 31) AS year_end
    FROM range(2001, 2016) AS t(y)
)
SELECT
    l.*,
    y.year,
    date_diff('day', greatest(l.start_date, y.year_start), least(l.last_day, y.year_end)) + 1
        AS days_active,
    l.weekly_cost * days_active / 7 AS cost_in_year
FROM loaded AS l
JOIN years AS y ON l.start_date <= y.year_end AND l.last_day >= y.year_start;
