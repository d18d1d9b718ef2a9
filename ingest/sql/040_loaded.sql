-- 040 loaded: classified + catalogue + ref_age_bands -> loaded.
-- The rows that pass, with repairs applied (unknown age band when the date of birth is
-- flagged; an end after the data date becomes open; unrecognised gender, ethnicity and client
-- group become "Not known"; the catalogue's service wins) and coarsened to what the serving
-- database may hold: age band, not date of birth; sector and cells, not postcode.
CREATE OR REPLACE TABLE loaded AS
SELECT
    c.agreement_id,
    c.person_id,
    c.element_code,
    k.service_code,
    k.provision_type,
    k.mia_theme,
    k.user_group,
    coalesce(c.client_group, 'Not known') AS client_group,
    coalesce(b.age_band, 'Unknown') AS age_band,
    coalesce(c.gender, 'Not known') AS gender,
    coalesce(c.ethnicity, 'Not known') AS ethnicity,
    coalesce(c.ethnic_group, 'Not known') AS ethnic_group,
    c.sector,
    c.district,
    c.ward_code,
    c.h3r7,
    c.h3r8,
    c.start_date,
    -- The last day the agreement is active: its end, or the data date while open.
    CASE WHEN c.end_after_data_date OR c.end_date IS NULL THEN c.data_date ELSE c.end_date END
        AS last_day,
    c.weekly_cost
FROM classified AS c
JOIN catalogue AS k ON k.element_code = c.element_code
LEFT JOIN ref_age_bands AS b
    ON c.dob_flag IS NULL
    AND c.age_at_start >= b.lower_age
    AND (b.upper_age IS NULL OR c.age_at_start < b.upper_age)
WHERE c.quarantine_reason IS NULL;
