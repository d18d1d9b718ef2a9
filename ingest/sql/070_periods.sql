-- 070 periods: loaded + build_dates -> serving.periods.
-- Calendar years ("2012"), financial years April-March ("2012/13") and calendar quarters
-- ("2012-Q1" = January-March), from the one holding the earliest loaded start to the one
-- holding the data date. ordinal counts from 1 within each kind.
-- data_from..data_to is the part of a period the data covers: from the first day of the
-- quarter holding the earliest loaded start (a quarter, not that agreement's own start date,
-- which would be one person's) to the data date. A period the data does not wholly cover is a
-- part period (a financial year to a December data date, the year an extract starts in): its
-- counts and costs are not comparable with whole periods, and the query layer says so
-- wherever it shows one (queries/viewkit.py).
CREATE OR REPLACE TABLE periods AS
WITH bounds AS (
    SELECT
        (SELECT min(start_date) FROM loaded) AS first_day,
        CAST(date_trunc('quarter', (SELECT min(start_date) FROM loaded)) AS DATE) AS covered_from,
        data_date AS last_day
    FROM build_dates
),
years AS (
    SELECT CAST(y AS INTEGER) AS y
    FROM bounds, range(year(first_day) - 1, year(last_day) + 1) AS r(y)
    WHERE first_day IS NOT NULL
),
all_periods AS (
    SELECT 'year' AS period_kind, CAST(y AS VARCHAR) AS period,
           make_date(y, 1, 1) AS start_date, make_date(y, 12, 31) AS end_date
    FROM years
    UNION ALL
    SELECT 'fy', y || '/' || lpad(CAST((y + 1) % 100 AS VARCHAR), 2, '0'),
           make_date(y, 4, 1), make_date(y + 1, 3, 31)
    FROM years
    UNION ALL
    SELECT 'quarter', y || '-Q' || q,
           make_date(y, 3 * q - 2, 1),
           CAST(make_date(y, 3 * q - 2, 1) + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE)
    FROM years, range(1, 5) AS r(q)
)
SELECT
    p.period_kind,
    p.period,
    p.start_date,
    p.end_date,
    CAST(row_number() OVER (PARTITION BY p.period_kind ORDER BY p.start_date) AS INTEGER)
        AS ordinal,
    greatest(p.start_date, b.covered_from) AS data_from,
    least(p.end_date, b.last_day) AS data_to
FROM all_periods AS p, bounds AS b
WHERE p.end_date >= b.first_day AND p.start_date <= b.last_day;

CREATE TABLE serving.periods AS
SELECT * FROM periods ORDER BY period_kind, ordinal;
