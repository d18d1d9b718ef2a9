
    UNION ALL
    -- The whole city's cell, from the same first level (when the cells together are the whole
    -- city): a row that counts as it is (unit NULL) is a person with no other counted row in
    -- the selection, with the same types in every period (queries/sqlparts.py
    -- provision_predicates); a deduplicated person counts once, with the types of all their
    -- rows in every area.
    SELECT '{city}', period_dim, types, sum(n), sum(keysum)
    FROM (
        SELECT period_dim, types, rows AS n, keys AS keysum FROM grouped WHERE unit IS NULL
        UNION ALL
        SELECT period_dim, bit_or(types), 1, min(keys // rows)
        FROM grouped WHERE unit IS NOT NULL
        GROUP BY period_dim, unit
    )
    GROUP BY period_dim, types