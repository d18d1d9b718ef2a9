-- 030 quarantine: classified + raw_rows + reasons -> quarantine_rows.
-- The rows that are not loaded, with their original text exactly as read, the row number and
-- the reason's code and message, and the fields a long row had beyond the header's. The build copies this view to <out>.quarantine.csv.
CREATE OR REPLACE VIEW quarantine_rows AS
SELECT
    c.row_number,
    c.quarantine_reason AS reason,
    r.message,
    raw.agreement_id,
    raw.person_id,
    raw.date_of_birth,
    raw.agreement_start,
    raw.agreement_end,
    raw.service_code,
    raw.service_description,
    raw.element_code,
    raw.element_description,
    raw.postcode,
    raw.gender,
    raw.ethnicity,
    raw.client_group,
    raw.weekly_cost,
    raw.extra_fields
FROM classified AS c
JOIN raw_rows AS raw ON raw.rowid + 1 = c.row_number
JOIN reasons AS r ON r.code = c.quarantine_reason
WHERE c.quarantine_reason IS NOT NULL
ORDER BY c.row_number;
