-- Cost of enablement days beyond the 42nd, per calendar year 2010-2015: weekly cost x days of
-- the year from the agreement's 43rd day on / 7.
SELECT year,
    sum(weekly_cost * greatest(0, date_diff('day',
        greatest(start_date + 42, make_date(year, 1, 1)), least(last_day, make_date(year, 12, 31))) + 1)
        / 7) AS cost_beyond_42
FROM yearly WHERE mia_theme = 'MIA17' AND year BETWEEN 2010 AND 2015
GROUP BY 1 ORDER BY 1;
