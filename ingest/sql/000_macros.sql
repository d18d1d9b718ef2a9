-- 000 macros: the parsing rules every later step uses, from nothing.
-- A date is ISO (YYYY-MM-DD, optionally with a time, as Excel and Parquet timestamps render)
-- or UK day/month/year; anything else, including impossible days like 2012-02-30 and
-- impossible times like 25:99, is NULL. An id is a whole number, compared without leading
-- zeros. A cost is a plain decimal with an optional pound sign and thousands commas that
-- group by three ("1,234.50"; "1,2,3" is not a number).
CREATE OR REPLACE MACRO blank_to_null(s) AS nullif(trim(s), '');

CREATE OR REPLACE MACRO parse_date(s) AS CASE
    WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?)?')
        THEN try_cast(s[1:10] AS DATE)
    WHEN regexp_full_match(s, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}')
        THEN CAST(try_strptime(s, '%d/%m/%Y') AS DATE)
END;

CREATE OR REPLACE MACRO canonical_id(s) AS CASE
    WHEN regexp_full_match(s, '[0-9]+') THEN coalesce(nullif(ltrim(s, '0'), ''), '0')
END;

CREATE OR REPLACE MACRO parse_cost(s) AS CASE
    WHEN regexp_full_match(s, '-?£?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?')
        THEN CAST(replace(replace(s, ',', ''), '£', '') AS DOUBLE)
END;

-- "b23  6ab" -> "B23 6AB": no whitespace, upper case, one space before the inward code.
CREATE OR REPLACE MACRO squeeze_postcode(s) AS upper(regexp_replace(coalesce(s, ''), '\s+', '', 'g'));
CREATE OR REPLACE MACRO spaced_postcode(q) AS CASE
    WHEN length(q) > 3 THEN q[1:length(q) - 3] || ' ' || q[-3:] ELSE q
END;

-- HMAC-SHA256 (RFC 2104) with the key's pads held in session variables, never in a table.
CREATE OR REPLACE MACRO hmac_hex(msg) AS
    sha256(getvariable('hmac_opad') || unhex(sha256(getvariable('hmac_ipad') || encode(msg))));
