-- 060 agreements: loaded + person_keys -> spans (working) and workspace.agreements.
-- Agreement ids are pseudonymised like person ids ("agreement:" / "record-key:agreement:").
-- spans is one row per loaded agreement with everything the facts need and no raw id.
CREATE OR REPLACE TABLE spans AS
WITH hashed AS (
    SELECT
        l.*,
        hmac_hex('agreement:' || l.agreement_id) AS agreement_pseudo,
        CAST(('0x' || hmac_hex('record-key:agreement:' || l.agreement_id)[1:2]) AS INTEGER)
            AS agreement_key
    FROM loaded AS l
)
SELECT
    CAST(row_number() OVER (ORDER BY h.agreement_pseudo) - 1 AS INTEGER) AS agreement_idx,
    h.agreement_pseudo,
    h.agreement_key,
    p.person_idx,
    p.record_key AS person_key,
    h.* EXCLUDE (agreement_id, person_id, agreement_pseudo, agreement_key)
FROM hashed AS h
JOIN person_keys AS p USING (person_id);

CREATE TABLE workspace.agreements AS
SELECT
    agreement_idx,
    agreement_pseudo,
    CAST(agreement_key AS UTINYINT) AS record_key,
    person_idx
FROM spans
ORDER BY agreement_idx;
