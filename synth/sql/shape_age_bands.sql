-- Agreements by age band at agreement start (DOMAIN.md §4 bands, half-open), rows with a DOB.
WITH aged AS (
    SELECT date_diff('year', dob, start_date)
        - CASE WHEN strftime(start_date, '%m%d') < strftime(dob, '%m%d') THEN 1 ELSE 0 END AS age
    FROM loaded WHERE dob IS NOT NULL
)
SELECT
    CASE WHEN age < 11 THEN '0-10' WHEN age < 25 THEN '11-24'
         WHEN age < 65 THEN '25-64' ELSE '65+' END AS age_band,
    count(*) AS agreements,
    count(*) / sum(count(*)) OVER () AS share
FROM aged GROUP BY 1 ORDER BY 1;
