-- 015 data date: parsed + session variables -> build_dates (one row).
-- The build date is today; "in the future" means after it. The data date (open agreements
-- run to it) is the --as-of date (or the synthetic manifest's), else the latest plausible
-- start or end in the extract that is not after the build date.
CREATE OR REPLACE TABLE build_dates AS
SELECT
    getvariable('build_date') AS build_date,
    coalesce(
        getvariable('as_of'),
        (
            SELECT max(d) FROM (
                SELECT start_date AS d FROM parsed
                UNION ALL
                SELECT end_date FROM parsed
            )
            WHERE d >= CAST(getvariable('earliest_start') AS DATE)
              AND d <= getvariable('build_date')
        ),
        getvariable('build_date')
    ) AS data_date;
