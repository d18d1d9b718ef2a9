{name} AS (
    -- Distinct people per element (and <dims>) from pbase: n and keysum. A pbase row holds a
    -- person's elements as a mask. Rows where <direct_row> holds count each element of
    -- <direct_bits> once per row; every other person of the cell counts each element of
    -- <dedup_bits> once, from the OR of those bits over their rows (one row per person and
    -- cell, so no DISTINCT over person x element pairs). The two never share a (person,
    -- element, cell) (queries/sqlparts.py element_predicates): the sums are exact distinct
    -- counts. Rows are grouped by mask before masks are split into elements, so the split
    -- runs on a few thousand masks, not on every row.
    WITH units AS (
        SELECT {dims}, {direct_bits} AS m, person_key
        FROM pbase WHERE {direct_row}
        UNION ALL
        SELECT {dims}, bit_or({dedup_bits}) AS m, person_key
        FROM pbase WHERE {dedup_row} AND {dedup_bits} <> 0
        GROUP BY {dims}, person_idx, person_key
    ),
    masks AS (
        SELECT {dims}, m, count(*) AS n, sum(person_key) AS keysum
        FROM units
        GROUP BY ALL
    ),
    split AS (
        SELECT m, b.element_code
        FROM (SELECT DISTINCT m FROM masks) AS distinct_masks
        JOIN element_bits b ON (distinct_masks.m >> b.element_bit) & 1 = 1
    )
    SELECT {dims}, s.element_code, sum(k.n) AS n, sum(k.keysum) AS keysum
    FROM masks k JOIN split s USING (m)
    GROUP BY ALL
)
