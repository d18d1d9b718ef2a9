-- 095 build summary: classified + reasons -> workspace.build_summary and reason_counts.
-- Counts only, never rows: how many rows each reason quarantined (of all rows) or repaired (of
-- loaded rows). Every reason is listed, with 0 when it did not occur. Exact counts, so kept in
-- the workspace, not the served file: the rows loaded are the true count of agreements in the
-- city's whole-series cell, which the served file publishes only with its noise (PRIVACY.md §1).
CREATE OR REPLACE TABLE reason_counts AS
WITH quarantined AS (
    SELECT quarantine_reason AS code, count(*) AS n
    FROM classified WHERE quarantine_reason IS NOT NULL GROUP BY 1
),
flags AS (
    SELECT dob_flag AS code, count(*) AS n
    FROM classified WHERE quarantine_reason IS NULL AND dob_flag IS NOT NULL GROUP BY 1
    UNION ALL
    SELECT unnest([
        'COST_MISSING', 'END_AFTER_DATA_DATE', 'GENDER_UNRECOGNISED', 'ETHNICITY_UNRECOGNISED',
        'SERVICE_MISMATCH', 'CLIENT_GROUP_UNRECOGNISED'
    ]) AS code,
    unnest([
        count(*) FILTER (cost_missing),
        count(*) FILTER (end_after_data_date),
        count(*) FILTER (gender_unrecognised),
        count(*) FILTER (ethnicity_unrecognised),
        count(*) FILTER (service_mismatch),
        count(*) FILTER (client_group_unrecognised)
    ]) AS n
    FROM classified WHERE quarantine_reason IS NULL
)
SELECT r.code, r.action, r.ordinal, CAST(coalesce(q.n, f.n, 0) AS BIGINT) AS n
FROM reasons AS r
LEFT JOIN quarantined AS q ON q.code = r.code AND r.action = 'quarantine'
LEFT JOIN flags AS f ON f.code = r.code AND r.action = 'repair'
ORDER BY r.ordinal;

CREATE TABLE workspace.build_summary AS
SELECT code AS reason, action, n AS rows FROM reason_counts ORDER BY ordinal;
