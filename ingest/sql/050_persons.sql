-- 050 persons: loaded -> person_keys (working) and workspace.persons.
-- Each person id becomes HMAC-SHA256(key, "person:" || id) and gets a record key 0..255, the
-- first byte of HMAC-SHA256(key, "record-key:person:" || id): stable for a given key, unknowable
-- without it. person_idx is dense and follows pseudonym order, so it leaks nothing of the
-- extract's order or ids.
CREATE OR REPLACE TABLE person_keys AS
WITH hashed AS (
    SELECT
        person_id,
        hmac_hex('person:' || person_id) AS person_pseudo,
        CAST(('0x' || hmac_hex('record-key:person:' || person_id)[1:2]) AS INTEGER)
            AS record_key
    FROM (SELECT DISTINCT person_id FROM loaded)
)
SELECT
    person_id,
    CAST(row_number() OVER (ORDER BY person_pseudo) - 1 AS INTEGER) AS person_idx,
    person_pseudo,
    record_key
FROM hashed;

CREATE TABLE workspace.persons AS
SELECT person_idx, person_pseudo, CAST(record_key AS UTINYINT) AS record_key
FROM person_keys
ORDER BY person_idx;
