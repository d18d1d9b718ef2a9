{name} AS (
    -- Distinct people per element (and <dims>) from pbase: n and keysum. A pbase row holds a
    -- person's elements as a mask; it is grouped by mask before masks are split into elements,
    -- so the split runs on a few thousand masks, not on every row. Rows where <direct_row>
    -- holds count each element of <direct_bits> once per row; the DISTINCT runs only on
    -- (person, element) pairs of <dedup_bits>. The two never share a (person, element, cell)
    -- (queries/sqlparts.py element_predicates): the sums are exact distinct counts.
    WITH direct_masks AS (
        SELECT {dims}, {direct_bits} AS m, count(*) AS n, sum(person_key) AS keysum
        FROM pbase WHERE {direct_row}
        GROUP BY ALL
    ),
    dedup_masks AS (
        SELECT DISTINCT {dims}, person_idx, person_key, {dedup_bits} AS m
        FROM pbase WHERE {dedup_row} AND {dedup_bits} <> 0
    ),
    split AS (
        SELECT m, b.element_code
        FROM (SELECT m FROM direct_masks UNION SELECT m FROM dedup_masks) AS masks
        JOIN element_bits b ON (masks.m >> b.element_bit) & 1 = 1
    ),
    units AS (
        SELECT {dims}, s.element_code, sum(d.n) AS n, sum(d.keysum) AS keysum
        FROM direct_masks d JOIN split s USING (m)
        GROUP BY ALL
        UNION ALL
        SELECT {dims}, element_code, count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT {dims}, s.element_code, d.person_idx, d.person_key
              FROM dedup_masks d JOIN split s USING (m))
        GROUP BY ALL
    )
    SELECT {dims}, element_code, sum(n) AS n, sum(keysum) AS keysum FROM units GROUP BY ALL
)
