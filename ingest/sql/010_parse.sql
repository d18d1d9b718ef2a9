-- 010 parse: raw_rows (the extract as text) + catalogue + postcode_lookup -> parsed.
-- One row per extract row, numbered in file order, with every field trimmed and parsed, the
-- postcode normalised and placed, and the element's catalogue entry attached. Nothing is
-- judged here; 020 decides which rows are bad.
CREATE OR REPLACE TABLE parsed AS
WITH trimmed AS (
    SELECT
        rowid + 1 AS row_number,
        blank_to_null(agreement_id) AS agreement_id,
        blank_to_null(person_id) AS person_id,
        blank_to_null(date_of_birth) AS date_of_birth,
        blank_to_null(agreement_start) AS agreement_start,
        blank_to_null(agreement_end) AS agreement_end,
        blank_to_null(service_code) AS service_code,
        upper(blank_to_null(element_code)) AS element_code,
        squeeze_postcode(postcode) AS postcode_squeezed,
        blank_to_null(gender) AS gender,
        blank_to_null(ethnicity) AS ethnicity,
        blank_to_null(client_group) AS client_group,
        blank_to_null(weekly_cost) AS weekly_cost,
        extra_fields IS NOT NULL AS extra_fields
    FROM raw_rows
)
SELECT
    t.row_number,
    t.extra_fields,
    t.agreement_id IS NULL AS agreement_id_blank,
    canonical_id(t.agreement_id) AS agreement_id,
    t.person_id IS NULL AS person_id_blank,
    canonical_id(t.person_id) AS person_id,
    t.date_of_birth IS NULL AS dob_blank,
    parse_date(t.date_of_birth) AS dob,
    t.agreement_start IS NULL AS start_blank,
    parse_date(t.agreement_start) AS start_date,
    t.agreement_end IS NULL AS end_blank,
    parse_date(t.agreement_end) AS end_date,
    t.element_code IS NULL AS element_blank,
    c.element_code,
    c.service_code AS catalogue_service_code,
    t.service_code,
    t.postcode_squeezed = '' AS postcode_blank,
    regexp_full_match(spaced_postcode(t.postcode_squeezed), getvariable('postcode_pattern'))
        AS postcode_well_formed,
    l.postcode IS NOT NULL AS postcode_in_area,
    coalesce(l.placeable, false) AS postcode_placeable,
    l.sector,
    l.district,
    l.ward_code,
    l.h3r7,
    l.h3r8,
    t.weekly_cost IS NULL AS cost_blank,
    parse_cost(t.weekly_cost) AS weekly_cost,
    g.gender,
    e.ethnicity,
    e.ethnic_group,
    cg.client_group
FROM trimmed AS t
LEFT JOIN catalogue AS c ON c.element_code = t.element_code
LEFT JOIN postcode_lookup AS l ON l.postcode = spaced_postcode(t.postcode_squeezed)
LEFT JOIN vocab_gender AS g ON g.folded = lower(t.gender)
LEFT JOIN vocab_ethnicity AS e ON e.folded = lower(t.ethnicity)
LEFT JOIN vocab_client_group AS cg ON cg.folded = lower(t.client_group);
