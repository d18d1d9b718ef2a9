-- 040 loaded: classified + catalogue + ref_age_bands -> loaded.
-- The rows that pass, with repairs applied (unknown age band when the date of birth is
-- flagged; an end after the data date becomes open; unrecognised gender, ethnicity and client
-- group become "Not known"; the catalogue's service wins) and coarsened to what the serving
-- database may hold: age band, not date of birth; sector and cells, not postcode. Category
-- columns take their ENUM types (005) here, once per row, so spans and facts copy integers.
CREATE OR REPLACE TABLE loaded AS
SELECT
    c.agreement_id,
    c.person_id,
    CAST(c.element_code AS element_code_t) AS element_code,
    CAST(k.service_code AS service_code_t) AS service_code,
    CAST(k.provision_type AS provision_type_t) AS provision_type,
    CAST(k.mia_theme AS mia_theme_t) AS mia_theme,
    CAST(k.user_group AS user_group_t) AS user_group,
    CAST(coalesce(c.client_group, 'Not known') AS client_group_t) AS client_group,
    CAST(coalesce(b.age_band, 'Unknown') AS age_band_t) AS age_band,
    CAST(coalesce(c.gender, 'Not known') AS gender_t) AS gender,
    CAST(coalesce(c.ethnicity, 'Not known') AS ethnicity_t) AS ethnicity,
    CAST(coalesce(c.ethnic_group, 'Not known') AS ethnic_group_t) AS ethnic_group,
    CAST(c.sector AS sector_t) AS sector,
    CAST(c.district AS district_t) AS district,
    CAST(c.ward_code AS ward_code_t) AS ward_code,
    CAST(c.h3r7 AS h3r7_t) AS h3r7,
    CAST(c.h3r8 AS h3r8_t) AS h3r8,
    c.start_date,
    -- The last day the agreement is active: its end, or the data date while open.
    CASE WHEN c.end_after_data_date OR c.end_date IS NULL THEN c.data_date ELSE c.end_date END
        AS last_day,
    c.weekly_cost,
    coalesce(k.mia_theme = 'MIA17', false) AS is_mia17
FROM classified AS c
JOIN catalogue AS k ON k.element_code = c.element_code
LEFT JOIN ref_age_bands AS b
    ON c.dob_flag IS NULL
    AND c.age_at_start >= b.lower_age
    AND (b.upper_age IS NULL OR c.age_at_start < b.upper_age)
WHERE c.quarantine_reason IS NULL;
