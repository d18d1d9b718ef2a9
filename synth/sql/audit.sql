-- Classify every raw row the way ingest/reasons.py defines, independently of the generator's
-- own bookkeeping: the first quarantine reason that applies, else the repair flags.
-- Inputs: raw (the extract's text columns + row_no), catalogue, city_postcodes
-- (postcode, district, non_geographic). Constants: $data_date, $earliest_start, $max_cost,
-- $max_age.
CREATE OR REPLACE TEMP TABLE audited AS
WITH parsed AS (
    SELECT
        r.*,
        CASE WHEN regexp_full_match(trim(agreement_id), '[0-9]+')
             THEN CAST(trim(agreement_id) AS BIGINT) END AS aid,
        CASE WHEN regexp_full_match(trim(person_id), '[0-9]+')
             THEN CAST(trim(person_id) AS BIGINT) END AS pid,
        CASE WHEN regexp_full_match(trim(agreement_start), '[0-9]{4}-[0-9]{2}-[0-9]{2}')
             THEN TRY_CAST(trim(agreement_start) AS DATE) END AS start_date,
        CASE WHEN regexp_full_match(trim(agreement_end), '[0-9]{4}-[0-9]{2}-[0-9]{2}')
             THEN TRY_CAST(trim(agreement_end) AS DATE) END AS end_date,
        CASE WHEN regexp_full_match(trim(date_of_birth), '[0-9]{4}-[0-9]{2}-[0-9]{2}')
             THEN TRY_CAST(trim(date_of_birth) AS DATE) END AS dob,
        CASE WHEN regexp_full_match(trim(weekly_cost), '-?[0-9]+(\.[0-9]+)?')
             THEN CAST(trim(weekly_cost) AS DOUBLE) END AS cost,
        upper(regexp_replace(coalesce(postcode, ''), '\s+', '', 'g')) AS pc_squeezed
    FROM raw AS r
),
normal AS (
    SELECT
        p.*,
        CASE WHEN length(pc_squeezed) > 3
             THEN pc_squeezed[1:length(pc_squeezed) - 3] || ' ' || pc_squeezed[-3:]
             ELSE pc_squeezed END AS pc_normal,
        coalesce(trim(agreement_id), '') = '' AS aid_blank,
        coalesce(trim(person_id), '') = '' AS pid_blank,
        coalesce(trim(element_code), '') = '' AS element_blank,
        coalesce(trim(agreement_start), '') = '' AS start_blank,
        coalesce(trim(agreement_end), '') = '' AS end_blank,
        coalesce(trim(date_of_birth), '') = '' AS dob_blank,
        coalesce(trim(weekly_cost), '') = '' AS cost_blank
    FROM parsed AS p
),
seen AS (
    SELECT
        n.*,
        aid IS NOT NULL
            AND row_number() OVER (PARTITION BY aid ORDER BY row_no) > 1 AS aid_repeated
    FROM normal AS n
),
located AS (
    SELECT s.*, c.district AS district, c.non_geographic, k.element_code AS known_element,
        k.service_code AS catalogue_service
    FROM seen AS s
    LEFT JOIN city_postcodes AS c ON c.postcode = s.pc_normal
    LEFT JOIN catalogue AS k ON k.element_code = trim(s.element_code)
)
SELECT
    l.*,
    CASE
        WHEN aid_blank THEN 'AGREEMENT_ID_MISSING'
        WHEN aid IS NULL THEN 'AGREEMENT_ID_MALFORMED'
        WHEN aid_repeated THEN 'AGREEMENT_ID_DUPLICATE'
        WHEN pid_blank THEN 'PERSON_ID_MISSING'
        WHEN pid IS NULL THEN 'PERSON_ID_MALFORMED'
        WHEN element_blank THEN 'ELEMENT_MISSING'
        WHEN known_element IS NULL THEN 'ELEMENT_UNKNOWN'
        WHEN start_blank THEN 'START_MISSING'
        WHEN start_date IS NULL THEN 'START_UNPARSEABLE'
        WHEN start_date < CAST($earliest_start AS DATE) THEN 'START_TOO_EARLY'
        WHEN start_date > CAST($data_date AS DATE) THEN 'START_IN_FUTURE'
        WHEN NOT end_blank AND end_date IS NULL THEN 'END_UNPARSEABLE'
        WHEN end_date < start_date THEN 'END_BEFORE_START'
        WHEN pc_squeezed = '' THEN 'POSTCODE_MISSING'
        WHEN NOT regexp_full_match(pc_normal,
            '(?:[A-PR-UWYZ][A-HK-Y]?)(?:[0-9][0-9A-Z]?) (?:[0-9])[ABD-HJLNP-UW-Z]{2}')
            THEN 'POSTCODE_MALFORMED'
        WHEN non_geographic THEN 'POSTCODE_NON_GEOGRAPHIC'
        WHEN district IS NULL THEN 'POSTCODE_OUTSIDE_AREA'
        WHEN NOT cost_blank AND cost IS NULL THEN 'COST_UNPARSEABLE'
        WHEN cost < 0 THEN 'COST_NEGATIVE'
        WHEN cost > $max_cost THEN 'COST_ABSURD'
    END AS quarantine_reason,
    cost_blank AS cost_missing,
    CASE
        WHEN dob_blank THEN 'DOB_MISSING'
        WHEN dob IS NULL THEN 'DOB_UNPARSEABLE'
        WHEN dob > CAST($data_date AS DATE) THEN 'DOB_IN_FUTURE'
        WHEN dob > start_date THEN 'DOB_AFTER_START'
        WHEN date_diff('year', dob, start_date)
            - CASE WHEN strftime(start_date, '%m%d') < strftime(dob, '%m%d') THEN 1 ELSE 0 END
            > $max_age THEN 'DOB_IMPLAUSIBLE'
    END AS dob_flag,
    end_date > CAST($data_date AS DATE) AS end_after_data_date,
    gender NOT IN (SELECT value FROM genders) OR gender IS NULL AS gender_unrecognised,
    ethnicity NOT IN (SELECT value FROM ethnicities) OR ethnicity IS NULL
        AS ethnicity_unrecognised,
    trim(service_code) IS DISTINCT FROM catalogue_service AS service_mismatch,
    client_group NOT IN (SELECT value FROM client_groups) OR client_group IS NULL
        AS client_group_unrecognised
FROM located AS l;

-- The rows a build would load, parsed, with repairs applied (unknown DOB, open if the end is
-- planned after the data date) and the catalogue's attributes.
CREATE OR REPLACE TEMP VIEW loaded AS
SELECT
    a.aid AS agreement_id,
    a.pid AS person_id,
    CASE WHEN a.dob_flag IS NULL THEN a.dob END AS dob,
    a.start_date,
    CASE WHEN a.end_after_data_date THEN NULL ELSE a.end_date END AS end_date,
    least(coalesce(CASE WHEN a.end_after_data_date THEN NULL ELSE a.end_date END,
                   CAST($data_date AS DATE)), CAST($data_date AS DATE)) AS last_day,
    k.element_code,
    k.provision_type,
    k.mia_theme,
    k.user_group,
    a.district,
    a.cost AS weekly_cost
FROM audited AS a
JOIN catalogue AS k ON k.element_code = trim(a.element_code)
WHERE a.quarantine_reason IS NULL;
