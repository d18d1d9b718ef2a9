-- 020 classify: parsed + build_dates + session limits -> classified.
-- Every row gets at most one quarantine reason, the first that applies in ingest/reasons.py
-- order, and loaded rows get their repair flags (one date-of-birth flag at most). Duplicate
-- agreement ids: the first row (in file order) with a well-formed id keeps it, later ones are
-- quarantined, whatever else is wrong with the first.
CREATE OR REPLACE TABLE classified AS
WITH seen AS (
    SELECT
        p.*,
        p.agreement_id IS NOT NULL
            AND row_number() OVER (PARTITION BY p.agreement_id ORDER BY p.row_number) > 1
            AS agreement_id_repeated,
        CASE
            WHEN p.dob IS NOT NULL AND p.start_date IS NOT NULL
                THEN date_diff('year', p.dob, p.start_date)
                    - CASE WHEN strftime(p.start_date, '%m%d') < strftime(p.dob, '%m%d')
                           THEN 1 ELSE 0 END
        END AS age_at_start
    FROM parsed AS p
),
judged AS (
    SELECT
        s.*,
        CASE
            WHEN s.extra_fields THEN 'EXTRA_FIELDS'
            WHEN s.agreement_id_blank THEN 'AGREEMENT_ID_MISSING'
            WHEN s.agreement_id IS NULL THEN 'AGREEMENT_ID_MALFORMED'
            WHEN s.agreement_id_repeated THEN 'AGREEMENT_ID_DUPLICATE'
            WHEN s.person_id_blank THEN 'PERSON_ID_MISSING'
            WHEN s.person_id IS NULL THEN 'PERSON_ID_MALFORMED'
            WHEN s.element_blank THEN 'ELEMENT_MISSING'
            WHEN s.element_code IS NULL THEN 'ELEMENT_UNKNOWN'
            WHEN s.start_blank THEN 'START_MISSING'
            WHEN s.start_date IS NULL THEN 'START_UNPARSEABLE'
            WHEN s.start_date < CAST(getvariable('earliest_start') AS DATE) THEN 'START_TOO_EARLY'
            WHEN s.start_date > d.build_date THEN 'START_IN_FUTURE'
            WHEN NOT s.end_blank AND s.end_date IS NULL THEN 'END_UNPARSEABLE'
            WHEN s.end_date < s.start_date THEN 'END_BEFORE_START'
            WHEN s.postcode_blank THEN 'POSTCODE_MISSING'
            WHEN NOT s.postcode_well_formed THEN 'POSTCODE_MALFORMED'
            WHEN s.postcode_in_area AND NOT s.postcode_placeable THEN 'POSTCODE_NON_GEOGRAPHIC'
            WHEN NOT s.postcode_in_area THEN 'POSTCODE_OUTSIDE_AREA'
            WHEN NOT s.cost_blank AND s.weekly_cost IS NULL THEN 'COST_UNPARSEABLE'
            WHEN s.weekly_cost < 0 THEN 'COST_NEGATIVE'
            WHEN s.weekly_cost > getvariable('max_weekly_cost') THEN 'COST_ABSURD'
        END AS quarantine_reason,
        CASE
            WHEN s.dob_blank THEN 'DOB_MISSING'
            WHEN s.dob IS NULL THEN 'DOB_UNPARSEABLE'
            WHEN s.dob > d.build_date THEN 'DOB_IN_FUTURE'
            WHEN s.dob > s.start_date THEN 'DOB_AFTER_START'
            WHEN s.age_at_start > getvariable('max_age_years') THEN 'DOB_IMPLAUSIBLE'
        END AS dob_flag,
        s.cost_blank AS cost_missing,
        coalesce(s.end_date > d.data_date, false) AS end_after_data_date,
        s.gender IS NULL AS gender_unrecognised,
        s.ethnicity IS NULL AS ethnicity_unrecognised,
        s.service_code IS DISTINCT FROM s.catalogue_service_code AS service_mismatch,
        s.client_group IS NULL AS client_group_unrecognised,
        d.data_date
    FROM seen AS s
    CROSS JOIN build_dates AS d
)
SELECT * FROM judged;
